//! What planning a request needs: the composed schema, the validated request, field
//! collection over it, the variables, and the call's session variables.

use serde_json::{Map, Value};

use crate::query::normalize::Collector;
use crate::query::request::Request;
use crate::schema::cache::Composed;

/// What a request's planning (and its joins, level by level) needs.
pub struct Context<'a> {
    pub composed: &'a Composed,
    pub request: &'a Request,
    pub collector: &'a Collector<'a>,
    pub variables: &'a Map<String, Value>,
    /// The call's session variables (`crate::session`), read when a request first
    /// needs them: a document of table fields only never reads them.
    pub session: &'a std::cell::OnceCell<Map<String, Value>>,
}

impl Context<'_> {
    pub fn session(&self) -> &Map<String, Value> {
        self.session.get_or_init(crate::session::current)
    }
}

