-- Runs first, in every run (scripts/test.sh puts it first even when asked for other
-- files). Unlike the other files it is NOT wrapped in begin/rollback: the extension
-- it creates stays in the pgf_regress database for the files after it.
create extension pg_federation;

-- The \dx row: name, version, schema.
select e.extname, e.extversion, n.nspname as schema, e.extrelocatable
from pg_extension e
join pg_namespace n on n.oid = e.extnamespace
where e.extname = 'pg_federation';

-- The public SQL surface: signatures (with defaults) and result types.
select p.proname,
       pg_get_function_arguments(p.oid) as arguments,
       pg_get_function_result(p.oid) as result
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'graphql' and p.proname in ('resolve', 'metadata')
order by p.proname, arguments;

-- Helpers every later file shares (they run as the superuser that runs pg_regress).
create schema regress;

-- A fixture server's HTTP answer as jsonb (through curl; `copy … from program`).
create function regress.fixture(port int, method text, route text, body text default null) returns jsonb
language plpgsql as $$
declare
  result jsonb;
  command text := format('curl -s -X %s http://127.0.0.1:%s/%s', method, port, route);
begin
  if body is not null then
    command := command || ' -H ''content-type: application/json'' -d ' || quote_literal(body);
  end if;
  if pg_catalog.to_regclass('pg_temp.fixture_out') is null then
    create temp table fixture_out (line text);
  end if;
  truncate fixture_out;
  execute format('copy fixture_out from program %L with (format csv, quote e''\x01'', delimiter e''\x02'')', command);
  select string_agg(line, '')::jsonb into result from fixture_out;
  return result;
end
$$;

-- The server log (written by pg_ctl next to the data directory), from byte `since`.
create function regress.log_size() returns bigint language sql as $$
  select (pg_stat_file(current_setting('data_directory') || '/../server.log')).size
$$;
create function regress.log_since(since bigint) returns text language sql as $$
  select pg_read_file(current_setting('data_directory') || '/../server.log', since, regress.log_size() - since)
$$;

-- auto_explain writes every statement resolve runs (with its plan) to the server
-- log, at WARNING so the cluster's log_min_messages keeps it; the client sees none.
-- For the rest of the caller's transaction; the caller LOADs auto_explain first.
create function regress.explain_on() returns void language sql as $$
  select set_config('auto_explain.log_min_duration', '0', true), set_config('auto_explain.log_nested_statements', 'on', true),
         set_config('auto_explain.log_verbose', 'on', true), set_config('auto_explain.log_level', 'warning', true),
         set_config('client_min_messages', 'error', true);
  select null::void
$$;
create function regress.explain_off() returns void language sql as $$
  select set_config('auto_explain.log_min_duration', '-1', true), set_config('client_min_messages', 'notice', true);
  select null::void
$$;

-- Statements that joined a key set (plan::keyed_statement) since `since`.
create function regress.keyed_statements(since bigint) returns int language sql as $$
  select count(*)::int from regexp_matches(regress.log_since(since), 'Query Text: select \(select coalesce\(json_object_agg', 'g')
$$;
