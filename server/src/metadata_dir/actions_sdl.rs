//! Actions as the Hasura CLI keeps them: `actions.graphql` holds their GraphQL side (each
//! action a field of `type Query` or `type Mutation`, and the custom types), `actions.yaml`
//! the rest (handler, headers, permissions, comment; custom objects' relationships).

use apollo_compiler::ast::{Definition, Document, FieldDefinition, InputValueDefinition};
use serde_json::{json, Map, Value};

const KINDS: [&str; 4] = ["enums", "input_objects", "objects", "scalars"];

/// `actions.yaml` (its `actions` and `custom_types`) and `actions.graphql` as the
/// document's `actions` and `custom_types`.
pub fn merge(yaml: Value, sdl: &str, sdl_file: &str) -> Result<(Value, Value), String> {
    let document = Document::parse(sdl, sdl_file).map_err(|errors| format!("{sdl_file}: bad GraphQL: {errors}"))?;
    let mut fields: Vec<(&'static str, &FieldDefinition)> = Vec::new();
    let mut types: Map<String, Value> = KINDS.iter().map(|k| (k.to_string(), Value::Array(Vec::new()))).collect();
    for definition in &document.definitions {
        match definition {
            Definition::ObjectTypeDefinition(object) if matches!(object.name.as_str(), "Query" | "Mutation") => {
                let kind = if object.name == "Query" { "query" } else { "mutation" };
                fields.extend(object.fields.iter().map(|f| (kind, &**f)));
            }
            Definition::ObjectTypeExtension(object) if matches!(object.name.as_str(), "Query" | "Mutation") => {
                let kind = if object.name == "Query" { "query" } else { "mutation" };
                fields.extend(object.fields.iter().map(|f| (kind, &**f)));
            }
            Definition::ObjectTypeDefinition(object) => {
                let mut entry = named(object.name.as_str(), object.description.as_deref());
                entry.insert("fields".into(), Value::Array(object.fields.iter().map(|f| field(f.name.as_str(), &f.ty.to_string(), f.description.as_deref())).collect()));
                push(&mut types, "objects", entry);
            }
            Definition::InputObjectTypeDefinition(input) => {
                let mut entry = named(input.name.as_str(), input.description.as_deref());
                entry.insert("fields".into(), Value::Array(input.fields.iter().map(|f| input_value(f)).collect()));
                push(&mut types, "input_objects", entry);
            }
            Definition::ScalarTypeDefinition(scalar) => push(&mut types, "scalars", named(scalar.name.as_str(), scalar.description.as_deref())),
            Definition::EnumTypeDefinition(e) => {
                let mut entry = named(e.name.as_str(), e.description.as_deref());
                let values = e.values.iter().map(|v| {
                    let mut value = Map::new();
                    value.insert("value".into(), json!(v.value.as_str()));
                    if let Some(d) = v.description.as_deref() {
                        value.insert("description".into(), json!(d));
                    }
                    Value::Object(value)
                });
                entry.insert("values".into(), Value::Array(values.collect()));
                push(&mut types, "enums", entry);
            }
            other => return Err(format!("{sdl_file}: {} is not an action or a custom type", describe(other))),
        }
    }

    // The YAML side: actions by name; custom types' other keys (relationships) by name.
    let yaml_actions = yaml.get("actions").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut actions = Vec::new();
    for entry in yaml_actions {
        let name = entry.get("name").and_then(Value::as_str).ok_or("actions.yaml: an action has no name")?.to_string();
        let (kind, sdl_field) = fields
            .iter()
            .find(|(_, f)| f.name == name.as_str())
            .ok_or_else(|| format!("actions.yaml: action \"{name}\" has no field in {sdl_file} (type Query or type Mutation)"))?;
        let mut entry = entry.as_object().cloned().unwrap_or_default();
        let definition = entry.entry("definition").or_insert_with(|| json!({}));
        let definition = definition.as_object_mut().ok_or_else(|| format!("actions.yaml: action \"{name}\": definition must be a map"))?;
        // The SDL's root type says what the action is, as the Hasura CLI reads it; a
        // mutation's `type` stays as actions.yaml has it (written or left out).
        if *kind == "query" || definition.contains_key("type") {
            definition.insert("type".into(), json!(kind));
        }
        definition.insert("arguments".into(), Value::Array(sdl_field.arguments.iter().map(|a| input_value(a)).collect()));
        definition.insert("output_type".into(), json!(sdl_field.ty.to_string()));
        actions.push(Value::Object(entry));
    }
    for (_, f) in &fields {
        if !actions.iter().any(|a| a["name"] == f.name.as_str()) {
            return Err(format!("{sdl_file}: field \"{}\" is not an action of actions.yaml", f.name));
        }
    }
    if let Some(Value::Object(extra)) = yaml.get("custom_types") {
        for (kind, entries) in extra {
            for entry in entries.as_array().into_iter().flatten() {
                let Some(name) = entry.get("name").and_then(Value::as_str) else { continue };
                let list = types.entry(kind.clone()).or_insert_with(|| Value::Array(Vec::new()));
                let found = list.as_array_mut().and_then(|l| l.iter_mut().find(|t| t["name"] == name));
                match (found, entry.as_object()) {
                    (Some(Value::Object(target)), Some(source)) => {
                        for (k, v) in source {
                            target.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    _ => return Err(format!("actions.yaml: custom type \"{name}\" ({kind}) is not defined in {sdl_file}")),
                }
            }
        }
    }
    Ok((Value::Array(actions), Value::Object(types)))
}

/// The document's `actions` and `custom_types` as (`actions.yaml`, `actions.graphql`).
pub fn split(actions: &Value, custom_types: &Value) -> (Value, String) {
    let mut queries = Vec::new();
    let mut mutations = Vec::new();
    let mut yaml_actions = Vec::new();
    for action in actions.as_array().into_iter().flatten() {
        let mut entry = action.as_object().cloned().unwrap_or_default();
        let name = entry.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        if let Some(Value::Object(definition)) = entry.get_mut("definition") {
            let arguments = definition.remove("arguments").unwrap_or(Value::Null);
            let output = definition.remove("output_type").and_then(|o| o.as_str().map(str::to_string)).unwrap_or_default();
            let is_query = definition.get("type") == Some(&json!("query"));
            // A query action's `type` is said by `type Query`, as the Hasura CLI writes it.
            if is_query {
                definition.remove("type");
            }
            let line = format!("  {name}{}: {output}", arguments_sdl(&arguments));
            if is_query { queries.push(line) } else { mutations.push(line) }
        }
        yaml_actions.push(Value::Object(entry));
    }
    let mut sdl = String::new();
    for (root, lines) in [("Query", &queries), ("Mutation", &mutations)] {
        if !lines.is_empty() {
            sdl.push_str(&format!("type {root} {{\n{}\n}}\n\n", lines.join("\n")));
        }
    }
    let mut yaml_types = Map::new();
    for kind in KINDS {
        let mut kept = Vec::new();
        for entry in custom_types.get(kind).and_then(Value::as_array).into_iter().flatten() {
            sdl.push_str(&type_sdl(kind, entry));
            // The description stays in actions.yaml too: the Hasura CLI reads it there.
            let mut rest = entry.as_object().cloned().unwrap_or_default();
            for key in ["fields", "values"] {
                rest.remove(key);
            }
            kept.push(Value::Object(rest));
        }
        yaml_types.insert(kind.into(), Value::Array(kept));
    }
    (json!({"actions": yaml_actions, "custom_types": yaml_types}), sdl)
}

fn type_sdl(kind: &str, entry: &Value) -> String {
    let name = entry["name"].as_str().unwrap_or_default();
    let mut out = description(entry.get("description"), "");
    match kind {
        "scalars" => out.push_str(&format!("scalar {name}\n\n")),
        "enums" => {
            out.push_str(&format!("enum {name} {{\n"));
            for value in entry["values"].as_array().into_iter().flatten() {
                out.push_str(&description(value.get("description"), "  "));
                out.push_str(&format!("  {}\n", value["value"].as_str().unwrap_or_default()));
            }
            out.push_str("}\n\n");
        }
        _ => {
            let keyword = if kind == "objects" { "type" } else { "input" };
            out.push_str(&format!("{keyword} {name} {{\n"));
            for field in entry["fields"].as_array().into_iter().flatten() {
                out.push_str(&description(field.get("description"), "  "));
                out.push_str(&format!("  {}{}: {}\n", field["name"].as_str().unwrap_or_default(), arguments_sdl(&field["arguments"]), field["type"].as_str().unwrap_or_default()));
            }
            out.push_str("}\n\n");
        }
    }
    out
}

fn arguments_sdl(arguments: &Value) -> String {
    let Some(list) = arguments.as_array().filter(|l| !l.is_empty()) else { return String::new() };
    let each: Vec<String> = list
        .iter()
        .map(|a| {
            let text = description(a.get("description"), "");
            format!("{}{}: {}", text.replace('\n', " "), a["name"].as_str().unwrap_or_default(), a["type"].as_str().unwrap_or_default())
        })
        .collect();
    format!("({})", each.join(", "))
}

/// A description as a GraphQL string (escaped), before a definition.
fn description(text: Option<&Value>, indent: &str) -> String {
    match text.and_then(Value::as_str) {
        Some(text) => format!("{indent}{}\n", Value::String(text.to_string())),
        None => String::new(),
    }
}

fn named(name: &str, description: Option<&str>) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("name".into(), json!(name));
    if let Some(d) = description {
        entry.insert("description".into(), json!(d));
    }
    entry
}

fn field(name: &str, ty: &str, description: Option<&str>) -> Value {
    let mut entry = named(name, description);
    entry.insert("type".into(), json!(ty));
    Value::Object(entry)
}

fn input_value(value: &InputValueDefinition) -> Value {
    field(value.name.as_str(), &value.ty.to_string(), value.description.as_deref())
}

fn push(types: &mut Map<String, Value>, kind: &str, entry: Map<String, Value>) {
    if let Some(Value::Array(list)) = types.get_mut(kind) {
        list.push(Value::Object(entry));
    }
}

fn describe(definition: &Definition) -> String {
    match definition.name() {
        Some(name) => format!("\"{name}\""),
        None => "a definition without a name".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_then_merge_gives_the_document_back() {
        let actions = json!([
            {"name": "login", "definition": {"kind": "synchronous", "handler": "http://h/login",
              "arguments": [{"name": "username", "type": "String!"}, {"name": "password", "type": "String!", "description": "in \"clear\""}],
              "output_type": "LoginResponse"}, "comment": "logs in"},
            {"name": "rates", "definition": {"handler": "http://h/rates", "type": "query", "arguments": [], "output_type": "[Rate!]!"}}
        ]);
        let custom_types = json!({
            "enums": [{"name": "Currency", "values": [{"value": "EUR"}, {"value": "USD", "description": "dollars"}]}],
            "input_objects": [{"name": "Range", "fields": [{"name": "from", "type": "Int"}]}],
            "objects": [{"name": "LoginResponse", "description": "a token", "fields": [{"name": "token", "type": "String!"}],
                         "relationships": [{"name": "user", "type": "object", "remote_table": "users", "field_mapping": {"id": "id"}}]},
                        {"name": "Rate", "fields": [{"name": "currency", "type": "Currency!"}]}],
            "scalars": [{"name": "Money"}]
        });
        let (yaml, sdl) = split(&actions, &custom_types);
        assert!(sdl.contains("type Query {\n  rates: [Rate!]!\n}"), "{sdl}");
        assert!(yaml["actions"][0]["definition"].get("arguments").is_none());
        let (actions_back, types_back) = merge(yaml, &sdl, "actions.graphql").unwrap();
        assert_eq!(actions_back, actions);
        assert_eq!(types_back, custom_types);
    }

    #[test]
    fn an_action_without_a_field_is_named() {
        let error = merge(json!({"actions": [{"name": "ghost", "definition": {}}]}), "type Mutation { other: Int }", "actions.graphql").unwrap_err();
        assert!(error.contains("action \"ghost\" has no field"), "{error}");
        let error = merge(Value::Null, "type Mutation { other: Int", "actions.graphql").unwrap_err();
        assert!(error.contains("actions.graphql: bad GraphQL"), "{error}");
    }
}
