-- Renames follow the catalog (src/metadata/renames.rs), as Hasura rewrites its metadata
-- after ALTER TABLE … RENAME: before an ALTER of a relation the tables the metadata
-- names are noted, after it what changed name is renamed in the document, in the same
-- transaction. Runs last in the extension script (the functions it calls exist then).
-- Security definer: the role running the DDL need not be allowed to change metadata.
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
