//! Remote root fields' answers (the requests are planned in `plan::remote`): spliced
//! into the data with their errors at their paths, `__typename` mapped back to ours.

use serde_json::{Map, Value};

use crate::error::{code, path_segments, GraphqlError, PathSegment};
use crate::http;
use crate::plan::remote::RootCall;


/// The error for a field the remote's data lacks (under `key`, its response key or
/// alias there), unless one of the remote's errors already explains it (one at that
/// key, or one without a path): a missing value is never a silent null.
pub fn missing_value(remote: &str, remote_errors: &[Value], key: &str, path: &[PathSegment]) -> Option<GraphqlError> {
    let explained =
        remote_errors.iter().any(|e| e.pointer("/path/0").and_then(Value::as_str).is_none_or(|first| first == key));
    (!explained).then(|| {
        GraphqlError::new(code::REMOTE_ERROR, format!("remote schema \"{remote}\": the answer has no value for this field"))
            .at(path)
    })
}


/// The path of a remote error, as the client sees it.
fn remote_path(error: &Value, namespace: Option<&str>) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = namespace.map(|n| vec![PathSegment::Key(n.to_string())]).unwrap_or_default();
    path.extend(path_segments(error.get("path").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])));
    path
}

/// Splices the remote answers into `data` and `errors`.
pub fn apply_root_results(
    document: &apollo_compiler::ExecutableDocument,
    answers: Vec<(RootCall, Result<Value, http::Failure>)>,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
) {
    for (call, result) in answers {
        match result {
            Err(failure) => {
                for (key, _) in &call.keys {
                    data.insert(key.clone(), Value::Null);
                    errors.push(
                        GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {failure}", call.remote))
                            .at(&[PathSegment::Key(key.clone())]),
                    );
                }
            }
            Ok(answer) => {
                let remote_data = answer.get("data").cloned().unwrap_or(Value::Null);
                let remote_errors = answer.get("errors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                let namespace = call.keys.iter().find(|(_, ns)| *ns).map(|(k, _)| k.as_str());
                for ((key, is_namespace), fields) in call.keys.iter().zip(&call.fields) {
                    let mut value = if *is_namespace {
                        remote_data.clone()
                    } else {
                        match remote_data.get(key) {
                            Some(value) => value.clone(),
                            None => {
                                if remote_data.is_object() {
                                    errors.extend(missing_value(&call.remote, remote_errors, key, &[PathSegment::Key(key.clone())]));
                                }
                                Value::Null
                            }
                        }
                    };
                    // A root field is never `__typename` itself: its selection is what to map.
                    for field in fields {
                        super::typenames::rename_typenames(&mut value, &field.selection_set, document, &call.renames);
                    }
                    data.insert(key.clone(), value);
                }
                for error in answer.get("errors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                    let message = error.get("message").and_then(Value::as_str).unwrap_or("remote error");
                    let path = remote_path(error, namespace);
                    let path = if path.is_empty() {
                        call.keys.first().map(|(k, _)| vec![PathSegment::Key(k.clone())]).unwrap_or_default()
                    } else {
                        path
                    };
                    errors.push(
                        GraphqlError::new(code::REMOTE_ERROR, format!("remote schema \"{}\": {message}", call.remote)).at(&path),
                    );
                }
                if !answer.is_object() || (answer.get("data").is_none() && answer.get("errors").is_none()) {
                    for (key, _) in &call.keys {
                        errors.push(
                            GraphqlError::new(
                                code::REMOTE_UNAVAILABLE,
                                format!("remote schema \"{}\": the answer is not a GraphQL response", call.remote),
                            )
                            .at(&[PathSegment::Key(key.clone())]),
                        );
                    }
                }
            }
        }
    }
}
