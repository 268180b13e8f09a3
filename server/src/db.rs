//! The pool and the two calls. Every request is one transaction, pipelined in one round
//! trip: `begin` (`read only` for a GET); the role and the claims as settings local to it
//! (PostgREST's authenticator pattern: `set_config('role', …, true)` is `SET LOCAL ROLE`);
//! the call, so that Postgres checks its privileges (EXECUTE on `graphql.resolve`, USAGE
//! on its schema) as the request's role; `commit` (a rollback when the call failed).
//! The call runs in a task of its own: a client that goes away cancels its statement,
//! and does not return a connection to the pool while that statement still runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::NoTls;

use crate::auth::Session;
use crate::errors::ApiError;

const SETUP: &str = "select pg_catalog.set_config('role', $1, true), \
                            pg_catalog.set_config('request.jwt.claims', $2, true), \
                            pg_catalog.set_config('request.headers', $3, true)";
const RESOLVE: &str = "select graphql.resolve($1, $2::text::jsonb, $3)";
const METADATA: &str = "select graphql.metadata($1::text::jsonb)";

#[derive(Clone)]
pub struct Database {
    pool: Pool,
    /// Requests allowed to hold or wait for a connection; beyond them, 503 at once.
    queue: Arc<Semaphore>,
    wait: Duration,
    /// The login role: a request may not take it (it is admin's).
    login_role: Option<String>,
}

/// What the database said to a call that failed.
#[derive(Debug)]
pub enum CallError {
    /// The request's role could not be taken (absent, not one the login role may take,
    /// or one reserved for admin).
    Role(String),
    /// The call raised an SQL ERROR: (SQLSTATE, message).
    Sql(SqlState, String),
    /// No connection, or it broke.
    Unavailable(ApiError),
}

/// Whether the call may write.
#[derive(Clone, Copy, PartialEq)]
pub enum Access {
    ReadWrite,
    /// `GET /v1/graphql`: a link must not be able to write.
    ReadOnly,
}

impl Database {
    pub fn connect(url: &str, size: usize, max_queue: usize, wait: Duration) -> Result<Database, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("the database URL is not valid: {e}"))?;
        let login_role = config.get_user().map(str::to_string);
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| format!("cannot build the connection pool: {e}"))?;
        Ok(Database { pool, queue: Arc::new(Semaphore::new(size.max(1) + max_queue)), wait, login_role })
    }

    /// Runs `graphql.resolve` as the session; its answer as JSON text.
    pub async fn resolve(
        &self,
        session: &Session,
        headers: &Map<String, Value>,
        request: [Option<String>; 3],
        access: Access,
    ) -> Result<String, CallError> {
        self.call(session, headers, RESOLVE, request.to_vec(), access).await
    }

    /// Runs `graphql.metadata` with a Hasura body (JSON text) as the session.
    pub async fn metadata(&self, session: &Session, headers: &Map<String, Value>, body: String) -> Result<String, CallError> {
        self.call(session, headers, METADATA, vec![Some(body)], Access::ReadWrite).await
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
        statement: &'static str,
        params: Vec<Option<String>>,
        access: Access,
    ) -> Result<String, CallError> {
        // "none" is SET ROLE NONE: admin runs as the login role. A request may take
        // neither that word nor the login role itself, which would make it admin.
        let role = match &session.role {
            None => "none".to_string(),
            Some(role) if role.is_empty() || role.eq_ignore_ascii_case("none") || Some(role) == self.login_role.as_ref() => {
                return Err(CallError::Role(format!("role \"{role}\" may not be taken by a request")));
            }
            Some(role) => role.clone(),
        };
        let permit = self.queue.clone().try_acquire_owned().map_err(|_| {
            CallError::Unavailable(ApiError::unavailable("the server is busy: too many requests are waiting for a database connection"))
        })?;
        let claims = Value::Object(session.claims.clone()).to_string();
        let headers = Value::Object(headers.clone()).to_string();
        let client = self.pool.get().await.map_err(|e| CallError::Unavailable(pool_error(e, self.wait)))?;
        // A client that goes away cancels its statement (a wait on a slow remote ends);
        // the task still finishes, so the connection returns to the pool idle.
        let finished = Arc::new(AtomicBool::new(false));
        let _cancel = CancelOnDrop { token: Some(client.cancel_token()), finished: finished.clone() };
        let task = tokio::spawn(async move {
            let _permit = permit;
            let _finished = Finished(finished);
            let setup_params: [&(dyn ToSql + Sync); 3] = [&role, &claims, &headers];
            let call_params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let begin = if access == Access::ReadOnly { "begin read only" } else { "begin" };
            let mut attempts = 0;
            loop {
                attempts += 1;
                let setup = client.prepare_cached(SETUP).await.map_err(unavailable_or_sql)?;
                let call = client.prepare_cached(statement).await.map_err(unavailable_or_sql)?;
                // Sent together, answered in order: one round trip.
                let (begun, set, answer, end) = tokio::join!(
                    client.batch_execute(begin),
                    client.query_one(&setup, &setup_params),
                    client.query_one(&call, &call_params),
                    client.batch_execute("commit"),
                );
                begun.map_err(unavailable_or_sql)?;
                // The settings statement fails only over the role (one that does not exist,
                // or that the login role is no member of).
                set.map_err(|e| match e.as_db_error() {
                    Some(db) => CallError::Role(db.message().to_string()),
                    None => unavailable_or_sql(e),
                })?;
                // A function re-created with another result type (ALTER EXTENSION
                // pg_federation UPDATE from 0.1.0) leaves the connection's prepared call
                // stale: prepared again, the call runs once more.
                if attempts == 1 && answer.as_ref().err().and_then(|e| e.code()) == Some(&SqlState::FEATURE_NOT_SUPPORTED) {
                    client.statement_cache.clear();
                    continue;
                }
                let row = answer.map_err(unavailable_or_sql)?;
                end.map_err(unavailable_or_sql)?;
                return row.try_get::<_, JsonText>(0).map(|json| json.0).map_err(unavailable_or_sql);
            }
        });
        task.await.map_err(|e| CallError::Unavailable(ApiError::unavailable(format!("the call was lost: {e}"))))?
    }
}

/// Cancels the call's statement when dropped before the call finished: the handler's
/// future is dropped when its client hangs up.
struct CancelOnDrop {
    token: Option<tokio_postgres::CancelToken>,
    finished: Arc<AtomicBool>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.finished.load(Ordering::SeqCst) {
            return;
        }
        if let (Some(token), Ok(runtime)) = (self.token.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(async move {
                let _ = token.cancel_query(NoTls).await;
            });
        }
    }
}

/// Marks the call finished when its task ends, however it ends.
struct Finished(Arc<AtomicBool>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A json (`graphql.resolve`) or jsonb (`graphql.metadata`) result as its text,
/// unparsed: json's binary form is its text, jsonb's a version byte and the text.
struct JsonText(String);

impl<'a> tokio_postgres::types::FromSql<'a> for JsonText {
    fn from_sql(ty: &tokio_postgres::types::Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        if *ty == tokio_postgres::types::Type::JSON {
            return Ok(JsonText(std::str::from_utf8(raw)?.to_string()));
        }
        match raw.split_first() {
            Some((1, text)) => Ok(JsonText(std::str::from_utf8(text)?.to_string())),
            _ => Err("jsonb in an unknown binary version".into()),
        }
    }

    fn accepts(ty: &tokio_postgres::types::Type) -> bool {
        *ty == tokio_postgres::types::Type::JSON || *ty == tokio_postgres::types::Type::JSONB
    }
}

fn unavailable_or_sql(e: tokio_postgres::Error) -> CallError {
    match e.as_db_error() {
        Some(db) => CallError::Sql(db.code().clone(), db.message().to_string()),
        None => {
            eprintln!("pgf: the database connection failed: {e}");
            CallError::Unavailable(ApiError::unavailable("the database connection failed"))
        }
    }
}

/// 503, the cause logged here rather than shown to the client (it may name the login role).
fn pool_error(e: PoolError, wait: Duration) -> ApiError {
    eprintln!("pgf: no database connection: {e}");
    match e {
        PoolError::Timeout(_) => {
            ApiError::unavailable(format!("no database connection within {} ms (the database is unreachable or busy)", wait.as_millis()))
        }
        _ => ApiError::unavailable("the database is unreachable"),
    }
}
