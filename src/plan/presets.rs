//! A role's remote schema presets (`schema::remote_permission`) put into what is sent
//! to the remote: preset arguments added to the fields that have them, preset input
//! fields into the input objects that have them (written inline or passed in a
//! variable), each value a generated variable of the preset's type. A value naming a
//! session variable is read from the call's; a missing one stops the request.

use apollo_compiler::ast::{Argument, Value as AstValue};
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::{Name, Node};
use serde_json::{Map, Value};
use std::collections::HashMap;

use crate::schema::remote::RemoteModel;
use crate::schema::remote_permission::{Preset, PresetValue, Presets};

pub struct Injector<'a> {
    presets: &'a Presets,
    remote_types: &'a HashMap<String, Value>,
    session: &'a Map<String, Value>,
    /// The remote's names of its query and mutation types (what `query_root` and
    /// `mutation_root` stand for).
    query_type: &'a str,
    mutation_type: Option<&'a str>,
    /// Generated variables: name, remote type, value.
    pub generated: Vec<(String, String, Value)>,
    /// Client variables that fill an input type with presets: (variable, type reference).
    variable_types: Vec<(String, Value)>,
    /// The first session variable a preset needs and the call lacks.
    pub missing: Option<String>,
}

impl<'a> Injector<'a> {
    /// The injector for `remote`'s presets, if the role has any.
    pub fn for_remote(remote: &'a RemoteModel, session: &'a Map<String, Value>) -> Option<Self> {
        let presets = &remote.presets;
        if presets.is_empty() {
            return None;
        }
        Some(Injector {
            presets,
            remote_types: &remote.remote_types,
            session,
            query_type: &remote.remote_query_type,
            mutation_type: remote.mutation_type.as_deref().map(|ours| remote.renames.remote(ours)),
            generated: Vec::new(),
            variable_types: Vec::new(),
            missing: None,
        })
    }

    /// The remote's name of a parent type as `RemoteDocument` knows it.
    pub fn remote_parent<'p>(&self, parent: &'p str) -> &'p str
    where
        'a: 'p,
    {
        match parent {
            "query_root" => self.query_type,
            "mutation_root" => self.mutation_type.unwrap_or(parent),
            other => other,
        }
    }

    /// A generated variable holding `preset`'s value: its `$name`, or None when the
    /// session variable it names is missing.
    pub fn bind(&mut self, preset: &Preset) -> Option<String> {
        let value = match &preset.value {
            PresetValue::Static(value) => value.clone(),
            PresetValue::Session(name) => match self.session.get(name).and_then(Value::as_str) {
                Some(text) => coerce(text, &preset.type_text),
                None => {
                    self.missing.get_or_insert_with(|| name.clone());
                    return None;
                }
            },
        };
        let name = format!("pgf_preset_{}", self.generated.len());
        self.generated.push((name.clone(), preset.type_text.clone(), value));
        Some(name)
    }

    /// Injects into `field` (already in the remote's names) of remote type `parent`, and below.
    pub fn field(&mut self, field: &mut Node<Field>, parent: &str) {
        let field = field.make_mut();
        let definition = self.remote_types.get(parent).and_then(|t| t["fields"].as_array()).and_then(|fields| {
            fields.iter().find(|f| f["name"].as_str() == Some(field.name.as_str()))
        });
        if let Some(definition) = definition {
            for argument in field.arguments.iter_mut() {
                let ty = definition["args"]
                    .as_array()
                    .and_then(|args| args.iter().find(|a| a["name"].as_str() == Some(argument.name.as_str())))
                    .map(|a| a["type"].clone());
                if let Some(ty) = ty {
                    self.ast_value(&mut argument.make_mut().value, &ty);
                }
            }
        }
        let key = (parent.to_string(), field.name.to_string());
        for preset in self.presets.arguments.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
            let (Some(variable), Ok(name)) = (self.bind(preset), Name::new(&preset.name)) else { continue };
            let Ok(variable) = Name::new(&variable) else { continue };
            field.arguments.retain(|a| a.name != name);
            field.arguments.push(Node::new(Argument { name, value: Node::new(AstValue::Variable(variable)) }));
        }
        self.set(&mut field.selection_set);
    }

    /// Injects into every field of `set` (its type in the remote's names).
    pub fn set(&mut self, set: &mut SelectionSet) {
        let parent = set.ty.to_string();
        for selection in set.selections.iter_mut() {
            match selection {
                Selection::Field(field) => self.field(field, &parent),
                Selection::InlineFragment(inline) => self.set(&mut inline.make_mut().selection_set),
                Selection::FragmentSpread(_) => {}
            }
        }
    }

    /// Input fields into an argument's literal value of type reference `ty`.
    fn ast_value(&mut self, value: &mut Node<AstValue>, ty: &Value) {
        match ty["kind"].as_str() {
            Some("NON_NULL") => return self.ast_value(value, &ty["ofType"]),
            Some("LIST") => {
                match value.make_mut() {
                    AstValue::List(items) => items.iter_mut().for_each(|item| self.ast_value(item, &ty["ofType"])),
                    AstValue::Variable(name) => self.variable_types.push((name.to_string(), ty.clone())),
                    _ => self.ast_value(value, &ty["ofType"]),
                }
                return;
            }
            _ => {}
        }
        let type_name = ty["name"].as_str().unwrap_or_default();
        let Some(input) = self.remote_types.get(type_name).filter(|t| t["kind"] == "INPUT_OBJECT") else { return };
        match value.make_mut() {
            AstValue::Variable(name) => self.variable_types.push((name.to_string(), ty.clone())),
            AstValue::Object(fields) => {
                for (name, field_value) in fields.iter_mut() {
                    if let Some(field_type) = input_field_type(input, name.as_str()) {
                        self.ast_value(field_value, &field_type);
                    }
                }
                for preset in self.presets.input_fields.get(type_name).map(Vec::as_slice).unwrap_or(&[]) {
                    let (Some(variable), Ok(name)) = (self.bind(preset), Name::new(&preset.name)) else { continue };
                    let Ok(variable) = Name::new(&variable) else { continue };
                    fields.retain(|(n, _)| *n != name);
                    fields.push((name, Node::new(AstValue::Variable(variable))));
                }
            }
            _ => {}
        }
    }

    /// Preset input fields into the client variables that fill input types with presets.
    pub fn variables(&mut self, values: &mut Map<String, Value>) {
        for (name, ty) in std::mem::take(&mut self.variable_types) {
            if let Some(value) = values.get_mut(&name) {
                self.json_value(value, &ty);
            }
        }
    }

    /// Preset input fields into a value the engine generated (a join's template
    /// argument) of remote type `type_text`.
    pub fn generated_value(&mut self, value: &mut Value, type_text: &str) {
        self.json_value(value, &type_reference(type_text));
    }

    fn json_value(&mut self, value: &mut Value, ty: &Value) {
        match ty["kind"].as_str() {
            Some("NON_NULL") => return self.json_value(value, &ty["ofType"]),
            Some("LIST") => {
                match value {
                    Value::Array(items) => items.iter_mut().for_each(|item| self.json_value(item, &ty["ofType"])),
                    single => self.json_value(single, &ty["ofType"]),
                }
                return;
            }
            _ => {}
        }
        let type_name = ty["name"].as_str().unwrap_or_default();
        let Some(input) = self.remote_types.get(type_name).filter(|t| t["kind"] == "INPUT_OBJECT") else { return };
        let Value::Object(fields) = value else { return };
        for (name, field_value) in fields.iter_mut() {
            if let Some(field_type) = input_field_type(input, name) {
                self.json_value(field_value, &field_type);
            }
        }
        for preset in self.presets.input_fields.get(type_name).map(Vec::as_slice).unwrap_or(&[]) {
            let value = match &preset.value {
                PresetValue::Static(value) => value.clone(),
                PresetValue::Session(session_name) => match self.session.get(session_name).and_then(Value::as_str) {
                    Some(text) => coerce(text, &preset.type_text),
                    None => {
                        self.missing.get_or_insert_with(|| session_name.clone());
                        continue;
                    }
                },
            };
            fields.insert(preset.name.clone(), value);
        }
    }
}

/// An introspection type reference (`{kind, name, ofType}`) for a type's text (`[T!]!`).
fn type_reference(text: &str) -> Value {
    if let Some(inner) = text.strip_suffix('!') {
        return serde_json::json!({"kind": "NON_NULL", "ofType": type_reference(inner)});
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return serde_json::json!({"kind": "LIST", "ofType": type_reference(inner)});
    }
    serde_json::json!({"name": text})
}

fn input_field_type(input: &Value, name: &str) -> Option<Value> {
    input["inputFields"].as_array()?.iter().find(|f| f["name"].as_str() == Some(name)).map(|f| f["type"].clone())
}

/// A session variable's text as a value of the remote type `type_text`: numbers and
/// Booleans parsed when the type is one (Hasura's coercion), text otherwise.
fn coerce(text: &str, type_text: &str) -> Value {
    let named = type_text.trim_matches(|c| c == '[' || c == ']' || c == '!');
    let parsed = match named {
        "Int" => text.trim().parse::<i64>().ok().map(Value::from),
        "Float" => text.trim().parse::<f64>().ok().and_then(|f| serde_json::Number::from_f64(f).map(Value::Number)),
        "Boolean" => text.trim().parse::<bool>().ok().map(Value::Bool),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_string()))
}
