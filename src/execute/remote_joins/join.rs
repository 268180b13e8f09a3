//! Splicing remote answers back into the parent rows by key, and turning remote
//! failures into GraphQL errors with the path of the relationship field.

use serde_json::Value;
use std::collections::HashMap;

use super::collect::{collect, visit_parents};
use super::JoinCall;
use crate::error::{GraphqlError, PathSegment};
use crate::execute::remote::code;
use crate::http::Failure;
use crate::plan::{hidden_key, RemoteJoin};

/// The path of the relationship field under the first parent with `key_text`.
fn field_path(first_paths: &HashMap<String, Vec<PathSegment>>, key_text: &str, join: &RemoteJoin) -> Vec<PathSegment> {
    let mut path = first_paths.get(key_text).cloned().unwrap_or_default();
    if let Some(last) = join.path.last() {
        path.push(PathSegment::Key(last.clone()));
    }
    path
}

/// Splices every answer of this level into `data`; strips the hidden keys.
pub fn splice(
    document: &apollo_compiler::ExecutableDocument,
    renames: &[crate::schema::remote::TypeRenames],
    joins: &[RemoteJoin],
    remote_names: &[String],
    calls: Vec<JoinCall>,
    results: Vec<Result<Value, Failure>>,
    data: &mut Value,
    errors: &mut Vec<GraphqlError>,
) {
    let mut values: Vec<HashMap<String, Value>> = joins.iter().map(|_| HashMap::new()).collect();
    let first_paths: Vec<HashMap<String, Vec<PathSegment>>> = joins
        .iter()
        .map(|join| collect(data, &join.path).distinct.into_iter().map(|(k, (_, p))| (k, p)).collect())
        .collect();
    for (call, result) in calls.into_iter().zip(results) {
        let join = &joins[call.join];
        let remote = remote_names.get(call.join).map(String::as_str).unwrap_or("?");
        let steps = &join.relationship.path;
        match result {
            Err(failure) => {
                if let Some((_, key_text)) = call.aliases.first() {
                    errors.push(
                        GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{remote}\": {failure}"))
                            .at(&field_path(&first_paths[call.join], key_text, join)),
                    );
                }
            }
            Ok(answer) => {
                let remote_data = answer.get("data").cloned().unwrap_or(Value::Null);
                for (alias, key_text) in &call.aliases {
                    let mut value = remote_data.get(alias).cloned().unwrap_or(Value::Null);
                    for step in steps.iter().skip(1) {
                        value = value.get(&step.field).cloned().unwrap_or(Value::Null);
                    }
                    if let Some(renames) = renames.get(call.join) {
                        for field in &join.field.ast {
                            crate::execute::forward::rename_typenames(&mut value, &field.selection_set, document, renames);
                        }
                    }
                    values[call.join].insert(key_text.clone(), value);
                }
                let remote_errors = answer.get("errors").and_then(Value::as_array).cloned().unwrap_or_default();
                if !answer.is_object() || (answer.get("data").is_none() && remote_errors.is_empty()) {
                    if let Some((_, key_text)) = call.aliases.first() {
                        errors.push(
                            GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{remote}\": the answer is not a GraphQL response"))
                                .at(&field_path(&first_paths[call.join], key_text, join)),
                        );
                    }
                }
                for error in remote_errors {
                    let message = error.get("message").and_then(Value::as_str).unwrap_or("remote error");
                    let remote_path = error.get("path").and_then(Value::as_array).cloned().unwrap_or_default();
                    let alias = remote_path.first().and_then(Value::as_str);
                    let key_text = call
                        .aliases
                        .iter()
                        .find(|(a, _)| Some(a.as_str()) == alias)
                        .or(call.aliases.first())
                        .map(|(_, k)| k.clone())
                        .unwrap_or_default();
                    let mut path = field_path(&first_paths[call.join], &key_text, join);
                    if alias.is_some() {
                        for segment in remote_path.iter().skip(steps.len()) {
                            match segment {
                                Value::String(s) => path.push(PathSegment::Key(s.clone())),
                                Value::Number(n) => path.push(PathSegment::Index(n.as_u64().unwrap_or(0) as usize)),
                                _ => {}
                            }
                        }
                    }
                    errors.push(GraphqlError::new(code::REMOTE_ERROR, format!("remote schema \"{remote}\": {message}")).at(&path));
                }
            }
        }
    }
    for (index, join) in joins.iter().enumerate() {
        let Some((field_key, parents)) = join.path.split_last() else { continue };
        let hidden = hidden_key(field_key);
        let answers = &values[index];
        visit_parents(data, parents, &mut Vec::new(), &mut |parent, _| {
            let Some(key) = parent.remove(&hidden) else { return };
            let value = match &key {
                Value::Array(parts) if parts.iter().any(Value::is_null) => Value::Null,
                key => answers.get(&key.to_string()).cloned().unwrap_or(Value::Null),
            };
            parent.insert(field_key.clone(), value);
        });
    }
}
