//! HTTP to remote GraphQL APIs: one keep-alive `ureq` agent per backend, requests
//! run on worker threads while the backend thread waits and keeps answering query
//! cancel and statement_timeout. No Postgres API is called off the backend thread.

use once_cell::sync::Lazy;
use serde_json::Value;
use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

/// One agent per backend process: connections are kept alive between calls.
static AGENT: Lazy<ureq::Agent> = Lazy::new(|| {
    ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).max_idle_connections_per_host(16).build()
});

/// A POST of a JSON body, as the planner prepared it.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub timeout: Duration,
    /// Responses larger than this are refused.
    pub max_bytes: usize,
    /// How many join keys it carries (a join's request): what graphql.explain reports.
    pub keys: Option<usize>,
    /// The answer wanted as its text, not parsed on the worker (`Sent::wait_text`): its
    /// values are copied into a response's text as they came.
    pub text_answer: bool,
}

/// An answer as it comes back from a worker: parsed, or (`Request::text_answer`) its text.
enum Body {
    Tree(Value),
    Text(String),
}

/// Why a remote call failed, worded for the GraphQL error a client sees.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Timeout(Duration),
    Connection(String),
    Status(u16, String),
    InvalidJson(String),
    TooLarge(usize),
    /// A string holds U+0000, which no Postgres text or jsonb can hold.
    NulCharacter,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout(d) => write!(f, "the remote did not answer within {} s", d.as_secs_f64()),
            Failure::Connection(m) => write!(f, "could not reach the remote: {m}"),
            Failure::Status(code, body) => {
                // The body is kept whole for action handlers' errors; a message shows its start.
                let shown: String = body.chars().take(512).collect();
                write!(f, "the remote answered HTTP {code}: {shown}")
            }
            Failure::InvalidJson(m) => write!(f, "the remote answered with invalid JSON: {m}"),
            Failure::TooLarge(max) => write!(f, "the remote's response is larger than {max} bytes"),
            Failure::NulCharacter => {
                write!(f, "the remote answered a string holding the NUL character (\\u0000), which PostgreSQL cannot store")
            }
        }
    }
}

/// Runs one request (on the calling thread: callers are worker threads); the answer,
/// and its size in bytes.
fn send(request: &Request) -> Result<(Body, usize), Failure> {
    let mut call = AGENT.post(&request.url).timeout(request.timeout);
    for (name, value) in &request.headers {
        call = call.set(name, value);
    }
    let response = match call.send_json(&request.body) {
        Ok(r) => r,
        Err(ureq::Error::Status(code, response)) => {
            let mut body = String::new();
            let _ = response.into_reader().take(64 * 1024).read_to_string(&mut body);
            return Err(Failure::Status(code, body.trim().to_string()));
        }
        Err(ureq::Error::Transport(t)) => {
            if is_timeout(&t) {
                return Err(Failure::Timeout(request.timeout));
            }
            return Err(Failure::Connection(t.to_string()));
        }
    };
    let mut bytes = Vec::new();
    let limit = request.max_bytes as u64 + 1;
    if let Err(e) = response.into_reader().take(limit).read_to_end(&mut bytes) {
        if is_timeout(&e) {
            return Err(Failure::Timeout(request.timeout));
        }
        return Err(Failure::Connection(e.to_string()));
    }
    if bytes.len() > request.max_bytes {
        return Err(Failure::TooLarge(request.max_bytes));
    }
    let size = bytes.len();
    // JSON carries U+0000 only escaped; the walk runs only when the escape is there.
    let escapes_nul = contains_subslice(&bytes, b"\\u0000");
    if request.text_answer && !escapes_nul {
        // Parsed (and so checked) by its consumer.
        let text = String::from_utf8(bytes).map_err(|e| Failure::InvalidJson(e.to_string()))?;
        return Ok((Body::Text(text), size));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| Failure::InvalidJson(e.to_string()))?;
    if escapes_nul && crate::nul::nul_path(&value).is_some() {
        return Err(Failure::NulCharacter);
    }
    Ok((Body::Tree(value), size))
}

/// Whether an error is a timeout: an I/O error of kind TimedOut (or WouldBlock, what a
/// socket read timeout gives on Linux) anywhere in its chain of sources.
fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(io.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) {
                return true;
            }
            // ureq wraps its own errors (a timeout included) in an io::Error.
            if let Some(inner) = io.get_ref() {
                if is_timeout(inner) {
                    return true;
                }
            }
        }
        current = e.source();
    }
    false
}

fn contains_subslice(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// A worker's answer: the request's index in its batch, and the answer with its size
/// in bytes, or the failure.
type Answer = (usize, Result<(Body, usize), Failure>);

/// Requests under way on worker threads.
struct InFlight {
    receiver: mpsc::Receiver<Answer>,
    count: usize,
    /// Its id in the call's trace, when graphql.explain records one.
    traced: Option<usize>,
}

/// Requests that go out together, each with what consumes its answer (a remote root
/// field, an action, a join's chunk of keys): answers come back paired with their
/// consumers, so no caller matches them by position.
pub struct Batch<C> {
    requests: Vec<Request>,
    consumers: Vec<C>,
}

impl<C> Default for Batch<C> {
    fn default() -> Self {
        Batch { requests: Vec::new(), consumers: Vec::new() }
    }
}

impl<C> Batch<C> {
    pub fn push(&mut self, request: Request, consumer: C) {
        self.requests.push(request);
        self.consumers.push(consumer);
    }

    /// Wants every answer as its text (`Request::text_answer`, `Sent::wait_text`).
    pub fn answered_as_text(mut self) -> Self {
        for request in &mut self.requests {
            request.text_answer = true;
        }
        self
    }

    /// Sends every request at once, each on a worker thread, and returns at once, so
    /// the backend can run SQL meanwhile.
    pub fn start(self) -> Sent<C> {
        Sent { in_flight: start(self.requests), consumers: self.consumers }
    }
}

/// A batch under way.
pub struct Sent<C> {
    in_flight: InFlight,
    consumers: Vec<C>,
}

impl<C> Sent<C> {
    /// Waits for every answer (see `InFlight::wait`), each with its consumer.
    pub fn wait(self) -> Vec<(C, Result<Value, Failure>)> {
        let tree = |body| match body {
            Body::Tree(value) => Ok(value),
            Body::Text(text) => serde_json::from_str(&text).map_err(|e| Failure::InvalidJson(e.to_string())),
        };
        self.consumers.into_iter().zip(self.in_flight.wait()).map(|(c, r)| (c, r.and_then(tree))).collect()
    }

    /// `wait` for answers wanted as text (`Batch::answered_as_text`): each answer's text,
    /// not yet checked to be JSON.
    pub fn wait_text(self) -> Vec<(C, Result<String, Failure>)> {
        let text = |body| match body {
            Body::Tree(value) => value.to_string(),
            Body::Text(text) => text,
        };
        self.consumers.into_iter().zip(self.in_flight.wait()).map(|(c, r)| (c, r.map(text))).collect()
    }
}

/// Starts every request concurrently, each on a worker thread of its own.
fn start(requests: Vec<Request>) -> InFlight {
    let count = requests.len();
    let traced = crate::trace::batch_started(requests.iter().map(|r| (r.url.as_str(), &r.body, r.keys)));
    let (sender, receiver) = mpsc::channel::<Answer>();
    for (index, request) in requests.into_iter().enumerate() {
        workers::run(Job { index, request, answer: sender.clone() });
    }
    InFlight { receiver, count, traced }
}

/// One request for a worker, and where its answer goes.
struct Job {
    index: usize,
    request: Request,
    answer: mpsc::Sender<Answer>,
}

/// The backend's worker threads, kept between calls: starting a thread per request
/// was a tenth of a small join's time. A job goes to an idle worker, or to a new one
/// when none is idle, so that every request of a call runs concurrently; a worker
/// stuck on a hung remote is simply not idle. At most `MAX_IDLE` wait for work.
mod workers {
    use super::{send, Job};
    use once_cell::sync::Lazy;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc, Mutex};

    const MAX_IDLE: usize = 16;

    struct Pool {
        jobs: mpsc::Sender<Job>,
        queue: Arc<Mutex<mpsc::Receiver<Job>>>,
        /// Workers waiting for a job, less the jobs already promised to them.
        idle: Arc<AtomicUsize>,
    }

    static POOL: Lazy<Mutex<Pool>> = Lazy::new(|| {
        let (jobs, queue) = mpsc::channel();
        Mutex::new(Pool { jobs, queue: Arc::new(Mutex::new(queue)), idle: Arc::new(AtomicUsize::new(0)) })
    });

    /// Hands `job` to a worker, or answers it with the failure to start one.
    pub(super) fn run(job: Job) {
        if let Err(job) = hand_over(job) {
            let failure = super::Failure::Connection("could not start a worker thread".into());
            let _ = job.answer.send((job.index, Err(failure)));
        }
    }

    fn hand_over(job: Job) -> Result<(), Box<Job>> {
        let Ok(pool) = POOL.lock() else { return Err(Box::new(job)) };
        let promised = pool.idle.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if !promised {
            let queue = pool.queue.clone();
            let idle = pool.idle.clone();
            if spawn_without_signals(move || work(&queue, &idle)).is_err() {
                return Err(Box::new(job));
            }
        }
        pool.jobs.send(job).map_err(|e| Box::new(e.0))
    }

    fn work(queue: &Mutex<mpsc::Receiver<Job>>, idle: &AtomicUsize) {
        loop {
            let job = match queue.lock() {
                Ok(receiver) => match receiver.recv() {
                    Ok(job) => job,
                    Err(_) => return,
                },
                Err(_) => return,
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| send(&job.request)))
                .unwrap_or_else(|_| Err(super::Failure::Connection("the request failed unexpectedly".into())));
            // Idle again (before answering, so the backend's next call finds it),
            // unless enough workers already are.
            let stays = idle.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < MAX_IDLE).then_some(n + 1)).is_ok();
            let _ = job.answer.send((job.index, result));
            if !stays {
                return;
            }
        }
    }

    /// Starts a worker with every signal blocked: Postgres' handlers (cancel,
    /// timeouts, latches) must run on the backend thread, and a thread inherits its
    /// creator's mask, so the backend blocks them around the spawn (a signal arriving
    /// meanwhile stays pending for the backend thread).
    fn spawn_without_signals(work: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
        // SAFETY: changes only this thread's signal mask, restored right after.
        unsafe {
            let mut all: libc::sigset_t = std::mem::zeroed();
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_BLOCK, &all, &mut previous);
            let spawned = std::thread::Builder::new().name("pgf-http".into()).spawn(work);
            libc::pthread_sigmask(libc::SIG_SETMASK, &previous, std::ptr::null_mut());
            spawned.map(|_| ())
        }
    }
}

impl InFlight {
    /// Waits for every answer on the backend thread, checking for cancel and
    /// statement_timeout every 50 ms (an interrupt raises the usual ERROR; the workers
    /// finish on their own and their answers are dropped).
    fn wait(self) -> Vec<Result<Body, Failure>> {
        let mut results: Vec<Option<Result<Body, Failure>>> = (0..self.count).map(|_| None).collect();
        let mut pending = self.count;
        while pending > 0 {
            check_for_interrupts();
            match self.receiver.recv_timeout(Duration::from_millis(50)) {
                Ok((index, result)) => {
                    if let Some(batch) = self.traced {
                        let (bytes, failure) = match &result {
                            Ok((_, bytes)) => (Some(*bytes), None),
                            Err(failure) => (None, Some(failure.to_string())),
                        };
                        crate::trace::answered(batch, index, bytes, failure);
                    }
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(result.map(|(body, _)| body));
                        pending -= 1;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        if let Some(batch) = self.traced {
            crate::trace::batch_done(batch);
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Failure::Connection("the worker thread ended without an answer".into()))))
            .collect()
    }
}

/// Answers a pending cancel or statement_timeout with the usual ERROR (SQLSTATE 57014),
/// without a Rust backtrace in its DETAIL.
fn check_for_interrupts() {
    // SAFETY: a plain read of a flag Postgres sets from its signal handlers.
    if unsafe { pgrx::pg_sys::InterruptPending } != 0 {
        crate::error::without_backtrace(|| {
            pgrx::check_for_interrupts!();
        });
    }
}

/// Sends one request on a worker thread and waits for it the same way.
pub fn send_one(request: Request) -> Result<Value, Failure> {
    let mut batch = Batch::default();
    batch.push(request, ());
    batch.start().wait().pop().map_or_else(|| Err(Failure::Connection("no answer".into())), |(_, answer)| answer)
}
