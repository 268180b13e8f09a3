//! Field collection (GraphQL spec, CollectFields): fragments are inlined, `@skip` and
//! `@include` applied, fields with the same response key merged, and argument values
//! resolved against the variables into plain JSON.

use apollo_compiler::ast::Value as AstValue;
use apollo_compiler::executable::{Field as AstField, Selection, SelectionSet};
use apollo_compiler::{ExecutableDocument, Node, Schema};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::collections::HashSet;

use super::walk::{self, Rules};

/// A field as the planner sees it.
#[derive(Debug, Clone)]
pub struct Field {
    pub response_key: String,
    pub name: String,
    /// Arguments given (variables substituted); absent ones are absent.
    pub arguments: Map<String, Value>,
    /// Sub-fields, collected for the field's (concrete) type.
    pub selection: Vec<Field>,
    /// The AST fields merged into this one: what a remote receives, printed as is.
    pub ast: Vec<Node<AstField>>,
}

impl Field {
    pub fn argument(&self, name: &str) -> Option<&Value> {
        self.arguments.get(name).filter(|v| !v.is_null())
    }
}

pub struct Collector<'a> {
    pub schema: &'a Schema,
    pub document: &'a ExecutableDocument,
    pub variables: &'a Map<String, Value>,
}

impl Collector<'_> {
    /// Collects the fields of `selection_set` that apply to object type `type_name`.
    pub fn collect(&self, selection_set: &SelectionSet, type_name: &str) -> Vec<Field> {
        let mut grouped: IndexMap<String, Vec<&Node<AstField>>> = IndexMap::new();
        self.group(selection_set, type_name, &mut grouped, &mut HashSet::new());
        self.finish(grouped)
    }

    /// The AST fields of `selection_set` for `type_name`, grouped by response key
    /// (fragments inlined, directives applied): what is forwarded to a remote as is.
    pub fn group_ast<'d>(&'d self, selection_set: &'d SelectionSet, type_name: &str) -> IndexMap<String, Vec<&'d Node<AstField>>> {
        let mut grouped = IndexMap::new();
        self.group(selection_set, type_name, &mut grouped, &mut HashSet::new());
        grouped
    }

    /// The planner's field for AST fields sharing response key `key`.
    pub fn field(&self, key: &str, fields: Vec<&Node<AstField>>) -> Option<Field> {
        let mut grouped = IndexMap::new();
        grouped.insert(key.to_string(), fields);
        self.finish(grouped).pop()
    }

    fn finish(&self, grouped: IndexMap<String, Vec<&Node<AstField>>>) -> Vec<Field> {
        grouped
            .into_iter()
            .filter_map(|(key, fields)| {
                let first = *fields.first()?;
                let inner_type = first.ty().inner_named_type().to_string();
                let mut merged: IndexMap<String, Vec<&Node<AstField>>> = IndexMap::new();
                // One set of visited fragments for the merged fields: a fragment spread
                // in several of them adds the same fields again, and expanding it each
                // time multiplies the work at every level.
                let mut visited = HashSet::new();
                for f in &fields {
                    self.group(&f.selection_set, &inner_type, &mut merged, &mut visited);
                }
                Some(Field {
                    response_key: key,
                    name: first.name.to_string(),
                    arguments: self.arguments(first),
                    selection: self.finish(merged),
                    ast: fields.iter().map(|f| (*f).clone()).collect(),
                })
            })
            .collect()
    }

    fn group<'d>(
        &'d self,
        selection_set: &'d SelectionSet,
        type_name: &str,
        out: &mut IndexMap<String, Vec<&'d Node<AstField>>>,
        visited: &mut HashSet<&'d str>,
    ) {
        let mut rules = Rules {
            keep: &|selection: &Selection| self.included(selection.directives()),
            applies: &|condition: &str| self.applies(condition, type_name),
            visited: Some(visited),
        };
        walk::fields(self.document, selection_set, &mut rules, &mut |_, field| {
            out.entry(field.response_key().to_string()).or_default().push(field);
        });
    }

    fn applies(&self, condition: &str, type_name: &str) -> bool {
        condition == type_name || self.schema.is_subtype(condition, type_name)
    }

    /// `@skip(if: true)` drops, `@include(if: false)` drops.
    pub fn included(&self, directives: &apollo_compiler::executable::DirectiveList) -> bool {
        for directive in directives.iter() {
            let condition = directive
                .specified_argument_by_name("if")
                .and_then(|v| self.value(v))
                .and_then(|v| v.as_bool());
            match (directive.name.as_str(), condition) {
                ("skip", Some(true)) => return false,
                ("include", Some(false)) => return false,
                _ => {}
            }
        }
        true
    }

    fn arguments(&self, field: &AstField) -> Map<String, Value> {
        let mut out = Map::new();
        for argument in &field.arguments {
            if let Some(value) = self.value(&argument.value) {
                out.insert(argument.name.to_string(), value);
            }
        }
        out
    }

    /// A literal with variables substituted; `None` for an unset variable, which
    /// leaves the argument (or object field) out, as the spec says.
    pub fn value(&self, value: &AstValue) -> Option<Value> {
        Some(match value {
            AstValue::Null => Value::Null,
            AstValue::Enum(name) => Value::String(name.to_string()),
            AstValue::Variable(name) => return self.variables.get(name.as_str()).cloned(),
            AstValue::String(s) => Value::String(s.clone()),
            AstValue::Boolean(b) => Value::Bool(*b),
            AstValue::Int(i) => serde_json::from_str(i.as_str()).unwrap_or(Value::Null),
            AstValue::Float(f) => serde_json::from_str(f.as_str()).unwrap_or(Value::Null),
            AstValue::List(items) => Value::Array(items.iter().map(|v| self.value(v).unwrap_or(Value::Null)).collect()),
            AstValue::Object(fields) => Value::Object(
                fields.iter().filter_map(|(k, v)| Some((k.to_string(), self.value(v)?))).collect(),
            ),
        })
    }
}
