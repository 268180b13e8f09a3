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
