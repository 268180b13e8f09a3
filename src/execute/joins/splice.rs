//! Splicing remote answers back into the parent rows by key, and turning remote
//! failures into GraphQL errors with the path of the relationship field.

use serde_json::Value;
use std::collections::HashMap;

use super::remote::{alias_name, alias_number, JoinCall, Matching};
use crate::error::{path_segments, GraphqlError};
use crate::error::code;
use crate::execute::remote::missing_value;
use crate::http::Failure;
use crate::plan::Join;
use crate::schema::join_field::JoinField;
use crate::schema::remote::RemoteModel;

/// A batched answer (`pgf_batch: [objects]`) as the aliased one it stands for: each
/// alias gets its object (`Matching`), or null when the remote answered none (an unknown
/// key). An answer without the list stays as it is (its errors say why).
/// The remote's errors at `[pgf_batch, i, …]` are moved to the alias of the i-th object,
/// so that they reach the client at that parent's path.
fn by_alias(
    remote_data: &mut serde_json::Map<String, Value>,
    remote_errors: Option<&mut Vec<Value>>,
    aliases: &[super::remote::Alias],
    matching: &Matching,
) {
    match matching {
        Matching::ByKey(keys) => by_key(remote_data, remote_errors, aliases, keys),
        Matching::InOrder => in_order(remote_data, remote_errors, aliases),
    }
}

/// The i-th object is the i-th alias's (`_entities`); a list of another length is the
/// remote breaking the contract: no alias gets a value, and each reports it missing.
fn in_order(remote_data: &mut serde_json::Map<String, Value>, remote_errors: Option<&mut Vec<Value>>, aliases: &[super::remote::Alias]) {
    use super::remote::BATCH_FIELD;
    let Some(Value::Array(objects)) = remote_data.remove(BATCH_FIELD) else { return };
    if objects.len() != aliases.len() {
        // The contract broken: no alias gets a value, and one error (without a path, so
        // that it explains every missing value) says why, with the remote's own.
        if let Some(errors) = remote_errors {
            move_batch_errors(errors, |_| None);
            errors.push(serde_json::json!({
                "message": format!("the batch field answered {} objects for {} keys, in order", objects.len(), aliases.len())
            }));
        }
        return;
    }
    for (number, object) in objects.into_iter().enumerate() {
        remote_data.insert(alias_name(number), object);
    }
    if let Some(errors) = remote_errors {
        move_batch_errors(errors, |i| (i < aliases.len()).then_some(i));
    }
}

/// Moves the remote's errors at `[pgf_batch, i, …]` to `[<alias of the i-th object>, …]`
/// (`alias_of` gives the alias's number); an error whose object has no alias loses its
/// path (it is then the whole request's).
fn move_batch_errors(errors: &mut [Value], alias_of: impl Fn(usize) -> Option<usize>) {
    for error in errors {
        let Some(path) = error.get_mut("path").and_then(Value::as_array_mut) else { continue };
        if path.first().and_then(Value::as_str) != Some(super::remote::BATCH_FIELD) {
            continue;
        }
        match path.get(1).and_then(Value::as_u64).and_then(|i| alias_of(i as usize)) {
            Some(number) => {
                path.splice(0..2, [Value::String(alias_name(number))]);
            }
            None => path.clear(),
        }
    }
}

/// Each alias gets the object whose key field holds its key (the key field of ours is
/// removed).
fn by_key(
    remote_data: &mut serde_json::Map<String, Value>,
    remote_errors: Option<&mut Vec<Value>>,
    aliases: &[super::remote::Alias],
    keys: &[String],
) {
    use super::remote::{batch_key_text, BATCH_FIELD, BATCH_KEY};
    let Some(Value::Array(objects)) = remote_data.remove(BATCH_FIELD) else { return };
    let mut found: HashMap<String, Value> = HashMap::new();
    let mut key_at: Vec<Option<String>> = Vec::with_capacity(objects.len());
    for mut object in objects {
        let key = object.as_object_mut().and_then(|o| o.shift_remove(BATCH_KEY)).map(|k| batch_key_text(&k));
        key_at.push(key.clone());
        if let Some(key) = key {
            found.entry(key).or_insert(object);
        }
    }
    // Several parents' keys may be one remote key (two lhs columns, one key argument):
    // the last alias of a key takes its object, the others a copy.
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for key in keys {
        *uses.entry(key.as_str()).or_default() += 1;
    }
    for (number, key) in keys.iter().enumerate().take(aliases.len()) {
        let left = uses.get_mut(key.as_str()).map(|n| {
            *n -= 1;
            *n
        });
        let value = match left {
            Some(0) => found.remove(key),
            _ => found.get(key).cloned(),
        };
        remote_data.insert(alias_name(number), value.unwrap_or(Value::Null));
    }
    if let Some(errors) = remote_errors {
        move_batch_errors(errors, |i| {
            let key = key_at.get(i)?.as_ref()?;
            keys.iter().position(|k| k == key).filter(|i| *i < aliases.len())
        });
    }
}

/// The values of this level's remote joins, by join and key text, from their answers;
/// remote failures become errors at the path of the first parent with the key.
pub fn values(
    document: &apollo_compiler::ExecutableDocument,
    remotes: &[RemoteModel],
    joins: &[Join],
    answers: Vec<(JoinCall, Result<Value, Failure>)>,
    errors: &mut Vec<GraphqlError>,
) -> Vec<HashMap<String, Value>> {
    let mut values: Vec<HashMap<String, Value>> = joins.iter().map(|_| HashMap::new()).collect();
    for (call, result) in answers {
        let join = &joins[call.join];
        let JoinField::Remote(relationship) = &join.relationship else { continue };
        let remote = &remotes[relationship.remote];
        let steps = &relationship.path;
        match result {
            Err(failure) => {
                if let Some(first) = call.aliases.first() {
                    errors.push(
                        GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {failure}", remote.name))
                            .at(&first.parent.field_path(join)),
                    );
                }
            }
            Ok(mut answer) => {
                // Each alias's value is moved out of the answer, not cloned (the answer of
                // 1,000 keys was copied three times: the data, each alias, each row).
                let (mut remote_data, has_data) = match answer.get_mut("data").map(Value::take) {
                    Some(Value::Object(map)) => (map, true),
                    _ => (serde_json::Map::new(), false),
                };
                if let Some(matching) = &call.batched {
                    let errors_of_batch = answer
                        .as_object_mut()
                        .map(|o| o.entry("errors").or_insert_with(|| Value::Array(Vec::new())))
                        .and_then(Value::as_array_mut);
                    by_alias(&mut remote_data, errors_of_batch, &call.aliases, matching);
                }
                let remote_errors = answer.get("errors").and_then(Value::as_array).cloned().unwrap_or_default();
                for (number, alias) in call.aliases.iter().enumerate() {
                    let name = alias_name(number);
                    let Some(mut value) = remote_data.remove(&name) else {
                        if has_data {
                            errors.extend(missing_value(&remote.name, &remote_errors, &name, &alias.parent.field_path(join)));
                        }
                        values[call.join].insert(alias.key.clone(), Value::Null);
                        continue;
                    };
                    for step in steps.iter().skip(1) {
                        value = match value {
                            Value::Object(mut map) => map.remove(&step.field).unwrap_or(Value::Null),
                            _ => Value::Null,
                        };
                    }
                    for field in &join.field.ast {
                        crate::execute::typenames::rename_typenames(&mut value, &field.selection_set, document, &remote.renames);
                    }
                    values[call.join].insert(alias.key.clone(), value);
                }
                if !answer.is_object() || (answer.get("data").is_none() && remote_errors.is_empty()) {
                    if let Some(first) = call.aliases.first() {
                        errors.push(
                            GraphqlError::new(
                                code::REMOTE_UNAVAILABLE,
                                format!("remote schema \"{}\": the answer is not a GraphQL response", remote.name),
                            )
                            .at(&first.parent.field_path(join)),
                        );
                    }
                }
                remote_errors_at_paths(remote, join, &call, steps.len(), remote_errors, errors);
            }
        }
    }
    values
}

/// The remote's errors, each at the path of the parent whose alias it names (the first
/// parent's when it names none), followed by the client's fields past the relationship's
/// inner steps (`depth` fields deep).
pub(super) fn remote_errors_at_paths(
    remote: &RemoteModel,
    join: &Join,
    call: &JoinCall,
    depth: usize,
    remote_errors: Vec<Value>,
    errors: &mut Vec<GraphqlError>,
) {
    for error in remote_errors {
        let message = error.get("message").and_then(Value::as_str).unwrap_or("remote error");
        let remote_path = error.get("path").and_then(Value::as_array).cloned().unwrap_or_default();
        let named = remote_path.first().and_then(Value::as_str);
        let alias = named.and_then(alias_number).and_then(|n| call.aliases.get(n)).or(call.aliases.first());
        let mut path = alias.map(|a| a.parent.field_path(join)).unwrap_or_default();
        if named.is_some() {
            // Past the alias and the path's inner steps: the client's own fields.
            path.extend(path_segments(remote_path.get(depth..).unwrap_or(&[])));
        }
        errors.push(GraphqlError::new(code::REMOTE_ERROR, format!("remote schema \"{}\": {message}", remote.name)).at(&path));
    }
}
