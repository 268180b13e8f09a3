-- pg_federation 0.1.0 -> 0.2.0 (ALTER EXTENSION pg_federation UPDATE TO '0.2.0').
--
-- `cargo pgrx install` copies this file into the extension directory (it copies every
-- sql/pg_federation--A--B.sql). scripts/upgrade_check.sh (in scripts/test.sh) installs
-- 0.1.0, runs the update and compares every extension object with a fresh 0.2.0
-- install: whatever changes in the generated install script (sql/bootstrap.sql, a
-- new or changed #[pg_extern]) must be repeated here, in the same form, until 0.2.0
-- is released; after that, add a pg_federation--0.2.0--0.3.0.sql instead.
--
-- 0.2.0 changes graphql.resolve's result from jsonb to json (the response in selection
-- order), adds the rename-following event triggers (sql/renames.sql) and the two library
-- functions they call, graphql.session_variables() and graphql.explain(), and
-- graphql.invalidate_schema_caches(), which the metadata and DDL triggers now call; graphql.max_query_depth and graphql.max_query_fields are GUCs
-- defined by the library, and the other functions keep their signatures and symbols.

-- graphql.resolve answers json, its keys in the order of the selection set (jsonb
-- sorts them). A return type cannot be replaced: the function is dropped and made
-- again, with the same arguments, over a new symbol (0.1.0's `resolve_wrapper` stays in
-- the library for databases not updated yet). Callers that need jsonb cast:
-- resolve(...)::jsonb.
-- Who may execute it is kept: a DBA's REVOKE/GRANT on 0.1.0's function is put back
-- on the new one (stashed in a setting local to the update's transaction).
SELECT pg_catalog.set_config('pg_federation.resolve_acl', coalesce(p.proacl::text, ''), true)
  FROM pg_catalog.pg_proc p WHERE p.oid = 'graphql.resolve(text, jsonb, text)'::pg_catalog.regprocedure;
DROP FUNCTION graphql.resolve(text, jsonb, text);
CREATE  FUNCTION "resolve"(
	"query" TEXT, /* & str */
	"variables" jsonb DEFAULT '{}', /* Option < JsonB > */
	"operation_name" TEXT DEFAULT NULL /* Option < & str > */
) RETURNS json /* crate::response::Response */
VOLATILE PARALLEL UNSAFE 
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'resolve_json_wrapper';
DO $$
DECLARE
    acl text := pg_catalog.current_setting('pg_federation.resolve_acl', true);
    item record;
BEGIN
    IF coalesce(acl, '') = '' THEN
        RETURN; -- the default: every role may execute it
    END IF;
    EXECUTE 'REVOKE EXECUTE ON FUNCTION graphql.resolve(text, jsonb, text) FROM PUBLIC';
    FOR item IN SELECT a.grantee, a.is_grantable FROM pg_catalog.aclexplode(acl::pg_catalog.aclitem[]) a
                 WHERE a.privilege_type = 'EXECUTE' LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION graphql.resolve(text, jsonb, text) TO %s%s',
            CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(item.grantee)) END,
            CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

-- The session variables a computed field's or tracked function's session argument
-- receives.
CREATE  FUNCTION "session_variables"() RETURNS jsonb /* JsonB */
STRICT STABLE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'session_variables_wrapper';

-- The plan of a document: levels, statements with EXPLAIN, requests; with analyze, as run.
CREATE  FUNCTION "explain"(
	"query" TEXT, /* & str */
	"variables" jsonb DEFAULT '{}', /* Option < JsonB > */
	"operation_name" TEXT DEFAULT NULL, /* Option < & str > */
	"analyze" bool DEFAULT false /* bool */
) RETURNS jsonb /* JsonB */
VOLATILE PARALLEL UNSAFE 
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'explain_wrapper';

-- A metadata write or DDL sends a relcache invalidation of graphql.schema_version, so
-- that backends read the version only after a change (see sql/bootstrap.sql).
CREATE  FUNCTION "invalidate_schema_caches"() RETURNS void
STRICT VOLATILE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'invalidate_schema_caches_wrapper';

create or replace function graphql.metadata_written() returns trigger
    language plpgsql security definer set search_path = pg_catalog
as $$
begin
    update graphql.schema_version set version = version + 1;
    -- (absent while CREATE EXTENSION is still creating the functions)
    if pg_catalog.to_regprocedure('graphql.invalidate_schema_caches()') is not null then
        perform graphql.invalidate_schema_caches();
    end if;
    return null;
end
$$;

create or replace function graphql.bump_schema_version() returns event_trigger
    language plpgsql security definer set search_path = pg_catalog
as $$
begin
    if not pg_catalog.pg_is_in_recovery() then
        update graphql.schema_version set version = version + 1;
        -- (absent while CREATE EXTENSION is still creating the functions)
        if pg_catalog.to_regprocedure('graphql.invalidate_schema_caches()') is not null then
            perform graphql.invalidate_schema_caches();
        end if;
    end if;
end
$$;

-- Renames follow the catalog: two functions of the library and sql/renames.sql.
CREATE  FUNCTION "note_renames"() RETURNS void
STRICT VOLATILE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'note_renames_wrapper';
CREATE  FUNCTION "follow_renames"() RETURNS void
STRICT VOLATILE
LANGUAGE c /* Rust */
AS 'MODULE_PATHNAME', 'follow_renames_wrapper';
revoke all on function graphql.note_renames() from public;
revoke all on function graphql.follow_renames() from public;

-- One function for both events: note before the ALTER, follow after it.
create function graphql.renames_around_alter() returns event_trigger
    language plpgsql security definer set search_path = pg_catalog
as $$
begin
    if tg_event = 'ddl_command_start' then
        perform graphql.note_renames();
    else
        perform graphql.follow_renames();
    end if;
end
$$;
revoke all on function graphql.renames_around_alter() from public;

create event trigger graphql_note_renames on ddl_command_start
    when tag in ('ALTER TABLE', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW', 'ALTER FOREIGN TABLE', 'ALTER SCHEMA')
    execute function graphql.renames_around_alter();
create event trigger graphql_follow_renames on ddl_command_end
    when tag in ('ALTER TABLE', 'ALTER VIEW', 'ALTER MATERIALIZED VIEW', 'ALTER FOREIGN TABLE', 'ALTER SCHEMA')
    execute function graphql.renames_around_alter();
