//! pgf-fixture: a real GraphQL server (async-graphql on axum) for pg_federation's tests.
//! It counts the GraphQL requests it receives, so tests assert batching, and it can be told
//! to misbehave (`POST /_fault`), so tests exercise the extension's error paths.
//!
//! Endpoints (see README.md beside Cargo.toml):
//!   POST|GET /graphql   the API of `schema.rs`; counted; subject to the current fault
//!   POST|GET /products/graphql, /clash/graphql   the APIs of `products.rs`; counted apart
//!                       (`products_requests`, `clash_requests`), recorded with the others, never faulted
//!   POST|GET /accounts/graphql   the Apollo Federation subgraph of `accounts.rs` (`_entities`);
//!                       counted apart (`accounts_requests`), recorded, never faulted
//!   POST /actions       a REST action handler (Hasura's contract); see `action_handler`
//!   GET  /_stats        {"requests": N, "documents": [last 50 query texts], "variables": [...], "headers": [x-* headers],
//!                        "action_requests": N, "actions": [last 50 {body, headers}]}
//!   POST /_reset        zero the counters, forget documents, clear the fault
//!   POST /_fault        {"mode": M, "delay_ms": D, "bytes": B, "after": K}

pub mod accounts;
pub mod products;
pub mod schema;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value as JsonValue};

pub use schema::{build_schema, FixtureSchema};

/// How many documents (and their variables) /_stats remembers.
pub const KEEP_DOCUMENTS: usize = 50;
/// The longest a `hang` fault holds a request when the client stays connected.
pub const HANG_LIMIT: Duration = Duration::from_secs(600);
/// Response size of a `huge` fault when the body names no `bytes`.
pub const DEFAULT_HUGE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    None,
    Delay,
    Http500,
    GraphqlErrors,
    EmptyData,
    Garbage,
    Hang,
    Huge,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "none" => Mode::None,
            "delay" => Mode::Delay,
            "http500" => Mode::Http500,
            "graphql_errors" => Mode::GraphqlErrors,
            "empty_data" => Mode::EmptyData,
            "garbage" => Mode::Garbage,
            "hang" => Mode::Hang,
            "huge" => Mode::Huge,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug)]
struct Fault {
    mode: Mode,
    delay_ms: u64,
    bytes: usize,
    /// normal requests still to serve before the fault applies
    after: u64,
}

impl Default for Fault {
    fn default() -> Self {
        Fault {
            mode: Mode::None,
            delay_ms: 0,
            bytes: DEFAULT_HUGE_BYTES,
            after: 0,
        }
    }
}

#[derive(Default)]
struct Recorded {
    requests: u64,
    products_requests: u64,
    clash_requests: u64,
    accounts_requests: u64,
    /// (query text, variables); null/null for a request that was not a GraphQL request
    documents: VecDeque<(JsonValue, JsonValue)>,
    /// x-* request headers, one object per entry of `documents`
    headers: VecDeque<JsonValue>,
    fault: Fault,
    /// POSTs to /actions (the action handler), and the last bodies with their x-* headers
    action_requests: u64,
    actions: VecDeque<JsonValue>,
}

pub struct AppState {
    schema: FixtureSchema,
    products: products::ProductsSchema,
    clash: products::clash::ClashSchema,
    accounts: accounts::AccountsSchema,
    recorded: Mutex<Recorded>,
}

impl AppState {
    fn lock(&self) -> MutexGuard<'_, Recorded> {
        // a panicking handler must not wedge the fixture for the rest of a test run
        self.recorded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The whole application; serve it with `axum::serve`.
pub fn app() -> Router {
    let state = Arc::new(AppState {
        schema: build_schema(),
        products: products::build_schema(),
        clash: products::clash::build_schema(),
        accounts: accounts::build_schema(),
        recorded: Mutex::default(),
    });
    Router::new()
        .route("/graphql", api(Api::Users))
        .route("/products/graphql", api(Api::Products))
        .route("/clash/graphql", api(Api::Clash))
        .route("/accounts/graphql", api(Api::Accounts))
        .route("/actions", post(action_handler))
        .route("/_stats", get(stats))
        .route("/_reset", post(reset))
        .route("/_fault", post(set_fault))
        .with_state(state)
}

fn json_response(status: StatusCode, body: &JsonValue) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Which of the fixture's APIs a request went to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    Users,
    Products,
    Clash,
    Accounts,
}

/// GET and POST of one of the fixture's GraphQL APIs.
fn api(which: Api) -> axum::routing::MethodRouter<Arc<AppState>> {
    let handler = move |State(state): State<Arc<AppState>>,
                        headers: axum::http::HeaderMap,
                        request: Result<GraphQLRequest, GraphQLRejection>| serve(state, which, headers, request);
    get(handler).post(handler)
}

async fn serve(
    state: Arc<AppState>,
    api: Api,
    headers: axum::http::HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    // Count and record first: every request that reaches an API counts, whatever follows.
    let fault = {
        let mut rec = state.lock();
        match api {
            Api::Users => rec.requests += 1,
            Api::Products => rec.products_requests += 1,
            Api::Clash => rec.clash_requests += 1,
            Api::Accounts => rec.accounts_requests += 1,
        }
        let entry = match &request {
            Ok(r) => (
                JsonValue::String(r.0.query.clone()),
                serde_json::to_value(&r.0.variables).unwrap_or(JsonValue::Null),
            ),
            Err(_) => (JsonValue::Null, JsonValue::Null),
        };
        if rec.documents.len() == KEEP_DOCUMENTS {
            rec.documents.pop_front();
            rec.headers.pop_front();
        }
        rec.documents.push_back(entry);
        // The request's x-* headers, so tests can see what a client forwarded.
        let seen: serde_json::Map<String, JsonValue> = headers
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("x-"))
            .map(|(name, value)| (name.to_string(), JsonValue::String(value.to_str().unwrap_or("").to_string())))
            .collect();
        rec.headers.push_back(JsonValue::Object(seen));
        if rec.fault.mode == Mode::None || api != Api::Users {
            None
        } else if rec.fault.after > 0 {
            rec.fault.after -= 1;
            None
        } else {
            Some(rec.fault)
        }
    };

    let request = match request {
        Ok(r) => r.into_inner(),
        Err(rejection) => return rejection.into_response(),
    };

    match api {
        Api::Products => return GraphQLResponse::from(state.products.execute(request).await).into_response(),
        Api::Clash => return GraphQLResponse::from(state.clash.execute(request).await).into_response(),
        Api::Accounts => return GraphQLResponse::from(state.accounts.execute(request).await).into_response(),
        Api::Users => {}
    }
    match fault.map(|f| f.mode) {
        None | Some(Mode::None) => {
            GraphQLResponse::from(state.schema.execute(request).await).into_response()
        }
        Some(Mode::Delay) => {
            tokio::time::sleep(Duration::from_millis(fault.map_or(0, |f| f.delay_ms))).await;
            GraphQLResponse::from(state.schema.execute(request).await).into_response()
        }
        Some(Mode::Http500) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"message": "injected"}),
        ),
        Some(Mode::EmptyData) => json_response(StatusCode::OK, &json!({"data": {}})),
        Some(Mode::GraphqlErrors) => json_response(
            StatusCode::OK,
            &json!({"data": null, "errors": [{"message": "injected failure"}]}),
        ),
        Some(Mode::Garbage) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "not json{{",
        )
            .into_response(),
        Some(Mode::Hang) => {
            // hyper drops this future when the client closes the connection; otherwise give up
            // after HANG_LIMIT.
            tokio::time::sleep(HANG_LIMIT).await;
            json_response(
                StatusCode::GATEWAY_TIMEOUT,
                &json!({"message": format!("hang fault: gave up after {} s", HANG_LIMIT.as_secs())}),
            )
        }
        Some(Mode::Huge) => {
            // The real answer, padded with extensions.padding to about `bytes` bytes in all.
            let target = fault.map_or(DEFAULT_HUGE_BYTES, |f| f.bytes);
            let response = state.schema.execute(request).await;
            let mut body =
                serde_json::to_value(&response).unwrap_or_else(|_| json!({"data": null}));
            let base = body.to_string().len() + r#","extensions":{"padding":""}"#.len();
            let padding = "x".repeat(target.saturating_sub(base));
            if let Some(obj) = body.as_object_mut() {
                obj.insert("extensions".into(), json!({ "padding": padding }));
            }
            json_response(StatusCode::OK, &body)
        }
    }
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    let rec = state.lock();
    let (documents, variables): (Vec<_>, Vec<_>) = rec.documents.iter().cloned().unzip();
    json_response(
        StatusCode::OK,
        &json!({"requests": rec.requests, "products_requests": rec.products_requests, "clash_requests": rec.clash_requests, "accounts_requests": rec.accounts_requests, "documents": documents, "variables": variables, "headers": rec.headers,
                "action_requests": rec.action_requests, "actions": rec.actions}),
    )
}

/// A REST action handler with Hasura's contract: POST {action: {name}, input,
/// session_variables, request_query}; 2xx body = output, non-2xx {message, extensions}.
///   getOrder(id)    {id, user_id (null when id % 4 == 0), label}; placeOrder(id) the same
///   listOrders(n)   [{id, user_id, label}] for ids 1..=n
///   failing(id)     HTTP 400 {message, extensions: {code, order_id}}
///   echo            {name, input, role, request_query, headers}: what arrived, as text
///   slow(ms)        getOrder(1) after `ms` milliseconds
async fn action_handler(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    body: String,
) -> Response {
    let body: JsonValue = serde_json::from_str(&body).unwrap_or(JsonValue::Null);
    let seen: serde_json::Map<String, JsonValue> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-"))
        .map(|(name, value)| (name.to_string(), JsonValue::String(value.to_str().unwrap_or("").to_string())))
        .collect();
    {
        let mut rec = state.lock();
        rec.action_requests += 1;
        if rec.actions.len() == KEEP_DOCUMENTS {
            rec.actions.pop_front();
        }
        rec.actions.push_back(json!({"body": body, "headers": seen}));
    }
    let input = &body["input"];
    let order = |id: i64| {
        let user_id = if id % 4 == 0 { JsonValue::Null } else { json!(id % 3 + 1) };
        json!({"id": id, "user_id": user_id, "label": format!("order {id}")})
    };
    match body["action"]["name"].as_str().unwrap_or("") {
        "getOrder" | "placeOrder" => json_response(StatusCode::OK, &order(input["id"].as_i64().unwrap_or(0))),
        "listOrders" => {
            let n = input["n"].as_i64().unwrap_or(0).clamp(0, 10_000);
            json_response(StatusCode::OK, &JsonValue::Array((1..=n).map(order).collect()))
        }
        "failing" => json_response(
            StatusCode::BAD_REQUEST,
            &json!({"message": "order is locked", "extensions": {"code": "order-locked", "order_id": input["id"]}}),
        ),
        "echo" => json_response(
            StatusCode::OK,
            &json!({"name": body["action"]["name"], "input": input.to_string(),
                    "role": body["session_variables"]["x-hasura-role"],
                    "request_query": body["request_query"], "headers": JsonValue::Object(seen).to_string()}),
        ),
        "slow" => {
            tokio::time::sleep(Duration::from_millis(input["ms"].as_u64().unwrap_or(0).min(60_000))).await;
            json_response(StatusCode::OK, &order(1))
        }
        other => json_response(StatusCode::NOT_FOUND, &json!({"message": format!("unknown action \"{other}\"")})),
    }
}

async fn reset(State(state): State<Arc<AppState>>) -> Response {
    *state.lock() = Recorded::default();
    json_response(StatusCode::OK, &json!({"ok": true}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    mode: String,
    delay_ms: Option<u64>,
    bytes: Option<usize>,
    after: Option<u64>,
}

/// The body is read as JSON whatever its Content-Type, so `curl -d '{...}'` works.
async fn set_fault(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let bad = |msg: String| {
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({"ok": false, "message": msg}),
        )
    };
    let body: FaultBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad(format!("bad /_fault body: {e}; expected {{\"mode\": M, \"delay_ms\": D, \"bytes\": B, \"after\": K}}")),
    };
    let Some(mode) = Mode::parse(&body.mode) else {
        return bad(format!(
            "unknown fault mode {:?}; one of none, delay, http500, graphql_errors, garbage, hang, huge",
            body.mode
        ));
    };
    state.lock().fault = Fault {
        mode,
        delay_ms: body.delay_ms.unwrap_or(0),
        bytes: body.bytes.unwrap_or(DEFAULT_HUGE_BYTES),
        after: body.after.unwrap_or(0),
    };
    json_response(StatusCode::OK, &json!({"ok": true}))
}
