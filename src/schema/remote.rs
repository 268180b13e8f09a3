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

/// Remote type name <-> our type name, and the fields `customization.field_names`
/// renames: (our type name, our field name) -> the remote's field name. The merged root
/// fields are under `query_root`.
#[derive(Debug, Clone, Default)]
pub struct TypeRenames {
    to_ours: HashMap<String, String>,
    to_remote: HashMap<String, String>,
    fields_to_remote: HashMap<(String, String), String>,
}

impl TypeRenames {
    pub fn ours<'a>(&'a self, remote: &'a str) -> &'a str {
        self.to_ours.get(remote).map(String::as_str).unwrap_or(remote)
    }
    pub fn remote<'a>(&'a self, ours: &'a str) -> &'a str {
        self.to_remote.get(ours).map(String::as_str).unwrap_or(ours)
    }
    /// The remote's name of field `field` of our type `type_name`, when customised.
    pub fn remote_field(&self, type_name: &str, field: &str) -> Option<&str> {
        self.fields_to_remote.get(&(type_name.to_string(), field.to_string())).map(String::as_str)
    }
    pub fn is_identity(&self) -> bool {
        self.to_ours.iter().all(|(k, v)| k == v) && self.fields_to_remote.is_empty()
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
    /// The same for the remote's mutation type: fields of mutation_root.
    pub mutation_field_definitions: Vec<String>,
    pub mutation_fields: IndexMap<String, Option<String>>,
    /// Our name of the remote's mutation type, if it has one.
    pub mutation_type: Option<String>,
    pub renames: TypeRenames,
    /// Our name of the remote's query type.
    pub query_type: String,
    /// The remote's name of its query type.
    pub remote_query_type: String,
    /// Introspected types by the remote's names, for walking `remote_field` paths.
    pub remote_types: HashMap<String, Value>,
    /// The role's presets (remote schema permissions): injected into every request.
    pub presets: super::remote_permission::Presets,
    /// Built from a role's view (remote schema permissions): parts of the remote may be
    /// missing that a relationship's optional `batch` field needs.
    pub restricted: bool,
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

fn field_definition(name: &str, field: &Value, renames: &TypeRenames) -> Result<String, String> {
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

/// Our name for field `field` of the remote's type `parent` under `customization.field_names`
/// (`[{parent_type, prefix, suffix, mapping}]`, the remote's type names; the mapping wins
/// over prefix and suffix; `__` names are never renamed).
fn field_rename(parent: &str, field: &str, customization: Option<&Customization>) -> String {
    let entries = customization.and_then(|c| c.field_names.as_ref()).and_then(Value::as_array);
    let Some(entry) = entries.and_then(|list| list.iter().find(|e| e["parent_type"].as_str() == Some(parent))) else {
        return field.to_string();
    };
    if field.starts_with("__") {
        return field.to_string();
    }
    if let Some(mapped) = entry.get("mapping").and_then(|m| m.get(field)).and_then(Value::as_str) {
        return mapped.to_string();
    }
    format!(
        "{}{field}{}",
        entry.get("prefix").and_then(Value::as_str).unwrap_or(""),
        entry.get("suffix").and_then(Value::as_str).unwrap_or("")
    )
}

/// A type's field must keep the name its interface gives it (Hasura refuses the same).
fn check_interface_field_names(types: &[Value], customization: Option<&Customization>) -> Result<(), String> {
    if customization.and_then(|c| c.field_names.as_ref()).is_none() {
        return Ok(());
    }
    for t in types {
        let Some(name) = t["name"].as_str() else { continue };
        for interface in our_names(&t["interfaces"], &TypeRenames::default()) {
            let Some(definition) = types.iter().find(|i| i["name"].as_str() == Some(&interface)) else { continue };
            for field in definition["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]).iter().filter_map(|f| f["name"].as_str()) {
                let (in_interface, in_type) =
                    (field_rename(&interface, field, customization), field_rename(name, field, customization));
                if in_interface != in_type {
                    return Err(format!(
                        "customization.field_names: field \"{field}\" of interface \"{interface}\" becomes \"{in_interface}\", \
                         but in type \"{name}\", which implements it, \"{in_type}\"; rename both alike"
                    ));
                }
            }
        }
    }
    Ok(())
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
    let mutation_remote = schema["mutationType"]["name"].as_str();
    let customization = remote.definition.customization.as_ref();

    let namespace = customization.and_then(|c| c.root_fields_namespace.clone());
    let mut renames = TypeRenames::default();
    for t in types {
        let name = t["name"].as_str().ok_or("a type has no name")?;
        if !is_builtin(name) {
            // Hasura names the namespace field's type `<namespace><query type>` (a
            // type_names.mapping entry for it wins), so two namespaced remotes whose
            // query types share a name do not clash.
            let mapped = customization.and_then(|c| c.type_names.as_ref()).is_some_and(|t| t.mapping.contains_key(name));
            let ours = match &namespace {
                Some(ns) if (name == query_remote || Some(name) == mutation_remote) && !mapped => format!("{ns}{name}"),
                _ => rename(name, customization),
            };
            renames.to_ours.insert(name.to_string(), ours.clone());
            renames.to_remote.insert(ours, name.to_string());
        }
    }
    check_interface_field_names(types, customization)?;
    for t in types {
        let (Some(name), Some(fields)) = (t["name"].as_str(), t["fields"].as_array()) else { continue };
        let mut seen = std::collections::HashSet::new();
        for field in fields.iter().filter_map(|f| f["name"].as_str()) {
            let ours = field_rename(name, field, customization);
            if !super::names::is_graphql_name(&ours) && !ours.starts_with("__") {
                return Err(format!("customization.field_names: field \"{field}\" of \"{name}\" would be named \"{ours}\", not a valid GraphQL name"));
            }
            if !seen.insert(ours.clone()) {
                return Err(format!("customization.field_names: type \"{name}\" would have two fields named \"{ours}\""));
            }
            if ours != field {
                // A root type's fields are fields of query_root / mutation_root; the type
                // itself may still be printed (another type refers to it): both names.
                let root = match (namespace.is_none(), name == query_remote, Some(name) == mutation_remote) {
                    (true, true, _) => Some("query_root"),
                    (true, _, true) => Some("mutation_root"),
                    _ => None,
                };
                let parents: Vec<String> = root.into_iter().map(str::to_string).chain([renames.ours(name).to_string()]).collect();
                for parent in parents {
                    renames.fields_to_remote.insert((parent, ours.clone()), field.to_string());
                }
            }
        }
    }

    // The remote's root operation types are not types of ours: their fields merge into
    // query_root (or sit under the namespace field, whose type the query type becomes),
    // whatever the remote calls them. One is still printed when another type refers to it.
    let operation_types: Vec<&str> = ["queryType", "mutationType", "subscriptionType"]
        .iter()
        .filter_map(|key| schema[*key]["name"].as_str())
        .collect();
    let referenced = referenced_types(types);
    let mut blocks = Vec::new();
    let mut root_field_definitions = Vec::new();
    let mut root_fields = IndexMap::new();
    let mut mutation_field_definitions = Vec::new();
    let mut mutation_fields = IndexMap::new();
    for t in types {
        let name = t["name"].as_str().unwrap_or_default();
        if is_builtin(name) {
            continue;
        }
        let is_query = name == query_remote;
        let is_mutation = Some(name) == mutation_remote;
        if (is_query || is_mutation) && namespace.is_none() {
            let (definitions, fields) = if is_query {
                (&mut root_field_definitions, &mut root_fields)
            } else {
                (&mut mutation_field_definitions, &mut mutation_fields)
            };
            for field in t["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                let field_name = field["name"].as_str().unwrap_or_default().to_string();
                let ours = field_rename(name, &field_name, customization);
                definitions.push(field_definition(&ours, field, &renames)?);
                fields.insert(ours, Some(field_name));
            }
        }
        let keep_operation_type = ((is_query || is_mutation) && namespace.is_some()) || referenced.contains(name);
        if operation_types.contains(&name) && !keep_operation_type {
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
                    let field_name = field["name"].as_str().ok_or("a field has no name")?;
                    let ours = field_rename(name, field_name, customization);
                    let _ = writeln!(sdl, "  {}", field_definition(&ours, field, &renames)?);
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
    let mutation_type = mutation_remote.map(|m| renames.ours(m).to_string());
    if let Some(namespace) = namespace {
        root_field_definitions.push(format!("{namespace}: {query_type}!"));
        root_fields.insert(namespace.clone(), None);
        if let Some(mutation_type) = &mutation_type {
            mutation_field_definitions.push(format!("{namespace}: {mutation_type}!"));
            mutation_fields.insert(namespace, None);
        }
    }
    Ok(RemoteModel {
        name: remote.name.clone(),
        definition: remote.clone(),
        types: blocks,
        root_field_definitions,
        root_fields,
        mutation_field_definitions,
        mutation_fields,
        mutation_type,
        renames,
        query_type,
        remote_query_type: query_remote.to_string(),
        remote_types: types
            .iter()
            .filter_map(|t| Some((t["name"].as_str()?.to_string(), t.clone())))
            .collect(),
        presets: Default::default(),
        restricted: false,
    })
}

/// Names of the types that a field, an argument or an input field of some type refers to.
fn referenced_types(types: &[Value]) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for t in types {
        for field in t["fields"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            out.extend(named_type(&field["type"]).map(str::to_string));
            for arg in field["args"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                out.extend(named_type(&arg["type"]).map(str::to_string));
            }
        }
        for field in t["inputFields"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            out.extend(named_type(&field["type"]).map(str::to_string));
        }
    }
    out
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

    /// A type reference under our names, with its named type replaced by `name`.
    fn wrapped(&self, t: &Value, name: &str) -> String {
        match t.get("kind").and_then(Value::as_str) {
            Some("NON_NULL") => format!("{}!", self.wrapped(&t["ofType"], name)),
            Some("LIST") => format!("[{}]", self.wrapped(&t["ofType"], name)),
            _ => name.to_string(),
        }
    }

    /// The arguments a relationship field keeps, as Hasura shapes them: one the
    /// template fixes (a `$field`, a literal, null, `[]`) is gone; one it does not name
    /// keeps its type; an input object it fixes in part becomes a generated input type
    /// holding only the free fields, `<Type>_remote_rel_<suffix>`, added to `types`
    /// (name, SDL). `args` are the introspected arguments, `template` the fixed values.
    pub fn free_arguments(
        &self,
        args: &[Value],
        template: &serde_json::Map<String, Value>,
        suffix: &str,
        types: &mut Vec<(String, String)>,
    ) -> Result<Vec<String>, String> {
        let mut parts = Vec::new();
        for arg in args {
            let name = arg["name"].as_str().ok_or("an argument has no name")?;
            let text = match template.get(name) {
                None => {
                    let mut part = format!("{name}: {}", type_ref(&arg["type"], &self.renames)?);
                    if let Some(default) = arg.get("defaultValue").and_then(Value::as_str) {
                        part.push_str(&format!(" = {default}"));
                    }
                    Some(part)
                }
                Some(fixed) => self
                    .free_input_type(&arg["type"], fixed, suffix, types)?
                    .map(|generated| format!("{name}: {}", self.wrapped(&arg["type"], &generated))),
            };
            parts.extend(text);
        }
        Ok(parts)
    }

    /// The generated input type for a value fixed in part, if any field stays free.
    fn free_input_type(
        &self,
        ty: &Value,
        fixed: &Value,
        suffix: &str,
        types: &mut Vec<(String, String)>,
    ) -> Result<Option<String>, String> {
        let object = match fixed {
            Value::Object(object) => object,
            // A one-element list fixes its element; the element may be an object.
            Value::Array(items) if items.len() == 1 => return self.free_input_type(ty, &items[0], suffix, types),
            _ => return Ok(None),
        };
        let Some(remote_name) = named_type(ty) else { return Ok(None) };
        let Some(input) = self.remote_types.get(remote_name).filter(|t| t["kind"].as_str() == Some("INPUT_OBJECT")) else {
            return Ok(None);
        };
        let fields = input["inputFields"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let parts = self.free_arguments(fields, object, suffix, types)?;
        if parts.is_empty() {
            return Ok(None);
        }
        // The same input type fixed at two places (`_and: [{…}]` inside a `where`) is two
        // generated types: the second gets a number.
        let base = format!("{}_remote_rel_{suffix}", self.renames.ours(remote_name));
        let mut generated = base.clone();
        let mut n = 1;
        while types.iter().any(|(name, _)| name == &generated) {
            n += 1;
            generated = format!("{base}_{n}");
        }
        types.push((generated.clone(), format!("input {generated} {{\n  {}\n}}\n\n", parts.join("\n  "))));
        Ok(Some(generated))
    }
}
