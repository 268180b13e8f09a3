//! Errors as users see them: GraphQL errors inside a response, and SQL ERRORs raised
//! by the metadata API.

use pgrx::prelude::*;
use serde_json::{json, Map, Value};

/// One step of a response path: a field's response key or a list index.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// A JSON error path (as a remote sends it) as path segments.
pub fn path_segments(path: &[Value]) -> Vec<PathSegment> {
    path.iter()
        .filter_map(|segment| match segment {
            Value::String(s) => Some(PathSegment::Key(s.clone())),
            Value::Number(n) => Some(PathSegment::Index(n.as_u64().unwrap_or(0) as usize)),
            _ => None,
        })
        .collect()
}

/// `extensions.code` values, named as Hasura names them so clients can keep their handling.
pub mod code {
    pub const PARSE_FAILED: &str = "parse-failed";
    pub const VALIDATION_FAILED: &str = "validation-failed";
    pub const BAD_REQUEST: &str = "bad-request";
    pub const DATA_EXCEPTION: &str = "data-exception";
    /// A write on a hot standby or in a read-only transaction.
    pub const READ_ONLY: &str = "read-only";
    /// A constraint refused a write (Hasura's code).
    pub const CONSTRAINT_VIOLATION: &str = "constraint-violation";
    pub const PERMISSION_DENIED: &str = "permission-denied";
    /// A written row fails its permission's check (Hasura's code).
    pub const PERMISSION_ERROR: &str = "permission-error";
    pub const UNEXPECTED: &str = "unexpected";
    /// A session variable a permission reads is not set (Hasura's code and message).
    pub const NOT_FOUND: &str = "not-found";
    /// A remote (schema or action handler) could not be reached or answered something unusable.
    pub const REMOTE_UNAVAILABLE: &str = "remote-unavailable";
    /// A remote answered GraphQL errors.
    pub const REMOTE_ERROR: &str = "remote-error";
}

/// A GraphQL error as the spec shapes it: message, locations, path, extensions.code.
#[derive(Debug, Clone)]
pub struct GraphqlError {
    pub message: String,
    pub path: Vec<PathSegment>,
    pub locations: Vec<(usize, usize)>,
    pub code: &'static str,
    /// Extensions a remote (an action's handler) gave; `code` fills `extensions.code`
    /// when they have none. Boxed: rare, and errors travel in `Result`s by value.
    pub extensions: Option<Box<Map<String, Value>>>,
}

impl GraphqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        GraphqlError { message: message.into(), path: Vec::new(), locations: Vec::new(), code, extensions: None }
    }

    pub fn at(mut self, path: &[PathSegment]) -> Self {
        self.path = path.to_vec();
        self
    }

    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("message".into(), Value::String(self.message.clone()));
        if !self.locations.is_empty() {
            let locs = self
                .locations
                .iter()
                .map(|(line, column)| json!({"line": line, "column": column}))
                .collect();
            obj.insert("locations".into(), Value::Array(locs));
        }
        if !self.path.is_empty() {
            let path = self
                .path
                .iter()
                .map(|seg| match seg {
                    PathSegment::Key(k) => Value::String(k.clone()),
                    PathSegment::Index(i) => json!(i),
                })
                .collect();
            obj.insert("path".into(), Value::Array(path));
        }
        let mut extensions = self.extensions.as_deref().cloned().unwrap_or_default();
        extensions.entry("code").or_insert_with(|| json!(self.code));
        obj.insert("extensions".into(), Value::Object(extensions));
        Value::Object(obj)
    }
}

/// A rejected metadata body: raised as an SQL ERROR naming the object and the reason.
#[derive(Debug, Clone)]
pub struct MetadataError {
    pub message: String,
    /// The SQLSTATE: invalid_parameter_value for a bad body; another where a client
    /// should tell the cause apart (read_only_sql_transaction on a standby).
    pub code: PgSqlErrorCode,
}

impl MetadataError {
    pub fn new(message: impl Into<String>) -> Self {
        Self::with_code(PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE, message)
    }

    pub fn with_code(code: PgSqlErrorCode, message: impl Into<String>) -> Self {
        MetadataError { message: message.into(), code }
    }

    /// Raises the ERROR; the caller's statement (and with it any metadata write) is undone.
    pub fn raise(&self) -> ! {
        ereport!(PgLogLevel::ERROR, self.code, self.message.clone());
        unreachable!("ereport(ERROR) does not return")
    }
}

impl From<String> for MetadataError {
    fn from(message: String) -> Self {
        MetadataError::new(message)
    }
}

/// Raises a caught error again. An ERROR that Postgres raised under Rust code loses the
/// Rust backtrace that pgrx puts in its DETAIL when the server runs with RUST_BACKTRACE
/// set (a cancelled wait on a remote printed some forty stack frames to the client);
/// message, SQLSTATE, detail and hint are kept. Rust panics are re-raised as they are.
pub fn reraise(caught: pgrx::pg_sys::panic::CaughtError) -> ! {
    use pgrx::pg_sys::panic::{CaughtError, ErrorReport};
    match caught {
        CaughtError::PostgresError(report) => {
            let mut clean = ErrorReport::new(report.sql_error_code(), report.message().to_string(), "pg_federation");
            if let Some(detail) = report.detail() {
                clean = clean.set_detail(detail);
            }
            if let Some(hint) = report.hint() {
                clean = clean.set_hint(hint);
            }
            clean.report(PgLogLevel::ERROR);
            unreachable!("ereport(ERROR) does not return")
        }
        other => other.rethrow(),
    }
}

/// True for the error a query cancel or statement_timeout raises (SQLSTATE 57014): the
/// end of the statement, never one field's failure.
pub fn is_query_cancel(caught: &pgrx::pg_sys::panic::CaughtError) -> bool {
    matches!(caught, pgrx::pg_sys::panic::CaughtError::PostgresError(report)
        if report.sql_error_code() == PgSqlErrorCode::ERRCODE_QUERY_CANCELED)
}

/// Runs `f`; an ERROR raised inside comes out through [`reraise`] (no Rust backtrace).
pub fn without_backtrace<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> R {
    PgTryBuilder::new(f).catch_others(|caught| reraise(caught)).execute()
}

/// Shorthand for metadata handlers: `bail!("table {t}: no such column")`.
#[macro_export]
macro_rules! meta_bail {
    ($($arg:tt)*) => { return Err($crate::error::MetadataError::new(format!($($arg)*))) };
}
