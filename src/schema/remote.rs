//! A remote GraphQL API's schema, from the introspection stored when it was added,
//! printed as SDL under our type names (customization applied) so it composes with
//! the tables into one schema.

use indexmap::IndexMap;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

use crate::metadata::document::{Customization, RemoteSchema};

/// The standard introspection query, sent when a remote schema is added or reloaded.
pub const INTROSPECTION_QUERY: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

const BUILTIN_SCALARS: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// Remote type name <-> our type name.
#[derive(Debug, Clone, Default)]
pub struct TypeRenames {
    to_ours: HashMap<String, String>,
    to_remote: HashMap<String, String>,
}

impl TypeRenames {
    pub fn ours<'a>(&'a self, remote: &'a str) -> &'a str {
        self.to_ours.get(remote).map(String::as_str).unwrap_or(remote)
    }
    pub fn remote<'a>(&'a self, ours: &'a str) -> &'a str {
        self.to_remote.get(ours).map(String::as_str).unwrap_or(ours)
    }
    pub fn is_identity(&self) -> bool {
        self.to_ours.iter().all(|(k, v)| k == v)
    }
}

/// What the composed schema needs from one remote schema.
#[derive(Debug, Clone)]
pub struct RemoteModel {
    pub name: String,
    /// The stored definition (url, headers without their secret values, timeout).
    pub definition: RemoteSchema,
    /// Type definitions under our names: (name, is a scalar, SDL block). Scalars of
    /// the same name from several sources are one scalar in the composed schema.
    pub types: Vec<(String, bool, String)>,
    /// Field definitions to add to query_root (one namespace field, or the root fields).
    pub root_field_definitions: Vec<String>,
    /// Our root field name -> the remote root field it forwards to (None: the namespace).
    pub root_fields: IndexMap<String, Option<String>>,
    pub renames: TypeRenames,
    /// Our name of the remote's query type.
    pub query_type: String,
    /// The remote's name of its query type.
    pub remote_query_type: String,
    /// Introspected types by the remote's names, for walking `remote_field` paths.
    pub remote_types: HashMap<String, Value>,
}

fn is_builtin(name: &str) -> bool {
    BUILTIN_SCALARS.contains(&name) || name.starts_with("__")
}

fn describe(out: &mut String, indent: &str, description: &Value) {
    if let Some(d) = description.as_str().filter(|d| !d.is_empty()) {
        let escaped = d.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n").replace('\r', "");
        let _ = writeln!(out, "{indent}\"{escaped}\"");
    }
}

fn type_ref(t: &Value, renames: &TypeRenames) -> Result<String, String> {
    match t.get("kind").and_then(Value::as_str) {
        Some("NON_NULL") => Ok(format!("{}!", type_ref(&t["ofType"], renames)?)),
        Some("LIST") => Ok(format!("[{}]", type_ref(&t["ofType"], renames)?)),
        Some(_) => t
            .get("name")
            .and_then(Value::as_str)
            .map(|n| renames.ours(n).to_string())
            .ok_or_else(|| "a type reference has no name".to_string()),
        None => Err("a type reference has no kind".into()),
    }
}

fn deprecated(item: &Value) -> String {
    if item.get("isDeprecated").and_then(Value::as_bool) == Some(true) {
        match item.get("deprecationReason").and_then(Value::as_str) {
            Some(reason) => format!(" @deprecated(reason: {})", Value::String(reason.to_string())),
            None => " @deprecated".into(),
        }
    } else {
        String::new()
    }
}

/// Our names of a list of type references (interfaces, union members).
fn our_names(list: &Value, renames: &TypeRenames) -> Vec<String> {
    list.as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| t["name"].as_str().map(|n| renames.ours(n).to_string()))
        .collect()
}

fn input_values(args: &Value, renames: &TypeRenames) -> Result<String, String> {
    let mut parts = Vec::new();
    for arg in args.as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let name = arg["name"].as_str().ok_or("an argument has no name")?;
        let mut part = format!("{name}: {}", type_ref(&arg["type"], renames)?);
        if let Some(default) = arg.get("defaultValue").and_then(Value::as_str) {
            part.push_str(&format!(" = {default}"));
        }
        parts.push(part);
    }
    Ok(parts.join(", "))
}

fn field_definition(field: &Value, renames: &TypeRenames) -> Result<String, String> {
    let name = field["name"].as_str().ok_or("a field has no name")?;
    let args = input_values(&field["args"], renames)?;
    let args = if args.is_empty() { String::new() } else { format!("({args})") };
    Ok(format!("{name}{args}: {}{}", type_ref(&field["type"], renames)?, deprecated(field)))
}

/// Our name for a remote type under `customization`.
fn rename(name: &str, customization: Option<&Customization>) -> String {
    let Some(type_names) = customization.and_then(|c| c.type_names.as_ref()) else {
        return name.to_string();
    };
    if let Some(mapped) = type_names.mapping.get(name) {
        return mapped.clone();
    }
    format!(
        "{}{name}{}",
        type_names.prefix.as_deref().unwrap_or(""),
        type_names.suffix.as_deref().unwrap_or("")
    )
}

/// Builds the model of `remote` from its stored introspection (`{"__schema": …}` or
/// `{"data": {"__schema": …}}`).
pub fn from_introspection(remote: &RemoteSchema, introspection: &Value) -> Result<RemoteModel, String> {
    let schema = introspection
        .get("__schema")
        .or_else(|| introspection.get("data").and_then(|d| d.get("__schema")))
        .ok_or("the introspection result has no __schema")?;
    let types = schema["types"].as_array().ok_or("the introspection result has no types")?;
    let query_remote = schema["queryType"]["name"].as_str().ok_or("the remote schema has no query type")?;
    let customization = remote.definition.customization.as_ref();

    let mut renames = TypeRenames::default();
    for t in types {
        let name = t["name"].as_str().ok_or("a type has no name")?;
        if !is_builtin(name) {
            let ours = rename(name, customization);
            renames.to_ours.insert(name.to_string(), ours.clone());
            renames.to_remote.insert(ours, name.to_string());
        }
    }

    let mut blocks = Vec::new();
    let mut root_field_definitions = Vec::new();
    let mut root_fields = IndexMap::new();
    for t in types {
        let name = t["name"].as_str().unwrap_or_default();
        if is_builtin(name) {
            continue;
        }
        let ours = renames.ours(name).to_string();
        let mut sdl = String::new();
        describe(&mut sdl, "", &t["description"]);
        match t["kind"].as_str() {
            Some("SCALAR") => {
                let _ = writeln!(sdl, "scalar {ours}\n");
            }
            Some(kind @ ("OBJECT" | "INTERFACE")) => {
                let keyword = if kind == "OBJECT" { "type" } else { "interface" };
                let interfaces = our_names(&t["interfaces"], &renames);
                let implements = if interfaces.is_empty() {
                    String::new()
                } else {
                    format!(" implements {}", interfaces.join(" & "))
                };
                let _ = writeln!(sdl, "{keyword} {ours}{implements} {{");
                for field in t["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                    describe(&mut sdl, "  ", &field["description"]);
                    let _ = writeln!(sdl, "  {}", field_definition(field, &renames)?);
                    if name == query_remote {
                        let field_name = field["name"].as_str().unwrap_or_default().to_string();
                        if customization.and_then(|c| c.root_fields_namespace.as_ref()).is_none() {
                            root_field_definitions.push(field_definition(field, &renames)?);
                            root_fields.insert(field_name.clone(), Some(field_name));
                        }
                    }
                }
                sdl.push_str("}\n\n");
            }
            Some("UNION") => {
                let members = our_names(&t["possibleTypes"], &renames);
                let _ = writeln!(sdl, "union {ours} = {}\n", members.join(" | "));
            }
            Some("ENUM") => {
                let _ = writeln!(sdl, "enum {ours} {{");
                for value in t["enumValues"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                    describe(&mut sdl, "  ", &value["description"]);
                    let _ = writeln!(sdl, "  {}{}", value["name"].as_str().unwrap_or_default(), deprecated(value));
                }
                sdl.push_str("}\n\n");
            }
            Some("INPUT_OBJECT") => {
                let _ = writeln!(sdl, "input {ours} {{");
                for field in t["inputFields"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                    let one = input_values(&Value::Array(vec![field.clone()]), &renames)?;
                    let _ = writeln!(sdl, "  {one}");
                }
                sdl.push_str("}\n\n");
            }
            other => return Err(format!("type \"{name}\" has an unknown kind {other:?}")),
        }
        blocks.push((ours, t["kind"].as_str() == Some("SCALAR"), sdl));
    }
    let query_type = renames.ours(query_remote).to_string();
    if let Some(namespace) = customization.and_then(|c| c.root_fields_namespace.clone()) {
        root_field_definitions.push(format!("{namespace}: {query_type}!"));
        root_fields.insert(namespace, None);
    }
    Ok(RemoteModel {
        name: remote.name.clone(),
        definition: remote.clone(),
        types: blocks,
        root_field_definitions,
        root_fields,
        renames,
        query_type,
        remote_query_type: query_remote.to_string(),
        remote_types: types
            .iter()
            .filter_map(|t| Some((t["name"].as_str()?.to_string(), t.clone())))
            .collect(),
    })
}

/// The named type under NON_NULL and LIST wrappers.
pub fn named_type(t: &Value) -> Option<&str> {
    match t.get("kind").and_then(Value::as_str) {
        Some("NON_NULL") | Some("LIST") => named_type(&t["ofType"]),
        _ => t.get("name").and_then(Value::as_str),
    }
}

/// A type reference printed with the remote's own names (for variable definitions).
pub fn remote_type_text(t: &Value) -> Result<String, String> {
    type_ref(t, &TypeRenames::default())
}

impl RemoteModel {
    /// The introspected field `name` of remote type `type_name`.
    pub fn field(&self, type_name: &str, name: &str) -> Option<&Value> {
        self.remote_types
            .get(type_name)?
            .get("fields")?
            .as_array()?
            .iter()
            .find(|f| f["name"].as_str() == Some(name))
    }

    /// The argument `name` of an introspected field.
    pub fn argument<'a>(field: &'a Value, name: &str) -> Option<&'a Value> {
        field.get("args")?.as_array()?.iter().find(|a| a["name"].as_str() == Some(name))
    }

    /// Our SDL text of a type reference.
    pub fn our_type_text(&self, t: &Value) -> Result<String, String> {
        type_ref(t, &self.renames)
    }

    /// Our SDL text of a field's arguments, all made optional (a relationship's
    /// template may supply them; the client's are merged in).
    pub fn optional_arguments_text(&self, field: &Value) -> Result<String, String> {
        let mut parts = Vec::new();
        for arg in field.get("args").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            let name = arg["name"].as_str().ok_or("an argument has no name")?;
            let mut ty = type_ref(&arg["type"], &self.renames)?;
            if ty.ends_with('!') {
                ty.pop();
            }
            parts.push(format!("{name}: {ty}"));
        }
        Ok(if parts.is_empty() { String::new() } else { format!("({})", parts.join(", ")) })
    }
}
