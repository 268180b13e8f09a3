//! The pool and the two calls. Every request is ONE statement, and so one transaction
//! of its own: a materialized CTE first takes the role and puts the claims and headers in
//! settings local to that transaction (PostgREST's authenticator pattern:
//! `set_config('role', …, true)` is `SET LOCAL ROLE`), then the call runs as that role.
//! One statement instead of begin / settings / call / commit: the database does a quarter
//! of the statements, which is most of a cheap call's cost (bench group (j)).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use crate::auth::Session;
use crate::errors::ApiError;

/// The settings of a request, before its call: the CTE is scanned (and so the settings
/// made) before the outer target list, which holds the call, is evaluated.
const SESSION_CTE: &str = "with session as materialized (\
      select pg_catalog.set_config('role', $1, true), \
             pg_catalog.set_config('request.jwt.claims', $2, true), \
             pg_catalog.set_config('request.headers', $3, true))";
const RESOLVE: &str = "select graphql.resolve($4, $5::text::jsonb, $6) from session";
const METADATA: &str = "select graphql.metadata($4::text::jsonb) from session";

pub struct Database {
    pool: Pool,
    /// Requests allowed to hold or wait for a connection; beyond them, 503 at once.
    queue: Arc<Semaphore>,
    wait: Duration,
}

/// What the database said to a call that failed.
pub enum CallError {
    /// The request's role could not be taken (absent, or the login role is no member).
    Role(String),
    /// The call raised an SQL ERROR: (SQLSTATE, message).
    Sql(SqlState, String),
    /// No connection, or it broke.
    Unavailable(ApiError),
}

impl Database {
    pub fn connect(url: &str, size: usize, max_queue: usize, wait: Duration) -> Result<Database, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("the database URL is not valid: {e}"))?;
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| format!("cannot build the connection pool: {e}"))?;
        Ok(Database { pool, queue: Arc::new(Semaphore::new(size.max(1) + max_queue)), wait })
    }

    /// Runs `graphql.resolve` as the session; its answer as JSON text.
    pub async fn resolve(
        &self,
        session: &Session,
        headers: &Map<String, Value>,
        query: &str,
        variables: Option<&str>,
        operation_name: Option<&str>,
    ) -> Result<String, CallError> {
        self.call(session, headers, RESOLVE, &[&query, &variables, &operation_name]).await
    }

    /// Runs `graphql.metadata` with a Hasura body (JSON text) as the session.
    pub async fn metadata(&self, session: &Session, headers: &Map<String, Value>, body: &str) -> Result<String, CallError> {
        self.call(session, headers, METADATA, &[&body]).await
    }

    /// Whether a connection answers.
    pub async fn healthy(&self) -> bool {
        match self.pool.get().await {
            Ok(client) => client.simple_query("select 1").await.is_ok(),
            Err(_) => false,
        }
    }

    async fn call(
        &self,
        session: &Session,
        headers: &Map<String, Value>,
        statement: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<String, CallError> {
        let _permit = self.queue.clone().try_acquire_owned().map_err(|_| {
            CallError::Unavailable(ApiError::unavailable("the server is busy: too many requests are waiting for a database connection"))
        })?;
        let client = self.pool.get().await.map_err(|e| CallError::Unavailable(pool_error(e, self.wait)))?;
        let statement = client.prepare_cached(&format!("{SESSION_CTE} {statement}")).await.map_err(unavailable_or_sql)?;
        // "none" is SET ROLE NONE: admin runs as the login role.
        let role = session.role.as_deref().unwrap_or("none");
        let claims = Value::Object(session.claims.clone()).to_string();
        let headers = Value::Object(headers.clone()).to_string();
        let mut all: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&role, &claims, &headers];
        all.extend_from_slice(params);
        let row = client.query_one(&statement, &all).await.map_err(|e| match e.as_db_error() {
            // The role could not be taken (absent, or the login role is no member of it):
            // refused by the setting's check, before the call ran.
            Some(db) if db.routine() == Some("call_string_check_hook") => CallError::Role(db.message().to_string()),
            _ => unavailable_or_sql(e),
        })?;
        row.try_get::<_, JsonText>(0).map(|json| json.0).map_err(unavailable_or_sql)
    }
}

/// A jsonb result as its text, unparsed: the binary form is a version byte and the text
/// (a `::text` cast in the statement costs the backend a sixth of a cheap call).
struct JsonText(String);

impl<'a> tokio_postgres::types::FromSql<'a> for JsonText {
    fn from_sql(_: &tokio_postgres::types::Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        match raw.split_first() {
            Some((1, text)) => Ok(JsonText(std::str::from_utf8(text)?.to_string())),
            _ => Err("jsonb in an unknown binary version".into()),
        }
    }

    fn accepts(ty: &tokio_postgres::types::Type) -> bool {
        *ty == tokio_postgres::types::Type::JSONB
    }
}

fn unavailable_or_sql(e: tokio_postgres::Error) -> CallError {
    match e.as_db_error() {
        Some(db) => CallError::Sql(db.code().clone(), db.message().to_string()),
        None => CallError::Unavailable(ApiError::unavailable(format!("the database connection failed: {e}"))),
    }
}

fn pool_error(e: PoolError, wait: Duration) -> ApiError {
    match e {
        PoolError::Timeout(_) => {
            ApiError::unavailable(format!("no database connection within {} ms (the database is unreachable or busy)", wait.as_millis()))
        }
        other => ApiError::unavailable(format!("the database is unreachable: {other}")),
    }
}
