//! Actions' answers (the requests are planned in `plan::actions`): a 2xx body is
//! the output, shaped by the client's selection; a non-2xx `{message, extensions}`
//! is a GraphQL error at the field. Relationships of the output type (action ->
//! table) come back as joins for the next level.

use serde_json::{Map, Value};
use std::collections::HashSet;

use crate::error::{code, GraphqlError, PathSegment};
use crate::http::Failure;
use crate::plan::actions::ActionCall;
use crate::plan::{hidden_key, Join};
use crate::query::normalize::Field;
use crate::schema::cache::Composed;

/// A handler's non-2xx body as the client's error: its `message` and `extensions`.
fn handler_error(action: &str, failure: Failure) -> GraphqlError {
    if let Failure::Status(status, body) = &failure {
        if let Ok(Value::Object(body)) = serde_json::from_str::<Value>(body) {
            if let Some(message) = body.get("message").and_then(Value::as_str) {
                let mut error = GraphqlError::new(crate::error::code::UNEXPECTED, message);
                if let Some(Value::Object(extensions)) = body.get("extensions") {
                    error.extensions = Some(Box::new(extensions.clone()));
                }
                return error;
            }
        }
        return GraphqlError::new(code::REMOTE_ERROR, format!("action \"{action}\": the handler answered HTTP {status}: {body}"));
    }
    GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("action \"{action}\": {failure}"))
}

/// Shapes `value` (of our type `type_name`) by the client's `selection`, turning
/// relationship fields into hidden keys and joins at `path`.
fn shape(composed: &Composed, value: &Value, selection: &[Field], type_name: &str, path: &[String], joins: &mut Vec<Join>, seen: &mut HashSet<Vec<String>>) -> Value {
    match value {
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| shape(composed, v, selection, type_name, path, joins, seen)).collect())
        }
        Value::Object(object) if !selection.is_empty() => {
            let mut out = Map::new();
            for sub in selection {
                let mut sub_path = path.to_vec();
                sub_path.push(sub.response_key.clone());
                if sub.name == "__typename" {
                    out.insert(sub.response_key.clone(), Value::String(type_name.to_string()));
                } else if let Some(join) = composed.type_join(type_name, &sub.name) {
                    let key: Vec<Value> = join.lhs().iter().map(|(_, f)| object.get(f).cloned().unwrap_or(Value::Null)).collect();
                    out.insert(hidden_key(&sub.response_key), Value::Array(key));
                    if seen.insert(sub_path.clone()) {
                        joins.push(Join::at_hidden_key(join.clone(), sub_path, sub.clone()));
                    }
                } else {
                    let inner = object.get(&sub.name).cloned().unwrap_or(Value::Null);
                    let value = if sub.selection.is_empty() {
                        inner
                    } else {
                        let inner_type = composed
                            .schema
                            .type_field(type_name, &sub.name)
                            .map(|f| f.ty.inner_named_type().to_string())
                            .unwrap_or_default();
                        shape(composed, &inner, &sub.selection, &inner_type, &sub_path, joins, seen)
                    };
                    out.insert(sub.response_key.clone(), value);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Puts the handlers' answers into `data`; returns the joins under them.
pub fn apply(
    composed: &Composed,
    answers: Vec<(ActionCall, Result<Value, Failure>)>,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
) -> Vec<Join> {
    let mut joins = Vec::new();
    for (call, result) in answers {
        let key = call.field.response_key.clone();
        match result {
            Ok(output) => {
                let mut seen = HashSet::new();
                let shaped = shape(composed, &output, &call.field.selection, &call.output_type, std::slice::from_ref(&key), &mut joins, &mut seen);
                data.insert(key, shaped);
            }
            Err(failure) => {
                data.insert(key.clone(), Value::Null);
                errors.push(handler_error(&call.action, failure).at(&[PathSegment::Key(key)]));
            }
        }
    }
    joins
}
