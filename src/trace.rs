//! What a call did, recorded for `graphql.explain(…, analyze => true)`: every generated
//! statement the backend ran (its text, parameters, time, level) and every request sent
//! (where, what, how many keys, bytes, time, which batch). Off unless `start` was called:
//! the hooks in `spi` and `http` cost one thread-local check then. A leaf module: it
//! imports nothing of the engine.

use std::cell::RefCell;
use std::time::Instant;

use serde_json::Value;

thread_local! {
    static TRACE: RefCell<Option<Trace>> = const { RefCell::new(None) };
}

/// What one traced call did.
pub struct Trace {
    started: Instant,
    /// The join level now running: 0 for the root fields.
    level: usize,
    /// Batches of requests under way (their ids): statements run meanwhile overlap them.
    open: Vec<usize>,
    batches: usize,
    pub statements: Vec<StatementEvent>,
    pub requests: Vec<RequestEvent>,
}

pub struct StatementEvent {
    pub level: usize,
    pub sql: String,
    pub params: Vec<Option<String>>,
    /// Whether it may write (a mutation's): EXPLAIN ANALYZE would write again.
    pub writes: bool,
    pub start_ms: f64,
    pub ms: f64,
    /// The batches of requests that were under way while it ran.
    pub during_batches: Vec<usize>,
}

pub struct RequestEvent {
    pub level: usize,
    pub batch: usize,
    pub url: String,
    pub body: Value,
    /// How many join keys it carries (a join's request), when it carries any.
    pub keys: Option<usize>,
    pub bytes_sent: usize,
    pub start_ms: f64,
    /// Filled when its answer arrives.
    pub ms: Option<f64>,
    pub bytes_received: Option<usize>,
    pub failure: Option<String>,
}

/// Recording, until `finish` or until this is dropped (an ERROR that unwinds past the
/// traced call must not leave every later statement of the backend recorded).
pub struct Tracing(());

impl Drop for Tracing {
    fn drop(&mut self) {
        TRACE.with(|t| t.borrow_mut().take());
    }
}

/// Starts recording this backend's calls (until `finish`, or the guard's drop).
#[must_use]
pub fn start() -> Tracing {
    TRACE.with(|t| {
        *t.borrow_mut() = Some(Trace {
            started: Instant::now(),
            level: 0,
            open: Vec::new(),
            batches: 0,
            statements: Vec::new(),
            requests: Vec::new(),
        })
    });
    Tracing(())
}

/// Stops recording; what was recorded.
pub fn finish() -> Option<Trace> {
    TRACE.with(|t| t.borrow_mut().take())
}

fn with<R>(f: impl FnOnce(&mut Trace) -> R) -> Option<R> {
    TRACE.with(|t| t.borrow_mut().as_mut().map(f))
}

fn since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// The join level about to run (0: the root fields).
pub fn set_level(level: usize) {
    with(|t| t.level = level);
}

/// Runs `f`, a generated statement, and records it when tracing.
pub fn statement<R>(sql: &str, params: &[Option<String>], writes: bool, f: impl FnOnce() -> R) -> R {
    let Some(started) = with(|t| t.started) else { return f() };
    let start_ms = since(started);
    let result = f();
    let ms = since(started) - start_ms;
    with(|t| {
        t.statements.push(StatementEvent {
            level: t.level,
            sql: sql.to_string(),
            params: params.to_vec(),
            writes,
            start_ms,
            ms,
            during_batches: t.open.clone(),
        })
    });
    result
}

/// A batch of requests starts (url, body, keys each): its id, when tracing.
pub fn batch_started<'a>(requests: impl ExactSizeIterator<Item = (&'a str, &'a Value, Option<usize>)>) -> Option<usize> {
    if requests.len() == 0 {
        return None;
    }
    with(|t| {
        t.batches += 1;
        let batch = t.batches;
        let start_ms = since(t.started);
        for (url, body, keys) in requests {
            t.requests.push(RequestEvent {
                level: t.level,
                batch,
                url: url.to_string(),
                body: body.clone(),
                keys,
                bytes_sent: serde_json::to_vec(body).map(|b| b.len()).unwrap_or(0),
                start_ms,
                ms: None,
                bytes_received: None,
                failure: None,
            });
        }
        t.open.push(batch);
        batch
    })
}

/// The answer to request `index` of `batch` arrived.
pub fn answered(batch: usize, index: usize, bytes: Option<usize>, failure: Option<String>) {
    with(|t| {
        let now = since(t.started);
        if let Some(request) = t.requests.iter_mut().filter(|r| r.batch == batch).nth(index) {
            request.ms = Some(now - request.start_ms);
            request.bytes_received = bytes;
            request.failure = failure;
        }
    });
}

/// Every answer of `batch` is in.
pub fn batch_done(batch: usize) {
    with(|t| t.open.retain(|b| *b != batch));
}
