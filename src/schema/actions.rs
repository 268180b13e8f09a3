//! Actions (REST handlers) and their custom types, as Hasura shapes them: the types
//! are printed as SDL, each action becomes a field of query_root or mutation_root,
//! and an output object's `relationships` become join fields to tables.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;
use std::time::Duration;

use super::join_definition::{field_mapping, SourceDefinition};
use super::join_field::TableJoin;
use super::join_lhs::{Lhs, LhsType};
use super::join_resolve::resolve_table_join;
use super::model::Model;
use super::names::is_graphql_name;
use crate::metadata::document::{HeaderDef, QualifiedTable, DEFAULT_SOURCE};
use crate::metadata::document::RelKind;

/// Hasura's default action timeout, in seconds.
const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// An action as `resolve` calls it.
#[derive(Debug, Clone)]
pub struct ActionModel {
    pub name: String,
    pub is_mutation: bool,
    /// The handler URL, `{{ENV_VAR}}` templates resolved.
    pub handler: Result<String, String>,
    pub headers: Vec<HeaderDef>,
    pub forward_client_headers: bool,
    pub timeout: Duration,
    /// Field definition on query_root or mutation_root.
    pub field_sdl: String,
    /// Roles with a permission (`create_action_permission`); admin sees it regardless.
    pub roles: Vec<String>,
}

/// The actions and custom types of a metadata document, ready to compose.
#[derive(Debug, Default)]
pub struct ActionsModel {
    pub actions: Vec<ActionModel>,
    /// Custom type definitions, SDL: (type name, block).
    pub types: Vec<(String, String)>,
    /// Join fields of custom object types: (our type name, join).
    pub joins: Vec<(String, TableJoin)>,
    /// Actions and relationships left out: (name, reason).
    pub left_out: Vec<(String, String)>,
}

fn list(value: &Value, key: &str) -> Vec<Value> {
    value.get(key).and_then(Value::as_array).cloned().unwrap_or_default()
}

/// A type reference of a custom type field, `[Int!]!`: (named type, is a list).
pub(crate) fn named(type_text: &str) -> (String, bool) {
    let is_list = type_text.trim_start().starts_with('[');
    let name: String = type_text.chars().filter(|c| c.is_alphanumeric() || *c == '_').collect();
    (name, is_list)
}

fn arguments_sdl(arguments: &[Value]) -> Result<String, String> {
    let mut parts = Vec::new();
    for argument in arguments {
        let name = argument.get("name").and_then(Value::as_str).ok_or("an argument has no name")?;
        let ty = argument.get("type").and_then(Value::as_str).ok_or_else(|| format!("argument \"{name}\" has no type"))?;
        parts.push(format!("{name}: {ty}"));
    }
    Ok(if parts.is_empty() { String::new() } else { format!("({})", parts.join(", ")) })
}

fn description(item: &Value) -> String {
    match item.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("{}\n", Value::String(d.to_string())),
        _ => String::new(),
    }
}

/// The SDL blocks of `custom_types` (scalars, enums, input objects, objects).
fn type_blocks(custom: &Value) -> Result<Vec<(String, String)>, String> {
    let mut blocks = Vec::new();
    let name_of = |item: &Value, what: &str| -> Result<String, String> {
        let name = item.get("name").and_then(Value::as_str).ok_or_else(|| format!("a custom {what} has no name"))?;
        if !is_graphql_name(name) {
            return Err(format!("custom type \"{name}\": not a valid GraphQL name"));
        }
        Ok(name.to_string())
    };
    for scalar in list(custom, "scalars") {
        let name = name_of(&scalar, "scalar")?;
        blocks.push((name.clone(), format!("{}scalar {name}\n\n", description(&scalar))));
    }
    for e in list(custom, "enums") {
        let name = name_of(&e, "enum")?;
        let values: Vec<String> = list(&e, "values").iter().filter_map(|v| v.get("value")?.as_str().map(String::from)).collect();
        if values.is_empty() {
            return Err(format!("custom enum \"{name}\" has no values"));
        }
        blocks.push((name.clone(), format!("{}enum {name} {{\n  {}\n}}\n\n", description(&e), values.join("\n  "))));
    }
    for (keyword, key) in [("input", "input_objects"), ("type", "objects")] {
        for object in list(custom, key) {
            let name = name_of(&object, key)?;
            let mut block = format!("{}{keyword} {name} {{\n", description(&object));
            let fields = list(&object, "fields");
            if fields.is_empty() {
                return Err(format!("custom type \"{name}\" has no fields"));
            }
            for field in fields {
                let field_name = field.get("name").and_then(Value::as_str).ok_or_else(|| format!("a field of \"{name}\" has no name"))?;
                let ty = field
                    .get("type")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("field \"{name}.{field_name}\" has no type"))?;
                let args = if keyword == "type" { arguments_sdl(&list(&field, "arguments"))? } else { String::new() };
                let _ = writeln!(block, "  {}{field_name}{args}: {ty}", description(&field).replace('\n', "\n  "));
            }
            block.push_str("}\n\n");
            blocks.push((name, block));
        }
    }
    Ok(blocks)
}

/// The join fields of an output object's `relationships` (action -> table).
fn object_joins(model: &Model, object: &Value, out: &mut ActionsModel) {
    let Some(type_name) = object.get("name").and_then(Value::as_str) else { return };
    let lhs: Vec<Lhs> = list(object, "fields")
        .iter()
        .filter_map(|f| {
            let name = f.get("name")?.as_str()?.to_string();
            let (type_name, is_list) = named(f.get("type")?.as_str()?);
            Some(Lhs { name: name.clone(), source: name, ty: LhsType::Field { type_name, is_list } })
        })
        .collect();
    for relationship in list(object, "relationships") {
        let name = relationship.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let resolved = (|| {
            if !is_graphql_name(&name) {
                return Err("the name is not a valid GraphQL name".to_string());
            }
            if lhs.iter().any(|l| l.name == name) {
                return Err(format!("\"{name}\" is already a field of \"{type_name}\""));
            }
            let kind = match relationship.get("type").and_then(Value::as_str) {
                Some("object") => RelKind::Object,
                Some("array") => RelKind::Array,
                _ => return Err("\"type\" must be \"object\" or \"array\"".into()),
            };
            let table: QualifiedTable = relationship
                .get("remote_table")
                .cloned()
                .and_then(|t| serde_json::from_value(t).ok())
                .ok_or("\"remote_table\" must be a name or {\"schema\", \"name\"}")?;
            let mapping = field_mapping(relationship.get("field_mapping")).map_err(|e| format!("\"{e}"))?;
            let source = relationship.get("source").and_then(Value::as_str).unwrap_or(DEFAULT_SOURCE).to_string();
            resolve_table_join(model, &name, &lhs, &SourceDefinition { source, table, kind, mapping })
        })();
        match resolved {
            Ok(join) => out.joins.push((type_name.to_string(), join)),
            Err(reason) => out.left_out.push((format!("relationship {name} of custom type {type_name}"), reason)),
        }
    }
}

fn action(entry: &Value) -> Result<ActionModel, String> {
    let name = entry.get("name").and_then(Value::as_str).ok_or("an action has no name")?.to_string();
    let def = entry.get("definition").ok_or("\"definition\" is required")?;
    let kind = def.get("kind").and_then(Value::as_str).unwrap_or("synchronous");
    if kind != "synchronous" {
        return Err(format!("kind \"{kind}\" is not supported; actions are synchronous"));
    }
    let is_mutation = match def.get("type").and_then(Value::as_str).unwrap_or("mutation") {
        "mutation" => true,
        "query" => false,
        other => return Err(format!("type \"{other}\" must be \"query\" or \"mutation\"")),
    };
    let handler = def.get("handler").and_then(Value::as_str).ok_or("\"definition.handler\" is required")?;
    let output = def.get("output_type").and_then(Value::as_str).ok_or("\"definition.output_type\" is required")?;
    let headers: Vec<HeaderDef> = match def.get("headers") {
        Some(h) => serde_json::from_value(h.clone()).map_err(|e| format!("\"definition.headers\": {e}"))?,
        None => Vec::new(),
    };
    for header in &headers {
        if header.value.is_some() == header.value_from_env.is_some() {
            return Err(format!("header \"{}\" needs exactly one of \"value\" and \"value_from_env\"", header.name));
        }
    }
    let timeout = def.get("timeout").and_then(Value::as_u64).unwrap_or(DEFAULT_TIMEOUT_SECONDS).max(1);
    let field_sdl = format!("{name}{}: {output}", arguments_sdl(&list(def, "arguments"))?);
    Ok(ActionModel {
        handler: crate::metadata::document::expand_env(handler, "the handler URL"),
        name,
        is_mutation,
        headers,
        forward_client_headers: def.get("forward_client_headers").and_then(Value::as_bool).unwrap_or(false),
        timeout: Duration::from_secs(timeout),
        field_sdl,
        roles: list(entry, "permissions").iter().filter_map(|p| p.get("role")?.as_str().map(str::to_string)).collect(),
    })
}

/// Reads the document's `actions` and `custom_types`.
pub fn build(model: &Model, actions: Option<&Value>, custom_types: Option<&Value>) -> ActionsModel {
    let mut out = ActionsModel::default();
    let null = Value::Null;
    let custom = custom_types.unwrap_or(&null);
    match type_blocks(custom) {
        Ok(blocks) => out.types = blocks,
        Err(reason) => {
            out.left_out.push(("custom_types".into(), reason));
            return out;
        }
    }
    for object in list(custom, "objects") {
        object_joins(model, &object, &mut out);
    }
    let mut seen = HashMap::new();
    for entry in actions.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let name = entry.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
        match action(entry) {
            Ok(a) if seen.insert(a.name.clone(), ()).is_none() => out.actions.push(a),
            Ok(_) => out.left_out.push((format!("action {name}"), "defined twice".into())),
            Err(reason) => out.left_out.push((format!("action {name}"), reason)),
        }
    }
    out
}
