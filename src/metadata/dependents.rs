//! What depends on a remote schema, a source or a table: the relationships Hasura
//! names when it refuses to drop one ("cannot drop due to the following dependent
//! objects: …"), and their removal when the call cascades.

use serde_json::Value;

use super::document::{Metadata, QualifiedTable, DEFAULT_SOURCE};
use crate::schema::join_definition::{self, Target};

/// What is being dropped.
pub enum Dropped<'a> {
    RemoteSchema(&'a str),
    Source(&'a str),
    Table { source: &'a str, table: &'a QualifiedTable },
}

/// Where a dependent relationship is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Dependent {
    /// A remote relationship of a tracked table.
    Table { source: String, table: QualifiedTable, name: String },
    /// A relationship of a remote schema's type.
    RemoteType { remote: String, type_name: String, name: String },
    /// A relationship of an action's custom output type.
    CustomType { type_name: String, name: String },
}

/// Hasura's names of the objects: `remote relationship orders.user in source "default"`
/// (a table of `public` without its schema), `remote_relationship author on type Review
/// in remote schema products_api`.
impl std::fmt::Display for Dependent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dependent::Table { source, table, name } => {
                let table = if table.schema == "public" { table.name.clone() } else { table.to_string() };
                write!(f, "remote relationship {table}.{name} in source \"{source}\"")
            }
            Dependent::RemoteType { remote, type_name, name } => {
                write!(f, "remote_relationship {name} on type {type_name} in remote schema {remote}")
            }
            Dependent::CustomType { type_name, name } => write!(f, "relationship {name} of custom type {type_name}"),
        }
    }
}

/// Whether a stored relationship entry joins to `dropped`.
fn targets(entry: &Value, dropped: &Dropped) -> bool {
    match (join_definition::target(entry), dropped) {
        (Ok(Target::Remote(def)), Dropped::RemoteSchema(name)) => def.remote_schema == *name,
        (Ok(Target::Source(def)), Dropped::Source(name)) => def.source == *name,
        (Ok(Target::Source(def)), Dropped::Table { source, table }) => def.source == *source && &def.table == *table,
        _ => false,
    }
}

fn list(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

fn name_of(entry: &Value) -> String {
    entry.get("name").and_then(Value::as_str).unwrap_or_default().to_string()
}

/// Every relationship that joins to `dropped`, except those the drop removes anyway
/// (a remote schema's own type relationships, a source's own tables').
pub fn find(metadata: &Metadata, dropped: &Dropped) -> Vec<Dependent> {
    let mut out = Vec::new();
    for source in &metadata.sources {
        if matches!(dropped, Dropped::Source(name) if *name == source.name) {
            continue;
        }
        for tracked in &source.tables {
            if matches!(dropped, Dropped::Table { source: s, table } if *s == source.name && *table == &tracked.table) {
                continue;
            }
            for entry in list(tracked.rest.get("remote_relationships")) {
                if targets(entry, dropped) {
                    out.push(Dependent::Table {
                        source: source.name.clone(),
                        table: tracked.table.clone(),
                        name: name_of(entry),
                    });
                }
            }
        }
    }
    for remote in &metadata.remote_schemas {
        if matches!(dropped, Dropped::RemoteSchema(name) if *name == remote.name) {
            continue;
        }
        for group in list(remote.rest.get("remote_relationships")) {
            let type_name = group.get("type_name").and_then(Value::as_str).unwrap_or_default();
            for entry in list(group.get("relationships")) {
                if targets(entry, dropped) {
                    out.push(Dependent::RemoteType {
                        remote: remote.name.clone(),
                        type_name: type_name.to_string(),
                        name: name_of(entry),
                    });
                }
            }
        }
    }
    for object in list(metadata.rest.get("custom_types").and_then(|c| c.get("objects"))) {
        let type_name = object.get("name").and_then(Value::as_str).unwrap_or_default();
        for relationship in list(object.get("relationships")) {
            let source = relationship.get("source").and_then(Value::as_str).unwrap_or(DEFAULT_SOURCE);
            let table: Option<QualifiedTable> =
                relationship.get("remote_table").and_then(|t| serde_json::from_value(t.clone()).ok());
            let hit = match dropped {
                Dropped::Source(name) => source == *name,
                Dropped::Table { source: s, table: t } => source == *s && table.as_ref() == Some(*t),
                Dropped::RemoteSchema(_) => false,
            };
            if hit {
                out.push(Dependent::CustomType { type_name: type_name.to_string(), name: name_of(relationship) });
            }
        }
    }
    out
}

/// Hasura's refusal: "cannot drop due to the following dependent objects: …".
pub fn refusal(dependents: &[Dependent]) -> String {
    let mut names: Vec<String> = dependents.iter().map(Dependent::to_string).collect();
    names.sort();
    format!("cannot drop due to the following dependent objects: {}", names.join(", "))
}

/// Removes the dependents (a cascading drop).
pub fn remove(metadata: &mut Metadata, dependents: &[Dependent]) {
    for dependent in dependents {
        match dependent {
            Dependent::Table { source, table, name } => metadata.remove_table_remote_relationship(source, table, name),
            Dependent::RemoteType { remote, type_name, name } => {
                metadata.remove_remote_type_relationship(remote, type_name, name)
            }
            Dependent::CustomType { type_name, name } => metadata.remove_custom_type_relationship(type_name, name),
        }
    }
}
