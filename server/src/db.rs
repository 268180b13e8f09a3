//! The pool and the two calls. Every request is one transaction, pipelined in one round
//! trip: `begin`; the role and claims as settings local to it (PostgREST's authenticator
//! pattern: `set_config('role', …)` is `SET LOCAL ROLE`); the call; `commit` (which is a
//! rollback when the call failed).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

use crate::auth::Session;
use crate::errors::ApiError;

const SETUP: &str = "select pg_catalog.set_config('role', $1, true), \
                            pg_catalog.set_config('request.jwt.claims', $2, true), \
                            pg_catalog.set_config('request.headers', $3, true)";
const RESOLVE: &str = "select graphql.resolve($1, $2::text::jsonb, $3)::text";
const METADATA: &str = "select graphql.metadata($1::text::jsonb)::text";

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
        let setup = client.prepare_cached(SETUP).await.map_err(unavailable_or_sql)?;
        let call = client.prepare_cached(statement).await.map_err(unavailable_or_sql)?;
        // "none" is SET ROLE NONE: admin runs as the login role.
        let role = session.role.as_deref().unwrap_or("none");
        let claims = Value::Object(session.claims.clone()).to_string();
        let headers = Value::Object(headers.clone()).to_string();
        let setup_params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&role, &claims, &headers];
        // Sent together, answered in order: one round trip.
        let (begin, set, answer, end) = tokio::join!(
            client.batch_execute("begin"),
            client.query_one(&setup, &setup_params),
            client.query_one(&call, params),
            client.batch_execute("commit"),
        );
        begin.map_err(unavailable_or_sql)?;
        if let Err(e) = set {
            return Err(match e.as_db_error() {
                Some(db) => CallError::Role(db.message().to_string()),
                None => unavailable_or_sql(e),
            });
        }
        let row = answer.map_err(unavailable_or_sql)?;
        end.map_err(unavailable_or_sql)?;
        row.try_get::<_, String>(0).map_err(unavailable_or_sql)
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
