//! pg_federation: the SQL surface (functions and GUCs) and nothing else.
//! Parsing lives in `query`, schema building in `schema`, SQL in `plan`, running in
//! `execute`, and the Hasura metadata API in `metadata`.

use pgrx::prelude::*;
use pgrx::JsonB;

pub(crate) mod error;
pub(crate) mod execute;
pub(crate) mod explain;
pub(crate) mod http;
pub(crate) mod jsonb;
pub(crate) mod metadata;
pub(crate) mod nul;
pub(crate) mod plan;
pub(crate) mod query;
pub(crate) mod response;
pub(crate) mod schema;
pub(crate) mod session;
pub(crate) mod settings;
pub(crate) mod spi;
pub(crate) mod trace;

::pgrx::pg_module_magic!(name, version);

pgrx::extension_sql_file!("../sql/bootstrap.sql", name = "bootstrap", bootstrap);
pgrx::extension_sql_file!("../sql/renames.sql", name = "renames", finalize);

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    settings::define();
}

/// The functions land in the extension's schema, `graphql` (see the control file).
mod sql_surface {
    use super::*;

    /// Executes a GraphQL document and returns `{"data": …, "errors": […]}`: json, its
    /// keys in the order of the selection set.
    #[pg_extern(volatile, parallel_unsafe, name = "resolve")]
    fn resolve_json(
        query: &str,
        variables: default!(Option<crate::jsonb::JsonbArg>, "'{}'"),
        operation_name: default!(Option<&str>, "NULL"),
    ) -> crate::response::Response {
        // An ERROR (a cancel, a timeout) reaches the client without a Rust backtrace.
        crate::error::without_backtrace(|| match &variables {
            Some(jsonb) => crate::execute::resolve(query, crate::query::request::Variables::Jsonb(jsonb), operation_name),
            None => crate::execute::resolve(query, &serde_json::Value::Null, operation_name),
        })
    }

    /// The symbol behind 0.1.0's `graphql.resolve`, which returned jsonb: a database
    /// still at 0.1.0 (this library installed, `ALTER EXTENSION pg_federation UPDATE`
    /// not run yet) keeps working. No SQL of its own in 0.2.0.
    #[pg_extern(volatile, parallel_unsafe, sql = false)]
    fn resolve(query: &str, variables: Option<crate::jsonb::JsonbArg>, operation_name: Option<&str>) -> JsonB {
        JsonB(resolve_json(query, variables, operation_name).into_value())
    }

    /// The plan of a document, as a DBA reads it: each level, each SQL statement with
    /// Postgres' EXPLAIN, each remote request, what ran concurrently. With `analyze` the
    /// document runs (a mutation inside a subtransaction that is rolled back) and the
    /// plan has times, rows, keys and bytes.
    #[pg_extern(volatile, parallel_unsafe, name = "explain")]
    fn explain(
        query: &str,
        variables: default!(Option<JsonB>, "'{}'"),
        operation_name: default!(Option<&str>, "NULL"),
        analyze: default!(bool, "false"),
    ) -> JsonB {
        let variables = variables.map(|v| v.0).unwrap_or(serde_json::Value::Null);
        JsonB(crate::error::without_backtrace(|| crate::explain::explain(query, &variables, operation_name, analyze)))
    }

    /// Hasura's metadata API: `{"type": "...", "args": {...}}`, `bulk` included.
    #[pg_extern(volatile, parallel_unsafe, name = "metadata")]
    fn metadata(body: JsonB) -> JsonB {
        // A Postgres ERROR underneath (e.g. a write on a standby) without a Rust backtrace.
        crate::error::without_backtrace(move || match crate::metadata::api::handle(&body.0) {
            Ok(v) => JsonB(v),
            Err(e) => e.raise(),
        })
    }

    /// The call's session variables as Hasura has them (`x-hasura-*` keys in lower case,
    /// `x-hasura-role` = current_user): what a computed field's or tracked function's
    /// session argument receives.
    #[pg_extern(stable, name = "session_variables")]
    fn session_variables() -> JsonB {
        JsonB(serde_json::Value::Object(crate::session::current()))
    }

    /// For the metadata and DDL triggers: every backend's schema cache reads the schema
    /// version again once this transaction commits.
    #[pg_extern(volatile, name = "invalidate_schema_caches")]
    fn invalidate_schema_caches() {
        crate::schema::cache::invalidate_everywhere()
    }

    /// How this backend's schema cache has been used: builds and hits.
    #[pg_extern(volatile, name = "cache_stats")]
    fn cache_stats() -> JsonB {
        JsonB(crate::schema::cache::stats())
    }

    /// For the DDL event triggers of sql/renames.sql: notes the tables the metadata
    /// names before an ALTER of a relation.
    #[pg_extern(volatile, name = "note_renames")]
    fn note_renames() {
        crate::metadata::renames::note()
    }

    /// For the DDL event triggers of sql/renames.sql: renames in the metadata what the
    /// ALTER renamed.
    #[pg_extern(volatile, name = "follow_renames")]
    fn follow_renames() {
        crate::metadata::renames::follow()
    }

    /// SQL helper: track a table (optionally with a custom GraphQL name).
    #[pg_extern(volatile, name = "track_table")]
    fn track_table(
        table_schema: &str,
        table_name: &str,
        custom_name: default!(Option<&str>, "NULL"),
    ) -> JsonB {
        let mut args = serde_json::json!({"table": {"schema": table_schema, "name": table_name}});
        if let Some(name) = custom_name {
            args["configuration"] = serde_json::json!({"custom_name": name});
        }
        metadata(JsonB(serde_json::json!({"type": "pg_track_table", "args": args})))
    }

    /// SQL helper: hide a table from GraphQL.
    #[pg_extern(volatile, name = "untrack_table")]
    fn untrack_table(table_schema: &str, table_name: &str) -> JsonB {
        metadata(JsonB(serde_json::json!({"type": "pg_untrack_table",
            "args": {"table": {"schema": table_schema, "name": table_name}}})))
    }
}

#[cfg(any(test, feature = "pg_test"))]
mod pg_tests;

#[cfg(any(test, feature = "pg_test"))]
mod fuzz_tests;

/// Required by `cargo pgrx test`.
#[cfg(test)]
pub mod pg_test {
    pub fn setup(_options: Vec<&str>) {}

    #[must_use]
    pub fn postgresql_conf_options() -> Vec<&'static str> {
        vec![]
    }
}
