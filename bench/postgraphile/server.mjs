// The peer of benchmark group (j): plain PostGraphile 4 over HTTP on the bench tables,
// as its documentation deploys it (its own HTTP handler, a pg pool), nothing stitched.
//
//   PGHOST=/tmp/pg_federation-bench PGPORT=54340 PGDATABASE=pgf_bench PGUSER=postgres \
//   PORT=4150 POOL=8 node server.mjs
//
// Its own packages (graphql 15, as PostGraphile 4 needs; the gateway of (c) overrides it to 16).
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';

const env = (name, fallback) => process.env[name] ?? fallback;
const pool = new pg.Pool({
  host: env('PGHOST', '/tmp/pg_federation-bench'),
  port: Number(env('PGPORT', '54340')),
  database: env('PGDATABASE', 'pgf_bench'),
  user: env('PGUSER', 'postgres'),
  max: Number(env('POOL', '8')),
});
const port = Number(env('PORT', '4150'));
createServer(postgraphile(pool, ['public'], { disableDefaultMutations: true, disableQueryLog: true }))
  .listen(port, '127.0.0.1', () => console.log(`postgraphile: ready on http://127.0.0.1:${port}/graphql`));
