//! Composition: the tables' model plus every remote schema, checked for name
//! clashes, printed as one SDL. A remote that clashes is left out (and reported);
//! adding one that clashes is refused by the metadata API with the same check.

use apollo_compiler::Schema;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

use super::model::Model;
use super::remote::{self, RemoteModel};
use super::remote_join;
use super::sdl;
use crate::metadata::document::{Metadata, RemoteSchema};
use crate::spi;

pub struct Composition {
    pub sdl: String,
    pub remotes: Vec<RemoteModel>,
    /// Remote schemas and remote relationships left out, with the reason.
    pub left_out: Vec<LeftOut>,
}

/// Metadata that does not compose any more: inconsistent.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// The remote schema's name, or the relationship's.
    pub name: String,
    /// For a remote relationship, the table it is on.
    pub table: Option<crate::metadata::document::QualifiedTable>,
    pub reason: String,
}

impl LeftOut {
    fn remote(name: &str, reason: String) -> LeftOut {
        LeftOut { name: name.to_string(), table: None, reason }
    }

    /// Hasura's `inconsistent_objects` entry.
    pub fn to_json(&self) -> Value {
        match &self.table {
            None => serde_json::json!({"type": "remote_schema", "name": format!("remote_schema {}", self.name),
                                       "reason": self.reason, "definition": {"name": self.name}}),
            Some(t) => serde_json::json!({"type": "remote_relationship",
                                          "name": format!("remote_relationship {} in table {t}", self.name),
                                          "reason": self.reason, "definition": {"name": self.name, "table": t}}),
        }
    }
}

/// Stored introspection results by remote schema name.
pub fn stored_introspections() -> HashMap<String, Value> {
    let value = spi::catalog_json(
        "select coalesce(jsonb_object_agg(remote_schema, introspection), '{}'::jsonb)
           from graphql.remote_schema_introspection",
        &[],
    );
    match value {
        Value::Object(map) => map.into_iter().collect(),
        _ => HashMap::new(),
    }
}

/// Names of the types and root fields the tables' part of the schema defines.
fn table_names(model: &Model) -> (HashSet<String>, HashSet<String>) {
    let text = sdl::print(model, &[]);
    let types = match Schema::parse(text, "tables.graphql") {
        Ok(schema) => schema.types.keys().map(|k| k.to_string()).collect(),
        Err(with_errors) => with_errors.partial.types.keys().map(|k| k.to_string()).collect(),
    };
    (types, model.roots.keys().cloned().collect())
}

/// Why `candidate` cannot join a schema that already has these names, if it cannot.
fn clash(candidate: &RemoteModel, types: &HashSet<String>, roots: &HashSet<String>) -> Option<String> {
    for (name, is_scalar, _) in &candidate.types {
        if !is_scalar && types.contains(name) {
            return Some(format!(
                "type \"{name}\" is already defined by a table or another remote schema; \
                 set customization.type_names (a prefix) to rename the remote's types"
            ));
        }
    }
    for root in candidate.root_fields.keys() {
        if roots.contains(root) {
            return Some(format!(
                "root field \"{root}\" is already defined by a table or another remote schema; \
                 set customization.root_fields_namespace"
            ));
        }
    }
    None
}

fn accept(remote: &RemoteModel, types: &mut HashSet<String>, roots: &mut HashSet<String>) {
    for (name, _, _) in &remote.types {
        types.insert(name.clone());
    }
    roots.extend(remote.root_fields.keys().cloned());
}

/// Attaches the tables' remote relationships to the model; those that no longer
/// resolve (a dropped column, a reloaded remote without the field) are left out
/// and returned with the reason.
fn attach_remote_relationships(model: &mut Model, metadata: &Metadata, remotes: &[RemoteModel]) -> Vec<LeftOut> {
    let mut left_out = Vec::new();
    for entry in metadata.default_tables() {
        let Some(list) = entry.rest.get("remote_relationships").and_then(Value::as_array) else { continue };
        let Some(table) = model.tables.iter_mut().find(|t| t.schema == entry.table.schema && t.name == entry.table.name) else {
            continue;
        };
        for item in list {
            let name = item.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let left = |reason: String| LeftOut { name: name.clone(), table: Some(entry.table.clone()), reason };
            let resolved = remote_join::definition(item).and_then(|def| {
                let index = remotes
                    .iter()
                    .position(|r| r.name == def.remote_schema)
                    .ok_or_else(|| format!("remote schema \"{}\" is not available", def.remote_schema))?;
                remote_join::resolve(table, &name, &def, &remotes[index], index)
            });
            match resolved {
                Ok(rel) if !table.fields.contains_key(&name) => {
                    table.fields.insert(name, super::model::FieldRef::RemoteRelationship(table.remote_relationships.len()));
                    table.remote_relationships.push(rel);
                }
                Ok(_) => left_out.push(left(format!("\"{name}\" is already a field of the table"))),
                Err(reason) => left_out.push(left(reason)),
            }
        }
    }
    left_out
}

/// Composes the tables' model with the remote schemas of `metadata`.
pub fn compose(model: &mut Model, metadata: &Metadata, introspections: &HashMap<String, Value>) -> Composition {
    let (mut types, mut roots) = table_names(model);
    let mut remotes = Vec::new();
    let mut left_out = Vec::new();
    for remote in &metadata.remote_schemas {
        let Some(introspection) = introspections.get(&remote.name) else {
            left_out.push(LeftOut::remote(&remote.name, "no stored introspection: reload the remote schema".into()));
            continue;
        };
        let built = match remote::from_introspection(remote, introspection) {
            Ok(m) => m,
            Err(e) => {
                left_out.push(LeftOut::remote(&remote.name, e));
                continue;
            }
        };
        if let Some(reason) = clash(&built, &types, &roots) {
            left_out.push(LeftOut::remote(&remote.name, reason));
            continue;
        }
        accept(&built, &mut types, &mut roots);
        remotes.push(built);
    }
    left_out.extend(attach_remote_relationships(model, metadata, &remotes));
    Composition { sdl: sdl::print(model, &remotes), remotes, left_out }
}

/// The metadata API's check for a remote schema being added or updated: it must
/// compose with the tables (as the current role sees them) and the other remotes,
/// and the composed schema must be valid.
pub fn check_candidate(model: &mut Model, metadata: &Metadata, candidate: &RemoteSchema, introspection: &Value) -> Result<(), String> {
    let mut introspections = stored_introspections();
    introspections.insert(candidate.name.clone(), introspection.clone());
    // The candidate goes last, so a clash is always reported against it.
    let mut with_candidate = metadata.clone();
    with_candidate.remote_schemas.retain(|r| r.name != candidate.name);
    with_candidate.remote_schemas.push(candidate.clone());
    let composition = compose(model, &with_candidate, &introspections);
    if let Some(left) = composition.left_out.iter().find(|l| l.table.is_none() && l.name == candidate.name) {
        return Err(left.reason.clone());
    }
    Schema::parse_and_validate(composition.sdl, "schema.graphql")
        .map_err(|e| format!("the composed schema would be invalid: {}", e.errors))?;
    Ok(())
}
