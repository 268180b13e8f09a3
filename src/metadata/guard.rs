//! Checks a metadata body passes before anything reads or changes the catalog, so
//! that a body that cannot succeed is refused with a reason the caller can act on,
//! rather than with whatever raw ERROR Postgres raises halfway through the work.

use pgrx::pg_sys;
use pgrx::prelude::PgSqlErrorCode;
use serde_json::Value;

use crate::error::MetadataError;

/// Calls that only read: they run on hot standbys and in read-only transactions.
const READ_ONLY_TYPES: &[&str] = &["export_metadata", "get_inconsistent_metadata", "introspect_remote_schema"];

/// Whether `body` may write. Anything not known to be read-only counts as a write
/// (unknown and malformed bodies too): on a read-only server the refusal then comes
/// from here, with its reason, and never from a write failing half-way.
fn may_write(body: &Value) -> bool {
    match body.get("type").and_then(Value::as_str) {
        Some("bulk" | "bulk_atomic") => match body.get("args").and_then(Value::as_array) {
            Some(items) => items.iter().any(may_write),
            None => true,
        },
        Some(kind) => !READ_ONLY_TYPES.contains(&kind),
        None => true,
    }
}

/// The call's name for messages: its `type`, or a neutral name when it has none fit to
/// print (a NUL character would cut the message short).
fn call_name(body: &Value) -> &str {
    match body.get("type").and_then(Value::as_str) {
        Some(kind) if !kind.is_empty() && !kind.contains('\0') => kind,
        _ => "metadata body",
    }
}

/// Refuses a writing call where nothing can be written: on a hot standby (where the
/// first write would fail with "cannot assign TransactionIds during recovery") and in
/// a read-only transaction. Read-only calls pass, so `export_metadata` works there.
pub fn ensure_writable(body: &Value) -> Result<(), MetadataError> {
    if !may_write(body) {
        return Ok(());
    }
    let call = call_name(body);
    // SAFETY: both read backend-local state; we run on the backend thread in a transaction.
    let (in_recovery, read_only) = unsafe { (pg_sys::RecoveryInProgress(), pg_sys::XactReadOnly) };
    let message = if in_recovery {
        format!(
            "graphql.metadata: \"{call}\" changes metadata, and this server is a hot standby \
             (read-only, in recovery): run metadata changes on the primary"
        )
    } else if read_only {
        format!(
            "graphql.metadata: \"{call}\" changes metadata, and the transaction is read-only: \
             run it in a read-write transaction"
        )
    } else {
        return Ok(());
    };
    Err(MetadataError::with_code(PgSqlErrorCode::ERRCODE_READ_ONLY_SQL_TRANSACTION, message))
}

/// Refuses a body holding a NUL character (`\u0000`) anywhere: PostgreSQL's text and
/// jsonb cannot store it, and a text parameter would be cut at it (so a name would
/// silently become another). Named like other metadata errors: the call, the field.
pub fn refuse_nul(body: &Value) -> Result<(), MetadataError> {
    match crate::nul::nul_path(body) {
        None => Ok(()),
        Some(path) => {
            let call = call_name(body);
            let place = if path.is_empty() { call.to_string() } else { format!("{call}: \"{path}\"") };
            Err(MetadataError::new(format!(
                "{place} contains the NUL character (\\u0000), which PostgreSQL cannot store"
            )))
        }
    }
}
