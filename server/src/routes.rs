//! The HTTP API: Hasura's endpoints over `graphql.resolve` / `graphql.metadata`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio_postgres::error::SqlState;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::auth::{AuthConfig, Session};
use crate::config::ServeArgs;
use crate::console::Console;
use crate::db::{Access, CallError, Database};
use crate::errors::ApiError;
use crate::jwt::JwtConfig;

pub struct App {
    db: Database,
    auth: AuthConfig,
}

/// Starts the front and serves until SIGINT or SIGTERM; requests in flight finish.
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    let jwt = args.jwt_secret.as_deref().map(JwtConfig::parse).transpose()?;
    let auth = AuthConfig { admin_secret: args.admin_secret.clone(), jwt, unauthorized_role: args.unauthorized_role.clone() };
    auth.check()?;
    let db = Database::connect(&args.database_url, args.pool_size, args.max_queue, Duration::from_millis(args.queue_timeout_ms))?;
    let console = args.enable_console.then(|| Console::load(&args.console_assets)).transpose()?;
    let app = router(Arc::new(App { db, auth }), console, args.body_limit).layer(cors(&args.cors_domain)?);
    let host = if args.host == "*" { "0.0.0.0" } else { args.host.as_str() };
    let address = format!("{host}:{}", args.port);
    let listener = tokio::net::TcpListener::bind(&address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let shown = listener.local_addr().map(|a| a.to_string()).unwrap_or(address);
    eprintln!("pgf: serving Hasura's HTTP API on http://{shown}/v1/graphql");
    if args.enable_console {
        eprintln!("pgf: console on http://{shown}/console");
    }
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.map_err(|e| format!("the server stopped: {e}"))
}

fn router(app: Arc<App>, console: Option<Console>, body_limit: usize) -> Router {
    let mut router = Router::new()
        .route("/v1/graphql", post(graphql_post).get(graphql_get))
        .route("/v1/metadata", post(metadata))
        .route("/healthz", get(healthz))
        .route("/v1/version", get(version))
        .with_state(app)
        .layer(DefaultBodyLimit::max(body_limit));
    if let Some(console) = console {
        router = router.merge(console.router());
    }
    router
}

/// CORS as Hasura's `HASURA_GRAPHQL_CORS_DOMAIN`: any origin, or the ones listed.
fn cors(domains: &str) -> Result<CorsLayer, String> {
    let layer = CorsLayer::new().allow_methods([Method::GET, Method::POST, Method::OPTIONS]).allow_headers(AllowHeaders::mirror_request());
    if domains.trim() == "*" {
        return Ok(layer.allow_origin(AllowOrigin::any()));
    }
    let origins = domains
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| HeaderValue::from_str(d).map_err(|_| format!("HASURA_GRAPHQL_CORS_DOMAIN: {d:?} is not an origin")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(layer.allow_origin(AllowOrigin::list(origins)).allow_credentials(true))
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = interrupt => {}, _ = terminate => {} }
    eprintln!("pgf: shutting down; requests in flight finish first");
}

/// One GraphQL request of a body (Hasura also takes an array of them).
#[derive(Deserialize)]
struct GraphqlRequest {
    query: Option<String>,
    variables: Option<Box<RawValue>>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

enum GraphqlBody {
    One(GraphqlRequest),
    Batch(Vec<GraphqlRequest>),
}

impl GraphqlBody {
    /// A request, or an array of them (serde's untagged enums cannot hold the raw
    /// variables, so the first byte decides).
    fn parse(body: &[u8]) -> Result<GraphqlBody, ApiError> {
        let batch = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        let parsed = if batch {
            serde_json::from_slice(body).map(GraphqlBody::Batch)
        } else {
            serde_json::from_slice(body).map(GraphqlBody::One)
        };
        parsed.map_err(|e| match e.classify() {
            serde_json::error::Category::Data => ApiError::bad_request("bad-request", &format!("the body is not a GraphQL request: {e}")),
            _ => ApiError::bad_request("invalid-json", &format!("the body is not JSON: {e}")),
        })
    }
}

async fn graphql_post(State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection),
    };
    let parsed = match GraphqlBody::parse(&body) {
        Ok(parsed) => parsed,
        Err(e) => return e.plain(),
    };
    let session = match app.auth.authenticate(&headers) {
        Ok(session) => session,
        Err(e) => return e.graphql(),
    };
    let client_headers = header_map(&headers);
    match parsed {
        GraphqlBody::One(GraphqlRequest { query: None, .. }) => missing_query().plain(),
        GraphqlBody::One(request) => match run_graphql(&app, &session, &client_headers, request, Access::ReadWrite).await {
            Ok(text) => json_text(text),
            Err(e) => e.graphql(),
        },
        GraphqlBody::Batch(requests) => {
            // Every element is checked before any runs; each then answers for itself.
            if requests.iter().any(|r| r.query.is_none()) {
                return missing_query().plain();
            }
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                answers.push(match run_graphql(&app, &session, &client_headers, request, Access::ReadWrite).await {
                    Ok(text) => text,
                    Err(e) => e.graphql_body().to_string(),
                });
            }
            json_text(format!("[{}]", answers.join(",")))
        }
    }
}

#[derive(Deserialize)]
struct GraphqlQueryString {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

async fn graphql_get(State(app): State<Arc<App>>, headers: HeaderMap, params: Result<Query<GraphqlQueryString>, axum::extract::rejection::QueryRejection>) -> Response {
    let Ok(Query(params)) = params else {
        return ApiError::bad_request("invalid-params", "the query string is not a GraphQL request").plain();
    };
    let variables = match params.variables.map(RawValue::from_string).transpose() {
        Ok(v) => v,
        Err(e) => return ApiError::bad_request("invalid-json", &format!("variables is not JSON: {e}")).plain(),
    };
    let session = match app.auth.authenticate(&headers) {
        Ok(session) => session,
        Err(e) => return e.graphql(),
    };
    if params.query.is_none() {
        return missing_query().plain();
    }
    let request = GraphqlRequest { query: params.query, variables, operation_name: params.operation_name };
    // A GET is a link anyone can be sent to: it runs read-only, so it cannot write.
    match run_graphql(&app, &session, &header_map(&headers), request, Access::ReadOnly).await {
        Ok(text) => json_text(text),
        Err(e) => e.graphql(),
    }
}

fn missing_query() -> ApiError {
    ApiError::bad_request("bad-request", "the request has no \"query\"")
}

async fn run_graphql(
    app: &App,
    session: &Session,
    headers: &Map<String, Value>,
    request: GraphqlRequest,
    access: Access,
) -> Result<String, ApiError> {
    let Some(query) = request.query else { return Err(missing_query()) };
    let variables = request.variables.as_deref().map(RawValue::get).filter(|v| *v != "null").map(str::to_string);
    match app.db.resolve(session, headers, [Some(query), variables, request.operation_name], access).await {
        Ok(text) => Ok(text),
        Err(CallError::Role(message)) => Err(ApiError::bad_request("access-denied", &message)),
        // graphql.resolve answers errors as GraphQL errors; an SQL ERROR here is the
        // database refusing the call itself (no privilege on graphql.resolve for the
        // role, a statement timeout): HTTP 200 and a GraphQL error, as Hasura does.
        Err(CallError::Sql(state, message)) => Err(ApiError::new(StatusCode::OK, sql_code(&state), message)),
        Err(CallError::Unavailable(e)) => Err(e),
    }
}

async fn metadata(State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection),
    };
    let text = match std::str::from_utf8(&body).ok().filter(|t| serde_json::from_str::<&RawValue>(t).is_ok()) {
        Some(text) => text,
        None => return ApiError::bad_request("invalid-json", "the body is not JSON").plain(),
    };
    let session = match app.auth.authenticate(&headers) {
        Ok(session) => session,
        Err(e) => return e.plain(),
    };
    if !session.is_admin() {
        return ApiError::bad_request("access-denied", "restricted access : admin only").plain();
    }
    match app.db.metadata(&session, &header_map(&headers), text.to_string()).await {
        Ok(answer) => json_text(answer),
        Err(CallError::Sql(state, message)) => ApiError::bad_request(sql_code(&state), &message).plain(),
        Err(CallError::Role(message)) => ApiError::bad_request("access-denied", &message).plain(),
        Err(CallError::Unavailable(e)) => e.plain(),
    }
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    if app.db.healthy().await {
        (StatusCode::OK, "OK").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "ERROR: the database is unreachable").into_response()
    }
}

async fn version() -> Response {
    axum::Json(serde_json::json!({"version": env!("CARGO_PKG_VERSION"), "server_type": "pg_federation"})).into_response()
}

/// Hasura's error code for an SQLSTATE of a refused call.
fn sql_code(state: &SqlState) -> &'static str {
    match *state {
        SqlState::INSUFFICIENT_PRIVILEGE => "permission-denied",
        SqlState::READ_ONLY_SQL_TRANSACTION => "read-only",
        SqlState::INVALID_PARAMETER_VALUE | SqlState::INVALID_TEXT_REPRESENTATION => "invalid-params",
        SqlState::QUERY_CANCELED => "timeout",
        _ => "unexpected",
    }
}

fn body_error(rejection: BytesRejection) -> Response {
    let status = rejection.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "payload-too-large" } else { "bad-request" };
    ApiError::new(status, code, rejection.body_text()).plain()
}

/// The client's headers as `request.headers` has them (PostgREST's convention: names in
/// lower case), minus the admin secret, which must never reach a remote. `Authorization`
/// stays: `forward_client_headers` passes it on, as Hasura does.
fn header_map(headers: &HeaderMap) -> Map<String, Value> {
    headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "x-hasura-admin-secret" | "x-hasura-access-key"))
        .filter_map(|(name, value)| Some((name.as_str().to_string(), Value::String(value.to_str().ok()?.to_string()))))
        .collect()
}

fn json_text(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], text).into_response()
}
