//! Requests to action handlers: each action field of the operation is one POST with
//! Hasura's body `{action: {name}, input, session_variables, request_query}`.

use serde_json::{json, Value};

use super::remote::client_headers;
use crate::error::{code, GraphqlError, PathSegment};
use crate::http;
use crate::query::normalize::Field;
use crate::schema::actions::ActionModel;

/// One action field of the operation and where its answer goes.
pub struct ActionCall {
    pub(crate) field: Field,
    pub(crate) action: String,
    /// The output's named type (ours).
    pub(crate) output_type: String,
}

/// The handler request for one action field; an error when it cannot be built.
fn request(action: &ActionModel, field: &Field, query: &str, context: &super::Context) -> Result<http::Request, String> {
    let url = action.handler.clone()?;
    let mut headers = if action.forward_client_headers { client_headers() } else { Vec::new() };
    for header in &action.headers {
        let value = header.resolve(None)?;
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&header.name));
        headers.push((header.name.clone(), value));
    }
    Ok(http::Request {
        url,
        headers,
        body: json!({
            "action": {"name": action.name},
            "input": Value::Object(field.arguments.clone()),
            "session_variables": Value::Object(context.session().clone()),
            "request_query": query,
        }),
        timeout: action.timeout,
        max_bytes: crate::settings::max_remote_response_bytes(),
        keys: None,
        text_answer: false,
    })
}

/// Plans the action fields among `fields` (of `root_type`); those whose request
/// cannot be built go to `unbuildable` with their error (their value is null).
pub fn plan(
    context: &super::Context,
    root_type: &str,
    fields: &[Field],
    query: &str,
    unbuildable: &mut Vec<(String, GraphqlError)>,
) -> Vec<(ActionCall, http::Request)> {
    let composed = context.composed;
    let mut calls = Vec::new();
    for field in fields {
        let Some(action) = composed.actions.get(&field.name) else { continue };
        let path = [PathSegment::Key(field.response_key.clone())];
        match request(action, field, query, context) {
            Ok(r) => {
                let output_type = composed
                    .schema
                    .type_field(root_type, &field.name)
                    .map(|f| f.ty.inner_named_type().to_string())
                    .unwrap_or_default();
                calls.push((ActionCall { field: field.clone(), action: action.name.clone(), output_type }, r));
            }
            Err(reason) => {
                let error = GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("action \"{}\": {reason}", action.name)).at(&path);
                unbuildable.push((field.response_key.clone(), error));
            }
        }
    }
    calls
}

