//! A role's view of a remote schema (Hasura's remote schema permissions): the SDL of a
//! permission, checked to be a subset of the remote's introspected schema, becomes a
//! filtered introspection result that composes like the whole one, and the `@preset`
//! values of arguments and input fields, which leave the role's schema and are
//! injected into every request the role's calls send (`plan::presets`).

use apollo_compiler::ast::{self, Definition, OperationType};
use apollo_compiler::Node;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

use super::remote::{named_type, remote_type_text};
use super::row_filter::is_session_variable;

/// The role's view: the introspection to compose from, and the presets to inject.
#[derive(Debug, Clone)]
pub struct RoleView {
    pub introspection: Value,
    pub presets: Presets,
}

/// Preset arguments by (remote type, field), preset input fields by remote input type.
#[derive(Debug, Clone, Default)]
pub struct Presets {
    pub arguments: HashMap<(String, String), Vec<Preset>>,
    pub input_fields: HashMap<String, Vec<Preset>>,
}

impl Presets {
    pub fn is_empty(&self) -> bool {
        self.arguments.is_empty() && self.input_fields.is_empty()
    }
}

/// One preset: the argument (or input field), its remote type, its value.
#[derive(Debug, Clone)]
pub struct Preset {
    pub name: String,
    pub type_text: String,
    pub value: PresetValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PresetValue {
    Static(Value),
    /// A session variable, by its lower-case name.
    Session(String),
}

const BUILTIN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

/// What a role sees of a remote schema.
pub enum Visibility {
    /// Admin, or a remote without permissions (and the flag off): all of it.
    All,
    Restricted(Box<RoleView>),
    /// No permission for the role, or one that no longer holds (it fails closed).
    Hidden,
}

/// The permission entries of a remote schema (`permissions: [{role, definition: {schema}}]`).
pub fn entries(remote: &crate::metadata::document::RemoteSchema) -> &[Value] {
    remote.rest.get("permissions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// What `caller` sees of `remote`, introspected as `introspection`.
pub fn visibility(caller: &super::permission::Caller, remote: &crate::metadata::document::RemoteSchema, introspection: &Value) -> Visibility {
    let entries = entries(remote);
    if caller.admin || (entries.is_empty() && !crate::settings::remote_schema_permissions()) {
        return Visibility::All;
    }
    let sdl = entries
        .iter()
        .find(|p| p.get("role").and_then(Value::as_str) == Some(caller.role.as_str()))
        .and_then(|p| p.pointer("/definition/schema"))
        .and_then(Value::as_str);
    match sdl.map(|sdl| restrict(introspection, sdl)) {
        Some(Ok(view)) => Visibility::Restricted(Box::new(view)),
        _ => Visibility::Hidden,
    }
}

/// The `__schema` object of an introspection result.
fn schema_of(introspection: &Value) -> Option<&Value> {
    introspection.get("__schema").or_else(|| introspection.get("data").and_then(|d| d.get("__schema")))
}

/// Checks `sdl` against the remote's `introspection` and builds the role's view. The
/// error names the type or field that is not the remote's.
pub fn restrict(introspection: &Value, sdl: &str) -> Result<RoleView, String> {
    let schema = schema_of(introspection).ok_or("the remote's introspection has no __schema")?;
    let remote_types: HashMap<&str, &Value> = schema["types"]
        .as_array()
        .map(|types| types.iter().filter_map(|t| Some((t["name"].as_str()?, t))).collect())
        .unwrap_or_default();
    let document = ast::Document::parse(sdl, "permission.graphql").map_err(|e| {
        let first = e.errors.iter().next().map(|d| d.error.to_string()).unwrap_or_default();
        format!("the schema does not parse: {first}")
    })?;
    let mut view = View { remote_types: &remote_types, kept: Map::new(), presets: Presets::default(), roots: HashMap::new() };
    for definition in &document.definitions {
        view.definition(definition)?;
    }
    view.check_references()?;
    let remote_root = |key: &str| schema[key]["name"].as_str().map(String::from);
    let root = |operation: OperationType, key: &str| -> Result<Option<String>, String> {
        let remote = remote_root(key);
        let ours = match view.roots.get(&operation) {
            Some(name) => Some(name.clone()),
            None => remote.clone().filter(|r| view.kept.contains_key(r)),
        };
        match (&ours, &remote) {
            (Some(o), Some(r)) if o != r => Err(format!("the {key} is \"{o}\"; the remote's is \"{r}\"")),
            (Some(o), None) => Err(format!("the remote schema has no {key} (\"{o}\")")),
            (Some(o), _) if !view.kept.contains_key(o) => Err(format!("the {key} \"{o}\" is not defined")),
            _ => Ok(ours),
        }
    };
    let query = root(OperationType::Query, "queryType")?.ok_or("the schema defines no query root type")?;
    let mutation = root(OperationType::Mutation, "mutationType")?;
    let kept_names: HashSet<String> = view.kept.keys().cloned().collect();
    let mut types: Vec<Value> = view.kept.into_values().map(|t| prune_references(t, &kept_names)).collect();
    // The built-in scalars and introspection types stay as the remote has them.
    types.extend(
        remote_types
            .iter()
            .filter(|(name, _)| name.starts_with("__") || BUILTIN_SCALARS.contains(name))
            .filter(|(name, _)| !kept_names.contains(**name))
            .map(|(_, t)| (*t).clone()),
    );
    let introspection = json!({"__schema": {
        "queryType": {"name": query},
        "mutationType": mutation.map(|m| json!({"name": m})),
        "subscriptionType": null,
        "types": types,
        "directives": schema.get("directives").cloned().unwrap_or(json!([])),
    }});
    Ok(RoleView { introspection, presets: view.presets })
}

struct View<'r> {
    remote_types: &'r HashMap<&'r str, &'r Value>,
    /// The role's types, filtered copies of the remote's, by name.
    kept: Map<String, Value>,
    presets: Presets,
    roots: HashMap<OperationType, String>,
}

impl<'r> View<'r> {
    fn remote(&self, name: &str, kind: &str, what: &str) -> Result<&'r Value, String> {
        let remote: &'r Value = self.remote_types.get(name).copied().ok_or_else(|| format!("{what} \"{name}\" does not exist in the remote schema"))?;
        let remote_kind = remote["kind"].as_str().unwrap_or_default();
        if remote_kind != kind {
            return Err(format!("{what} \"{name}\" is of kind {remote_kind} in the remote schema, not {kind}"));
        }
        Ok(remote)
    }

    fn definition(&mut self, definition: &Definition) -> Result<(), String> {
        match definition {
            Definition::SchemaDefinition(schema) => {
                for operation in &schema.root_operations {
                    let (kind, name) = &**operation;
                    self.roots.insert(*kind, name.to_string());
                }
            }
            Definition::ObjectTypeDefinition(object) => {
                self.with_fields(&object.name, "OBJECT", "type", &object.fields, &object.implements_interfaces)?;
            }
            Definition::InterfaceTypeDefinition(interface) => {
                self.with_fields(&interface.name, "INTERFACE", "interface", &interface.fields, &interface.implements_interfaces)?;
            }
            Definition::UnionTypeDefinition(union) => {
                let remote = self.remote(&union.name, "UNION", "union")?;
                let members = names(&remote["possibleTypes"]);
                if let Some(bad) = union.members.iter().find(|m| !members.contains(m.as_str())) {
                    return Err(format!("union \"{}\": \"{bad}\" is not a member in the remote schema", union.name));
                }
                let mut kept = remote.clone();
                let chosen: HashSet<&str> = union.members.iter().map(|m| m.as_str()).collect();
                kept["possibleTypes"] = filter_named(&remote["possibleTypes"], &chosen);
                self.keep(&union.name, kept)?;
            }
            Definition::EnumTypeDefinition(enumeration) => {
                let remote = self.remote(&enumeration.name, "ENUM", "enum")?;
                let values = names(&remote["enumValues"]);
                if let Some(bad) = enumeration.values.iter().find(|v| !values.contains(v.value.as_str())) {
                    return Err(format!("enum \"{}\": value \"{}\" does not exist in the remote schema", enumeration.name, bad.value));
                }
                let mut kept = remote.clone();
                let chosen: HashSet<&str> = enumeration.values.iter().map(|v| v.value.as_str()).collect();
                kept["enumValues"] = filter_named(&remote["enumValues"], &chosen);
                self.keep(&enumeration.name, kept)?;
            }
            Definition::InputObjectTypeDefinition(input) => {
                let remote = self.remote(&input.name, "INPUT_OBJECT", "input type")?;
                let (kept_fields, presets) =
                    self.input_values(&format!("input type \"{}\"", input.name), &input.fields, &remote["inputFields"])?;
                if !presets.is_empty() {
                    self.presets.input_fields.insert(input.name.to_string(), presets);
                }
                let mut kept = remote.clone();
                kept["inputFields"] = Value::Array(kept_fields);
                self.keep(&input.name, kept)?;
            }
            Definition::ScalarTypeDefinition(scalar) => {
                if !BUILTIN_SCALARS.contains(&scalar.name.as_str()) {
                    let remote = self.remote(&scalar.name, "SCALAR", "scalar")?;
                    self.keep(&scalar.name, remote.clone())?;
                }
            }
            // `directive @preset …` may be declared; extensions and operations have no place here.
            Definition::DirectiveDefinition(_) => {}
            _ => return Err("only type, schema and directive definitions may appear".into()),
        }
        Ok(())
    }

    /// An object type or interface: its chosen fields and interfaces, the remote's.
    fn with_fields(
        &mut self,
        name: &str,
        kind: &str,
        what: &str,
        fields: &[Node<ast::FieldDefinition>],
        interfaces: &[apollo_compiler::Name],
    ) -> Result<(), String> {
        let remote = self.remote(name, kind, what)?;
        let mut kept = remote.clone();
        kept["fields"] = Value::Array(self.fields(name, fields, remote)?);
        self.interfaces(name, interfaces, remote)?;
        self.keep(name, kept)
    }

    fn keep(&mut self, name: &str, kept: Value) -> Result<(), String> {
        if self.kept.insert(name.to_string(), kept).is_some() {
            return Err(format!("type \"{name}\" is defined twice"));
        }
        Ok(())
    }

    fn interfaces(&self, name: &str, chosen: &[apollo_compiler::Name], remote: &Value) -> Result<(), String> {
        let remote_interfaces = names(&remote["interfaces"]);
        match chosen.iter().find(|i| !remote_interfaces.contains(i.as_str())) {
            Some(bad) => Err(format!("type \"{name}\" does not implement \"{bad}\" in the remote schema")),
            None => Ok(()),
        }
    }

    /// The chosen fields of a type, as the remote defines them, without preset arguments.
    fn fields(&mut self, type_name: &str, fields: &[Node<ast::FieldDefinition>], remote: &Value) -> Result<Vec<Value>, String> {
        let mut kept = Vec::new();
        for field in fields {
            let at = format!("field \"{type_name}.{}\"", field.name);
            let remote_field = remote["fields"]
                .as_array()
                .and_then(|fs| fs.iter().find(|f| f["name"].as_str() == Some(field.name.as_str())))
                .ok_or_else(|| format!("{at} does not exist in the remote schema"))?;
            same_type(&at, &field.ty, &remote_field["type"])?;
            let (arguments, presets) = self.input_values(&at, &field.arguments, &remote_field["args"])?;
            if !presets.is_empty() {
                self.presets.arguments.insert((type_name.to_string(), field.name.to_string()), presets);
            }
            let mut copy = remote_field.clone();
            copy["args"] = Value::Array(arguments);
            kept.push(copy);
        }
        Ok(kept)
    }

    /// Arguments or input fields: each the remote's, of the same type; every required
    /// one present; those with `@preset` taken out (returned as presets).
    fn input_values(&self, at: &str, chosen: &[Node<ast::InputValueDefinition>], remote: &Value) -> Result<(Vec<Value>, Vec<Preset>), String> {
        let remote_values = remote.as_array().map(Vec::as_slice).unwrap_or(&[]);
        let mut kept = Vec::new();
        let mut presets = Vec::new();
        for value in chosen {
            let remote_value = remote_values
                .iter()
                .find(|v| v["name"].as_str() == Some(value.name.as_str()))
                .ok_or_else(|| format!("{at}: \"{}\" does not exist in the remote schema", value.name))?;
            let here = format!("{at}: \"{}\"", value.name);
            same_type(&here, &value.ty, &remote_value["type"])?;
            match value.directives.get("preset") {
                Some(directive) => presets.push(self.preset(&here, &value.name, directive, &remote_value["type"])?),
                None => kept.push(remote_value.clone()),
            }
        }
        for remote_value in remote_values {
            let required = remote_value["type"]["kind"].as_str() == Some("NON_NULL") && remote_value["defaultValue"].is_null();
            let name = remote_value["name"].as_str().unwrap_or_default();
            if required && !chosen.iter().any(|v| v.name.as_str() == name) {
                return Err(format!("{at}: \"{name}\" is required by the remote schema and must be kept (or preset)"));
            }
        }
        Ok((kept, presets))
    }

    /// `@preset(value: …, static: Boolean)` on a value of remote type `ty`.
    fn preset(&self, at: &str, name: &str, directive: &ast::Directive, ty: &Value) -> Result<Preset, String> {
        let value = directive.specified_argument_by_name("value").ok_or_else(|| format!("{at}: @preset needs \"value\""))?;
        let literal = matches!(directive.specified_argument_by_name("static").map(|v| &**v), Some(ast::Value::Boolean(true)));
        let value = match &**value {
            ast::Value::String(text) if !literal && is_session_variable(text) => PresetValue::Session(text.to_ascii_lowercase()),
            other => {
                let json = to_json(other).ok_or_else(|| format!("{at}: @preset's value may not hold a variable"))?;
                check_fits(&json, ty, self.remote_types).map_err(|e| format!("{at}: @preset's value {e}"))?;
                PresetValue::Static(json)
            }
        };
        Ok(Preset { name: name.to_string(), type_text: remote_type_text(ty)?, value })
    }

    /// Every type a kept field, argument or input field uses is kept too.
    fn check_references(&self) -> Result<(), String> {
        for (name, kept) in &self.kept {
            let members = kept["fields"].as_array().into_iter().flatten().chain(kept["inputFields"].as_array().into_iter().flatten());
            for member in members {
                let arguments = member["args"].as_array().into_iter().flatten();
                for ty in std::iter::once(&member["type"]).chain(arguments.map(|a| &a["type"])) {
                    let used = named_type(ty).unwrap_or_default();
                    if !BUILTIN_SCALARS.contains(&used) && !self.kept.contains_key(used) {
                        let member_name = member["name"].as_str().unwrap_or_default();
                        return Err(format!("type \"{used}\" (used by \"{name}.{member_name}\") is not defined"));
                    }
                }
            }
        }
        Ok(())
    }
}

fn names(list: &Value) -> HashSet<&str> {
    list.as_array().into_iter().flatten().filter_map(|v| v["name"].as_str()).collect()
}

fn filter_named(list: &Value, chosen: &HashSet<&str>) -> Value {
    Value::Array(
        list.as_array().into_iter().flatten().filter(|v| v["name"].as_str().is_some_and(|n| chosen.contains(n))).cloned().collect(),
    )
}

/// A kept type's interfaces and possible types, limited to the kept ones.
fn prune_references(mut kept: Value, names: &HashSet<String>) -> Value {
    for key in ["interfaces", "possibleTypes"] {
        if let Some(list) = kept[key].as_array_mut() {
            list.retain(|v| v["name"].as_str().is_some_and(|n| names.contains(n)));
        }
    }
    kept
}

/// The SDL type and the remote's type reference are the same type.
fn same_type(at: &str, ty: &ast::Type, remote: &Value) -> Result<(), String> {
    let remote_text = remote_type_text(remote)?;
    let ours = ty.to_string();
    if ours == remote_text {
        Ok(())
    } else {
        Err(format!("{at} is of type {remote_text} in the remote schema, not {ours}"))
    }
}

fn to_json(value: &ast::Value) -> Option<Value> {
    Some(match value {
        ast::Value::Null => Value::Null,
        ast::Value::Enum(name) => Value::String(name.to_string()),
        ast::Value::Variable(_) => return None,
        ast::Value::String(text) => Value::String(text.to_string()),
        ast::Value::Float(f) => json!(f.try_to_f64().ok()?),
        ast::Value::Int(i) => match i.try_to_i32() {
            Ok(n) => json!(n),
            Err(_) => json!(i.try_to_f64().ok()?),
        },
        ast::Value::Boolean(b) => Value::Bool(*b),
        ast::Value::List(items) => Value::Array(items.iter().map(|v| to_json(v)).collect::<Option<Vec<_>>>()?),
        ast::Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| Some((k.to_string(), to_json(v)?))).collect::<Option<Map<_, _>>>()?)
        }
    })
}

/// Whether a static preset fits remote type `ty`; the error says why not.
fn check_fits(value: &Value, ty: &Value, types: &HashMap<&str, &Value>) -> Result<(), String> {
    let text = remote_type_text(ty).unwrap_or_default();
    match (ty["kind"].as_str(), value) {
        (Some("NON_NULL"), Value::Null) => Err(format!("null does not fit {text}")),
        (Some("NON_NULL"), _) => check_fits(value, &ty["ofType"], types),
        (_, Value::Null) => Ok(()),
        (Some("LIST"), Value::Array(items)) => items.iter().try_for_each(|v| check_fits(v, &ty["ofType"], types)),
        (Some("LIST"), single) => check_fits(single, &ty["ofType"], types),
        (_, _) => {
            let name = ty["name"].as_str().unwrap_or_default();
            let definition = types.get(name);
            let kind = definition.and_then(|d| d["kind"].as_str()).unwrap_or("SCALAR");
            let fits = match (kind, name) {
                ("ENUM", _) => value.as_str().is_some_and(|s| definition.is_some_and(|d| names(&d["enumValues"]).contains(s))),
                ("INPUT_OBJECT", _) => match value {
                    Value::Object(fields) => {
                        for (key, v) in fields {
                            let field = definition
                                .and_then(|d| d["inputFields"].as_array())
                                .and_then(|fs| fs.iter().find(|f| f["name"].as_str() == Some(key)))
                                .ok_or_else(|| format!("has a field \"{key}\" that {name} does not"))?;
                            check_fits(v, &field["type"], types)?;
                        }
                        true
                    }
                    _ => false,
                },
                (_, "Int") => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                (_, "Float") => value.is_number(),
                (_, "Boolean") => value.is_boolean(),
                (_, "String") => value.is_string(),
                (_, "ID") => value.is_string() || value.as_i64().is_some(),
                _ => true,
            };
            if fits {
                Ok(())
            } else {
                Err(format!("{value} does not fit {text}"))
            }
        }
    }
}
