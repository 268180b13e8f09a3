//! Joins to a remote schema: ONE request per (relationship, level) with one aliased
//! field per distinct key (chunked at `graphql.remote_batch_size`, chunks sent
//! concurrently), arguments filled from the relationship's templates; or, when the
//! relationship declares a batch field, ONE field per chunk taking every key at once,
//! whose answers `splice` matches back to the keys by their key field.

use serde_json::{Map, Value};

use super::collect::{self, ParentPath};
use super::Context;
use crate::error::GraphqlError;
use crate::plan::forward::RemoteDocument;
use crate::error::code;
use crate::plan::remote::http_request;
use crate::http;
use crate::plan::Join;
use crate::schema::join_field::JoinField;
use crate::schema::remote_join::{BatchAnswers, RemoteRelationship};

/// One request: which join it serves, and which alias answers which key.
pub struct JoinCall {
    pub join: usize,
    pub aliases: Vec<Alias>,
    /// Set when the request is ONE batch field for every key (`BatchField`): how its
    /// answers are matched to the aliases.
    pub batched: Option<Matching>,
}

/// How a batch field's answers find their aliases.
pub enum Matching {
    /// By the key field each answer carries: the key text of each alias, in order.
    ByKey(Vec<String>),
    /// The i-th answer is the i-th alias's (`_entities`).
    InOrder,
}

/// An Apollo Federation representation of the entity with `key`.
fn representation(type_name: &str, key_field: &str, key: Value) -> Value {
    let mut object = Map::new();
    object.insert("__typename".to_string(), Value::String(type_name.to_string()));
    object.insert(key_field.to_string(), key);
    Value::Object(object)
}

/// A batched request's field, the variable holding its keys, and the field of ours in
/// each answer that carries its key.
pub const BATCH_FIELD: &str = "pgf_batch";
const BATCH_KEYS: &str = "pgf_batch_keys";
pub const BATCH_KEY: &str = "pgf_batch_key";

/// A key value as text, to match a parent's key to an answer's key field (an Int key
/// column and an Int key field, or an ID that one side gives as a string).
pub fn batch_key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        // 1 and 1.0 are one key (a numeric column against an Int field).
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// The name of a request's `number`-th aliased field (`alias_number` reads it back).
pub fn alias_name(number: usize) -> String {
    format!("pgf_{number}")
}

/// `i` of an alias `pgf_<i>` as `alias_name` writes them (no sign, no leading zero).
pub fn alias_number(key: &str) -> Option<usize> {
    let digits = key.strip_prefix("pgf_")?;
    let canonical = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    canonical.then(|| digits.parse().ok()).flatten()
}

/// One distinct key of a request, answered by the aliased field of its number
/// (`alias_name` of its index among the request's aliases).
pub struct Alias {
    /// The key's JSON text, as `collect` deduplicates it.
    pub key: String,
    /// The key's position among the join's distinct keys (`joins::text` finds values by it).
    pub position: usize,
    /// Where the first parent with this key stands (for error paths: `ParentPath::field_path`).
    pub parent: ParentPath,
}

/// Replaces `$lhs` strings in a template with the key's values.
fn substitute(template: &Value, relationship: &RemoteRelationship, key: &[Value]) -> Value {
    match template {
        Value::String(s) if s.starts_with('$') => relationship
            .lhs
            .iter()
            .position(|(name, _)| name == &s[1..])
            .and_then(|i| key.get(i).cloned())
            .unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, relationship, key)).collect()),
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), substitute(v, relationship, key))).collect())
        }
        other => other.clone(),
    }
}

/// The client's arguments merged into the template's: objects key by key, lists
/// concatenated, and the template's scalar kept (the join key must hold).
fn merge(template: Value, client: &Value) -> Value {
    match (template, client) {
        (Value::Object(mut t), Value::Object(c)) => {
            for (k, v) in c {
                let merged = match t.remove(k) {
                    Some(existing) => merge(existing, v),
                    None => v.clone(),
                };
                t.insert(k.clone(), merged);
            }
            Value::Object(t)
        }
        (Value::Array(mut t), Value::Array(c)) => {
            t.extend(c.iter().cloned());
            Value::Array(t)
        }
        (Value::Null, c) => c.clone(),
        (t, _) => t,
    }
}

/// A key value as a GraphQL literal, when its argument is of a built-in scalar type and
/// the value fits it (`id: 42`, `name: "Ada"`): a hundred keys are then a hundred short
/// fields, not a hundred variables declared, sent and read back by the remote. Other
/// values (input objects, custom scalars, enums) stay generated variables.
/// Written onto `out`; false when the value stays a variable.
fn scalar_literal(value: &Value, remote_type: &str, out: &mut String) -> bool {
    use std::fmt::Write;
    let named = remote_type.strip_suffix('!').unwrap_or(remote_type);
    let integer = |n: &serde_json::Number, fits: fn(i64) -> bool| n.as_i64().filter(|i| fits(*i));
    match (named, value) {
        ("Int", Value::Number(n)) => integer(n, |i| i32::try_from(i).is_ok()).is_some_and(|i| write!(out, "{i}").is_ok()),
        ("ID", Value::Number(n)) => integer(n, |_| true).is_some_and(|i| write!(out, "{i}").is_ok()),
        ("Float", Value::Number(n)) => write!(out, "{n}").is_ok(),
        // A JSON string is a GraphQL string literal: the same escapes.
        ("String" | "ID", Value::String(s)) => serde_json::to_string(s).is_ok_and(|literal| {
            out.push_str(&literal);
            true
        }),
        ("Boolean", Value::Bool(b)) => write!(out, "{b}").is_ok(),
        _ => false,
    }
}

/// The aliased field for one key, with its arguments as literals or generated variables, written
/// onto `out` (one key of a hundred-key request is a few small writes, not a dozen
/// strings and maps).
#[allow(clippy::too_many_arguments)]
fn key_field(
    document: &mut RemoteDocument,
    variables: &mut Map<String, Value>,
    relationship: &RemoteRelationship,
    join: &Join,
    number: usize,
    key: &[Value],
    selection: &str,
    out: &mut String,
) {
    let last = relationship.path.len().saturating_sub(1);
    for (s, step) in relationship.path.iter().enumerate() {
        if s == 0 {
            out.push_str(&alias_name(number));
            out.push_str(": ");
        } else {
            out.push_str(" { ");
        }
        out.push_str(&step.field);
        let mut opened = false;
        let mut argument = |out: &mut String, document: &mut RemoteDocument, name: &str, value: Value| {
            let Some((_, ty)) = step.argument_types.iter().find(|(n, _)| n == name) else { return };
            // A scalar may fill a list argument.
            let mut value = if ty.starts_with('[') && !value.is_array() && !value.is_null() { Value::Array(vec![value]) } else { value };
            document.preset_generated_value(&mut value, ty);
            out.push_str(if opened { ", " } else { "(" });
            opened = true;
            out.push_str(name);
            out.push_str(": ");
            if scalar_literal(&value, ty, out) {
                return;
            }
            let var = format!("{}_{s}_{name}", alias_name(number));
            out.push('$');
            out.push_str(&var);
            document.declare(var.clone(), ty.clone());
            variables.insert(var, value);
        };
        if s == last && !join.field.arguments.is_empty() {
            // The client's arguments merged into the template's.
            let mut arguments: Map<String, Value> =
                step.arguments.iter().map(|(name, template)| (name.clone(), substitute(template, relationship, key))).collect();
            for (name, value) in &join.field.arguments {
                let merged = match arguments.remove(name) {
                    Some(t) => merge(t, value),
                    None => value.clone(),
                };
                arguments.insert(name.clone(), merged);
            }
            for (name, value) in arguments {
                argument(out, document, &name, value);
            }
        } else {
            for (name, template) in &step.arguments {
                argument(out, document, name, substitute(template, relationship, key));
            }
        }
        for preset in &step.presets {
            if let Some(variable) = document.preset_argument(preset) {
                out.push_str(if opened { ", " } else { "(" });
                opened = true;
                out.push_str(&preset.name);
                out.push_str(": ");
                out.push_str(&variable);
            }
        }
        if opened {
            out.push(')');
        }
    }
    out.push_str(selection);
    for _ in 1..relationship.path.len() {
        out.push_str(" }");
    }
}

/// Plans the requests of every remote join at this level, `keys[i]` being the keys of
/// `joins[i]`'s parents. Joins whose remote cannot be reached get their errors at once
/// (and null values when spliced).
pub fn plan(
    joins: &[Join],
    keys: Vec<collect::Keys>,
    context: &Context,
    errors: &mut Vec<GraphqlError>,
) -> http::Batch<JoinCall> {
    let composed = context.composed;
    let batch = crate::settings::remote_batch_size();
    let operation_variables: Vec<_> =
        context.request.operation.variables.iter().map(|v| (v.name.clone(), v.ty.clone())).collect();
    let mut batch_out = http::Batch::default();
    for (index, (join, keys)) in joins.iter().zip(keys).enumerate() {
        let JoinField::Remote(relationship) = &join.relationship else { continue };
        if keys.distinct.is_empty() {
            continue;
        }
        let remote = &composed.remotes[relationship.remote];
        let connection = match &composed.connections[relationship.remote] {
            Ok(c) => c,
            Err(reason) => {
                let first_parent = keys.distinct.into_values().next().map(|(_, p)| p).unwrap_or_default();
                let path = first_parent.field_path(join);
                errors.push(
                    GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {reason}", remote.name)).at(&path),
                );
                continue;
            }
        };
        // A declared batch field takes every key at once, unless the client gave the
        // relationship arguments or the role's presets apply (those fit the one-key field).
        let batch_field = relationship
            .batch
            .as_ref()
            .filter(|_| join.field.arguments.is_empty() && relationship.path.iter().all(|step| step.presets.is_empty()));
        // Taken apart, not copied: each alias takes its first parent's path.
        let mut entries: Vec<_> = keys.distinct.into_iter().enumerate().collect();
        while !entries.is_empty() {
            let rest = entries.split_off(batch.min(entries.len()));
            let chunk = std::mem::replace(&mut entries, rest);
            let mut document = RemoteDocument::new(Some(composed)).with_presets(remote, context.session());
            // Answers matched by key carry it under a field of ours; `_entities` answers in order.
            let key_selection =
                batch_field.filter(|b| b.answers == BatchAnswers::ByKeyField).map(|b| format!("{BATCH_KEY}: {}", b.key_field));
            let selection = document.selection_text(&context.request.document, &join.field.ast, &remote.renames, key_selection);
            let mut variables = Map::new();
            let batch_keys: Vec<Value> = match batch_field {
                Some(b) => chunk.iter().map(|(_, (_, (values, _)))| values.get(b.key_index).cloned().unwrap_or(Value::Null)).collect(),
                None => Vec::new(),
            };
            let mut aliases = Vec::with_capacity(chunk.len());
            // One buffer for every key's field, copied into the document.
            let mut text = String::with_capacity(64 + selection.len());
            for (i, (position, (key_text, (values, parent_path)))) in chunk.into_iter().enumerate() {
                if batch_field.is_none() {
                    text.clear();
                    key_field(&mut document, &mut variables, relationship, join, i, &values, &selection, &mut text);
                    document.add_text(&text);
                }
                aliases.push(Alias { key: key_text, position, parent: parent_path });
            }
            let batched = batch_field.map(|b| {
                let keys = batch_keys;
                document.declare(BATCH_KEYS.to_string(), b.argument_type.clone());
                let (matching, argument) = match &b.answers {
                    BatchAnswers::ByKeyField => {
                        document.add_text(&format!("{BATCH_FIELD}: {}({}: ${BATCH_KEYS}){selection}", b.field, b.argument));
                        (Matching::ByKey(keys.iter().map(batch_key_text).collect()), keys)
                    }
                    BatchAnswers::InOrder { type_name, id_key } => {
                        document.add_text(&format!(
                            "{BATCH_FIELD}: {}({}: ${BATCH_KEYS}) {{ ... on {type_name}{selection} }}",
                            b.field, b.argument
                        ));
                        let representations = keys
                            .into_iter()
                            .map(|key| match key {
                                Value::Number(n) if *id_key => Value::String(n.to_string()),
                                key => key,
                            })
                            .map(|key| representation(type_name, &b.key_field, key))
                            .collect();
                        (Matching::InOrder, representations)
                    }
                };
                variables.insert(BATCH_KEYS.to_string(), Value::Array(argument));
                matching
            });
            let query = document.text(&context.request.document, &operation_variables, &remote.renames);
            variables.extend(document.client_variables(context.variables));
            if let Some(name) = document.missing_session_variable() {
                let path = aliases.first().map(|a| a.parent.field_path(join)).unwrap_or_default();
                errors.push(crate::plan::remote::missing_session_variable(name).at(&path));
                continue;
            }
            let mut request =
                http_request(connection, remote.definition.definition.forward_client_headers, context.session(), query, Value::Object(variables));
            request.keys = Some(aliases.len());
            batch_out.push(request, JoinCall { join: index, aliases, batched });
        }
    }
    batch_out
}
