// Introspection check: graphql.resolve's answer to graphql-js's own introspection query
// must build a client schema (what GraphiQL, Apollo and codegen tools do), and that
// schema must accept real queries and reject wrong ones.
//
// Usage (scripts/test.sh does this):
//   PGHOST=... PGPORT=... PGUSER=... PGDATABASE=... node check.mjs
// PGDATABASE must have pg_federation and examples/demo_schema.sql loaded.
// psql runs through child_process so the check needs no PostgreSQL driver.
//
// Output: one "ok - name" / "not ok - name" line per check, then "N passed, N failed";
// exit status 1 when anything failed.

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  getIntrospectionQuery,
  parse,
  printSchema,
  validate,
} from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const queriesDir = join(here, "..", "..", "examples", "queries");

let passed = 0;
let failed = 0;

function report(ok, name, detail) {
  if (ok) {
    passed += 1;
    console.log(`ok - ${name}`);
  } else {
    failed += 1;
    console.log(`not ok - ${name}`);
    if (detail) {
      for (const line of String(detail).split("\n").slice(0, 20)) console.log(`#   ${line}`);
    }
  }
}

// graphql.resolve(query, variables) through psql; the GraphQL text travels as a psql
// variable (:'q' quotes it as a literal), never spliced into SQL.
function resolve(query, variables = {}) {
  const out = execFileSync(
    process.env.PSQL || "psql",
    [
      "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
      "-v", `q=${query}`,
      "-v", `v=${JSON.stringify(variables)}`,
    ],
    {
      input: "select graphql.resolve(:'q', :'v'::jsonb);\n",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  return JSON.parse(out);
}

// Runs a check; an exception fails it with the exception's message.
function check(name, fn) {
  try {
    const result = fn();
    if (result === true || result === undefined) report(true, name);
    else report(false, name, result);
  } catch (e) {
    // a failed psql: its stderr says why (the command line would only repeat the query)
    report(false, name, e.stderr ? `psql exited with ${e.status}: ${e.stderr}` : e.stack || e.message);
  }
}

// --- 1. introspection -> client schema -------------------------------------------
let schema = null;
let introspection = null;

check("introspection query returns data and no errors", () => {
  const res = resolve(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
  if (res.errors && res.errors.length) return `errors: ${JSON.stringify(res.errors, null, 2)}`;
  if (!res.data || !res.data.__schema) return `no data.__schema in: ${JSON.stringify(res).slice(0, 500)}`;
  introspection = res.data;
  return true;
});

check("buildClientSchema accepts the introspection result", () => {
  if (!introspection) return "no introspection result (see above)";
  schema = buildClientSchema(introspection);
  return true;
});

check("printSchema shows query_root with the demo tables", () => {
  if (!schema) return "no schema (see above)";
  const sdl = printSchema(schema);
  const queryType = schema.getQueryType();
  if (!queryType || queryType.name !== "query_root") return `query type is ${queryType && queryType.name}`;
  const fields = queryType.getFields();
  const wanted = [
    "users", "users_by_pk", "users_aggregate",
    "orders", "orders_by_pk", "orders_aggregate",
    "order_items", "order_items_by_pk",
    "products", "user_order_totals",
  ];
  const missing = wanted.filter((f) => !fields[f]);
  if (missing.length) return `query_root lacks: ${missing.join(", ")}`;
  if (fields.user_order_totals_by_pk) return "a view without a primary key got a _by_pk field";
  if (!sdl.includes("type query_root")) return "printed SDL has no 'type query_root'";
  return true;
});

check("relationships inferred from foreign keys", () => {
  if (!schema) return "no schema (see above)";
  const expect = {
    orders: ["user", "order_items"],
    users: ["orders"],
    order_items: ["order", "product"],
    products: ["order_items"],
  };
  const problems = [];
  for (const [type, rels] of Object.entries(expect)) {
    const t = schema.getType(type);
    if (!t || !t.getFields) {
      problems.push(`no object type ${type}`);
      continue;
    }
    for (const r of rels) if (!t.getFields()[r]) problems.push(`${type}.${r} missing`);
  }
  return problems.length ? problems.join("; ") : true;
});

// --- 2. validation with graphql-js ------------------------------------------------
function errorsFor(source) {
  return validate(schema, parse(source)).map((e) => e.message);
}

const valid = [];
for (const f of readdirSync(queriesDir).filter((f) => f.endsWith(".graphql")).sort()) {
  valid.push([`examples/queries/${f}`, readFileSync(join(queriesDir, f), "utf8")]);
}
valid.push([
  "fragments, aliases, directives and __typename",
  `query ($withEmail: Boolean!) {
     first: users(limit: 1, offset: 1, where: {_or: [{name: {_ilike: "%a%"}}, {id: {_in: [1, 2]}}]}) {
       ...UserBits
       email @include(if: $withEmail)
     }
     orders_by_pk(id: 1) { __typename ... on orders { total } }
   }
   fragment UserBits on users { id name }`,
]);

valid.push([
  "table mutations: every kind, nested inserts, on_conflict and the update operators",
  `mutation ($o: [orders_insert_input!]!) {
     insert_orders(objects: $o, on_conflict: {constraint: orders_pkey, update_columns: [status], where: {total: {_gt: 0}}}) {
       affected_rows returning { id user { name } }
     }
     insert_users_one(object: {name: "N", email: "n@example.com", signed_up: "2024-01-01",
                               orders: {data: [{status: "pending", placed_on: "2024-01-02", total: 1}]}}) { id }
     insert_order_items_one(object: {quantity: 1, order: {data: {user_id: 1, status: "pending", placed_on: "2024-01-02", total: 2}},
                                     product: {data: {name: "P", price: 1}, on_conflict: {constraint: products_pkey}}}) { order_id }
     update_orders(where: {id: {_eq: 1}}, _set: {status: "shipped"}, _inc: {total: 1}) { affected_rows }
     update_orders_by_pk(pk_columns: {id: 1}, _set: {status: "delivered"}) { id }
     update_orders_many(updates: [{where: {id: {_eq: 2}}, _set: {status: "cancelled"}}]) { affected_rows }
     delete_order_items(where: {quantity: {_gt: 100}}) { affected_rows }
     delete_order_items_by_pk(order_id: 1, product_id: 1) { quantity }
   }`,
]);

for (const [name, source] of valid) {
  check(`valid: ${name}`, () => {
    if (!schema) return "no schema (see above)";
    const errors = errorsFor(source);
    return errors.length ? errors.join("\n") : true;
  });
}

const invalid = [
  ["unknown field", "{ users { id no_such_field } }"],
  ["wrong argument type (limit: String)", '{ users(limit: "ten") { id } }'],
  ["wrong comparison operand type (_eq on Int with Boolean)", "{ users(where: {id: {_eq: true}}) { id } }"],
  ["missing required _by_pk argument", "{ users_by_pk { id } }"],
  ["an insert of an unknown column", 'mutation { insert_users_one(object: {nope: 1}) { id } }'],
  ["an update without where", 'mutation { update_users(_set: {name: "x"}) { affected_rows } }'],
];
for (const [name, source] of invalid) {
  check(`invalid: ${name} is rejected`, () => {
    if (!schema) return "no schema (see above)";
    return errorsFor(source).length > 0 ? true : "graphql-js found no error";
  });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
