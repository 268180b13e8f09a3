//! The `graphql.*` settings (GUCs): defined once at load, read through the functions
//! here, so that no other module touches a GUC static.

use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting};
use std::ffi::CString;

/// `graphql.exposed_schemas`: comma-separated schemas whose relations are exposed.
static EXPOSED_SCHEMAS: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"public"));

/// `graphql.max_remote_response_kb`: a remote answer larger than this is an error.
static MAX_REMOTE_RESPONSE_KB: GucSetting<i32> = GucSetting::<i32>::new(51200);

/// `graphql.remote_batch_size`: distinct keys per remote join request.
static REMOTE_BATCH_SIZE: GucSetting<i32> = GucSetting::<i32>::new(1000);

/// `graphql.remote_join_errors`: `partial` (GraphQL null propagation) or `fail`.
static REMOTE_JOIN_ERRORS: GucSetting<Option<CString>> = GucSetting::<Option<CString>>::new(Some(c"partial"));

/// `graphql.jwt_claims_namespace`: the key of `request.jwt.claims` that holds Hasura's claims.
static JWT_CLAIMS_NAMESPACE: GucSetting<Option<CString>> =
    GucSetting::<Option<CString>>::new(Some(c"https://hasura.io/jwt/claims"));

/// `graphql.remote_schema_permissions`: Hasura's flag; on, a remote schema without a
/// permission for a (non-admin) role is invisible to it.
static REMOTE_SCHEMA_PERMISSIONS: GucSetting<bool> = GucSetting::<bool>::new(false);

/// `graphql.max_query_depth`: deepest field nesting a document may have (0 = no limit).
static MAX_QUERY_DEPTH: GucSetting<i32> = GucSetting::<i32>::new(32);

/// `graphql.max_query_fields`: most fields a document may stand for once its fragments
/// are inlined (0 = no limit).
static MAX_QUERY_FIELDS: GucSetting<i32> = GucSetting::<i32>::new(10_000);

/// Registers the GUCs (from `_PG_init`).
pub fn define() {
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
        c"graphql.jwt_claims_namespace",
        c"The key of request.jwt.claims that holds Hasura's claims (the session variables).",
        c"When request.jwt.claims has this key (an object, or a JSON string of one) the session variables are read from it, else from the top level.",
        &JWT_CLAIMS_NAMESPACE,
        GucContext::Userset,
        GucFlags::default(),
    );
    // Superuser-set: a role must not switch it off to see the remote schemas it lacks
    // a permission for.
    GucRegistry::define_bool_guc(
        c"graphql.remote_schema_permissions",
        c"Whether a remote schema without a permission for a role is invisible to it (Hasura's enable flag).",
        c"Off: only remote schemas with at least one permission are restricted; on: every remote schema is.",
        &REMOTE_SCHEMA_PERMISSIONS,
        GucContext::Suset,
        GucFlags::default(),
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

/// A remote answer larger than this many bytes is an error.
pub fn max_remote_response_bytes() -> usize {
    (MAX_REMOTE_RESPONSE_KB.get().max(1) as usize).saturating_mul(1024)
}

/// Distinct keys per remote join request.
pub fn remote_batch_size() -> usize {
    REMOTE_BATCH_SIZE.get().max(1) as usize
}

/// `graphql.remote_schema_permissions`.
pub fn remote_schema_permissions() -> bool {
    REMOTE_SCHEMA_PERMISSIONS.get()
}

/// The key of `request.jwt.claims` that holds Hasura's claims.
pub fn jwt_claims_namespace() -> String {
    JWT_CLAIMS_NAMESPACE.get().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The exposed schemas, as the GUC says right now.
pub fn exposed_schemas() -> Vec<String> {
    let raw = EXPOSED_SCHEMAS
        .get()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}
