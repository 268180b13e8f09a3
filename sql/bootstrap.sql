-- Catalog of pg_federation. Runs first in the extension script (CREATE EXTENSION
-- creates the `graphql` schema from the control file).

-- The whole metadata document, in Hasura's export_metadata shape. One row at most;
-- no row means empty metadata. The extension script inserts no row on purpose: the
-- table is registered with pg_extension_config_dump, so pg_dump dumps the row and a
-- restore must not find one already there.
create table graphql.metadata_document (
    singleton boolean primary key default true check (singleton),
    document jsonb not null,
    resource_version bigint not null default 1
);
select pg_catalog.pg_extension_config_dump('graphql.metadata_document', '');

-- Bumped (transactionally) by DDL and by metadata writes; the per-backend schema
-- cache is keyed by it. A row update rather than a sequence: a sequence bump is
-- visible before the DDL commits, and a backend could cache the old catalog under
-- the new number.
create table graphql.schema_version (
    singleton boolean primary key default true check (singleton),
    version bigint not null
);
insert into graphql.schema_version values (true, 1);

-- Every role may call graphql.resolve (it runs with the caller's rights).
grant usage on schema graphql to public;

-- Who may change metadata: whoever may INSERT and UPDATE graphql.metadata_document
-- (owner and superusers; a DBA may GRANT both to a role). Reading the document is
-- open: secrets never live in it.
revoke all on graphql.metadata_document from public;
grant select on graphql.metadata_document to public;
revoke all on graphql.schema_version from public;
grant select on graphql.schema_version to public;

-- Any write to the document (and reload_metadata's empty UPDATE: statement triggers
-- fire on zero rows) invalidates every backend's cache once it commits: the version
-- moves, and graphql.invalidate_schema_caches() sends the relcache invalidation that
-- tells every backend (standbys too) to read it again, so that a call whose schema is
-- cached reads nothing. Security definer, so that a role allowed to change metadata
-- needs no rights on schema_version.
create function graphql.metadata_written() returns trigger
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
revoke all on function graphql.metadata_written() from public;
create trigger metadata_written after insert or update or delete on graphql.metadata_document
    for each statement execute function graphql.metadata_written();

create function graphql.bump_schema_version() returns event_trigger
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
revoke all on function graphql.bump_schema_version() from public;

create event trigger graphql_watch_ddl on ddl_command_end
    execute function graphql.bump_schema_version();
create event trigger graphql_watch_drop on sql_drop
    execute function graphql.bump_schema_version();

-- Remote schemas: the introspection result stored when a remote is added or
-- reloaded (resolve never introspects), and header values kept apart from the
-- document because they are secrets: no role but the owner may read them; resolve
-- reads them with the owner's rights for the duration of one query.
create table graphql.remote_schema_introspection (
    remote_schema text primary key,
    introspection jsonb not null,
    fetched_at timestamptz not null default now()
);
select pg_catalog.pg_extension_config_dump('graphql.remote_schema_introspection', '');
revoke all on graphql.remote_schema_introspection from public;
grant select on graphql.remote_schema_introspection to public;

create table graphql.remote_schema_header (
    remote_schema text not null,
    position int not null,
    name text not null,
    value text not null,
    primary key (remote_schema, position)
);
select pg_catalog.pg_extension_config_dump('graphql.remote_schema_header', '');
revoke all on graphql.remote_schema_header from public;
