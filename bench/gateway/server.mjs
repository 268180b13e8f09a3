// The peer of benchmark group (c): what a user would deploy instead of pg_federation.
// PostGraphile 4 serves the tables (in process, as a stitching subschema), the fixture
// remote GraphQL API is a second subschema reached over HTTP, and the remote field is
// stitched onto the table type with batched delegation (@graphql-tools/batch-delegate:
// one `users(ids: [...])` request per level, keys deduplicated by DataLoader), all served
// by graphql-yoga over HTTP. For reference, `userAliased`/`user10Aliased` delegate each
// row to `user(id:)` instead, merged into one request of aliased fields by batch-execute
// (`batch: true`): the document shape pg_federation sends.
//
//   PGHOST=/tmp/pg_federation-bench PGPORT=54340 PGDATABASE=pgf_bench PGUSER=postgres \
//   REMOTE_URL=http://127.0.0.1:4141/graphql PORT=4149 node server.mjs
//
// Prints "gateway: ready on http://127.0.0.1:PORT/graphql" once it serves.
import { createServer } from 'node:http';
import pg from 'pg';
import { execute } from 'graphql';
import { createPostGraphileSchema, withPostGraphileContext } from 'postgraphile';
import { NodePlugin } from 'graphile-build';
import { stitchSchemas } from '@graphql-tools/stitch';
import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { delegateToSchema } from '@graphql-tools/delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { schemaFromExecutor } from '@graphql-tools/wrap';
import { createYoga } from 'graphql-yoga';

const env = (name, fallback) => process.env[name] ?? fallback;
const port = Number(env('PORT', '4149'));
const remoteUrl = env('REMOTE_URL', 'http://127.0.0.1:4141/graphql');

// --- tables: PostGraphile 4 ----------------------------------------------------------
const pgPool = new pg.Pool({
  host: env('PGHOST', '/tmp/pg_federation-bench'),
  port: Number(env('PGPORT', '54340')),
  database: env('PGDATABASE', 'pgf_bench'),
  user: env('PGUSER', 'postgres'),
  max: 4,
});
const tablesSchema = await createPostGraphileSchema(pgPool, ['public'], {
  disableDefaultMutations: true,
  // The fixture has its own `Node` interface and `node` root field; PostGraphile's
  // global object identification would clash with them in the stitched schema.
  skipPlugins: [NodePlugin],
});
const tablesSubschema = {
  schema: tablesSchema,
  // PostGraphile's own HTTP handler does this: a pooled client (and transaction) per request.
  executor: ({ document, variables, operationName }) =>
    withPostGraphileContext({ pgPool }, (context) =>
      execute({ schema: tablesSchema, document, variableValues: variables, contextValue: context, operationName })),
};

// --- the remote GraphQL API ----------------------------------------------------------
const remoteExecutor = buildHTTPExecutor({ endpoint: remoteUrl });
const remoteSubschema = { schema: await schemaFromExecutor(remoteExecutor), executor: remoteExecutor, batch: true };

// --- stitching: Order.user / Order.user10 -> users(ids: [...]), batched --------------
const batchedUser = (keyField) => ({
  selectionSet: `{ ${keyField} }`,
  resolve: (order, _args, context, info) =>
    batchDelegateToSchema({
      schema: remoteSubschema,
      operation: 'query',
      fieldName: 'users',
      key: order[keyField],
      argsFromKeys: (ids) => ({ ids }),
      context,
      info,
    }),
});
// One `user(id:)` per row; batch-execute merges the calls of one tick into one request.
const aliasedUser = (keyField) => ({
  selectionSet: `{ ${keyField} }`,
  resolve: (order, _args, context, info) =>
    delegateToSchema({
      schema: remoteSubschema,
      operation: 'query',
      fieldName: 'user',
      args: { id: order[keyField] },
      context,
      info,
    }),
});
const schema = stitchSchemas({
  subschemas: [tablesSubschema, remoteSubschema],
  typeDefs: 'extend type Order { user: User  user10: User  userAliased: User  user10Aliased: User }',
  resolvers: {
    Order: {
      user: batchedUser('userId'),
      user10: batchedUser('userId10'),
      userAliased: aliasedUser('userId'),
      user10Aliased: aliasedUser('userId10'),
    },
  },
});

// --- HTTP ------------------------------------------------------------------------------
const yoga = createYoga({ schema, graphiql: false, logging: false, maskedErrors: false, landingPage: false });
const server = createServer(yoga);
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`gateway: ready on http://127.0.0.1:${port}/graphql`);
});
const stop = () => server.close(() => pgPool.end().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
