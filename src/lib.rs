//! pg_federation: the SQL surface (functions and GUCs) and nothing else.
//! Parsing lives in `query`, schema building in `schema`, SQL in `plan`, running in
//! `execute`, and the Hasura metadata API in `metadata`.

use pgrx::prelude::*;
use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting, JsonB};
use std::ffi::CString;

pub mod error;
pub mod execute;
pub mod http;
pub mod metadata;
pub mod nul;
pub mod plan;
pub mod query;
pub mod response;
pub mod schema;
pub mod spi;

::pgrx::pg_module_magic!(name, version);

pgrx::extension_sql_file!("../sql/bootstrap.sql", name = "bootstrap", bootstrap);
pgrx::extension_sql_file!("../sql/renames.sql", name = "renames", finalize);

/// `graphql.exposed_schemas`: comma-separated schemas whose relations are exposed.
pub static EXPOSED_SCHEMAS: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"public"));

/// `graphql.max_remote_response_kb`: a remote answer larger than this is an error.
pub static MAX_REMOTE_RESPONSE_KB: GucSetting<i32> = GucSetting::<i32>::new(51200);

/// `graphql.remote_batch_size`: distinct keys per remote join request.
pub static REMOTE_BATCH_SIZE: GucSetting<i32> = GucSetting::<i32>::new(1000);

/// `graphql.remote_join_errors`: `partial` (GraphQL null propagation) or `fail`.
pub static REMOTE_JOIN_ERRORS: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"partial"));

/// `graphql.max_query_depth`: deepest field nesting a document may have (0 = no limit).
pub static MAX_QUERY_DEPTH: GucSetting<i32> = GucSetting::<i32>::new(32);

/// `graphql.max_query_fields`: most fields a document may stand for once its fragments
/// are inlined (0 = no limit).
pub static MAX_QUERY_FIELDS: GucSetting<i32> = GucSetting::<i32>::new(10_000);

#[pg_guard]
pub extern "C-unwind" fn _PG_init() {
    GucRegistry::define_int_guc(
        c"graphql.max_query_depth",
        c"Deepest nesting of fields a GraphQL document may have (0: no limit).",
        c"A deeper document is refused with a validation error whose path leads to the first field too deep.",
        &MAX_QUERY_DEPTH,
        0,
        100_000,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"graphql.max_query_fields",
        c"Most fields a GraphQL document may select once its fragments are inlined (0: no limit).",
        c"Bounds documents whose fragments or aliases multiply the work; refused with a validation error.",
        &MAX_QUERY_FIELDS,
        0,
        i32::MAX,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"graphql.remote_batch_size",
        c"Distinct join keys per request to a remote schema.",
        c"More keys go out in several requests, sent concurrently.",
        &REMOTE_BATCH_SIZE,
        1,
        1_000_000,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_string_guc(
        c"graphql.remote_join_errors",
        c"What a failed remote join does to the response: partial or fail.",
        c"partial: the failed fields are null with an error each (GraphQL's rule); fail: the whole response is the error, as Hasura does.",
        &REMOTE_JOIN_ERRORS,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_int_guc(
        c"graphql.max_remote_response_kb",
        c"Largest remote GraphQL response graphql.resolve accepts, in kilobytes.",
        c"A larger response becomes a GraphQL error on the field that asked for it.",
        &MAX_REMOTE_RESPONSE_KB,
        1,
        i32::MAX / 1024,
        GucContext::Userset,
        GucFlags::UNIT_KB,
    );
    GucRegistry::define_string_guc(
        c"graphql.exposed_schemas",
        c"Schemas whose tables, views and foreign tables graphql.resolve exposes.",
        c"A comma-separated list; relations outside it are exposed only when tracked through graphql.metadata.",
        &EXPOSED_SCHEMAS,
        GucContext::Userset,
        GucFlags::default(),
    );
}

/// Whether a failed remote join fails the whole response.
pub fn remote_join_errors_fail() -> bool {
    REMOTE_JOIN_ERRORS.get().is_some_and(|v| v.to_string_lossy().eq_ignore_ascii_case("fail"))
}

/// `graphql.max_query_depth` (0: no limit).
pub fn max_query_depth() -> usize {
    MAX_QUERY_DEPTH.get().max(0) as usize
}

/// `graphql.max_query_fields` (0: no limit).
pub fn max_query_fields() -> usize {
    MAX_QUERY_FIELDS.get().max(0) as usize
}

/// The exposed schemas, as the GUC says right now.
pub fn exposed_schemas() -> Vec<String> {
    let raw = EXPOSED_SCHEMAS
        .get()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// The functions land in the extension's schema, `graphql` (see the control file).
mod sql_surface {
    use super::*;

    /// Executes a GraphQL document and returns `{"data": …, "errors": […]}`.
    #[pg_extern(volatile, parallel_unsafe, name = "resolve")]
    fn resolve(
        query: &str,
        variables: default!(Option<JsonB>, "'{}'"),
        operation_name: default!(Option<&str>, "NULL"),
    ) -> crate::response::Response {
        let variables = variables.map(|v| v.0).unwrap_or(serde_json::Value::Null);
        // An ERROR (a cancel, a timeout) reaches the client without a Rust backtrace.
        crate::error::without_backtrace(|| crate::execute::resolve(query, &variables, operation_name))
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
