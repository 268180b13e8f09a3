//! Handlers for table metadata: tracking, customisation and table relationships.

use serde_json::{json, Value};

use super::document::{
    Metadata, QualifiedTable, RelationshipDef, TableConfiguration, TrackedTable, DEFAULT_SOURCE,
};
use super::resolve::{resolve, RelKind};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::names::is_graphql_name;
use crate::schema::reflect::{self, Relation};

/// The `table` argument, which may name a table that no longer exists.
pub(super) fn table_arg(args: &Value, call: &str) -> Result<QualifiedTable, MetadataError> {
    match args.get("table") {
        Some(t) => serde_json::from_value(t.clone()).map_err(|e| MetadataError::new(format!("{call}: \"table\": {e}"))),
        None => meta_bail!("{call}: \"args.table\" is required"),
    }
}

/// The `source` and `table` every table call carries.
pub(super) fn target_table(args: &Value, call: &str) -> Result<(QualifiedTable, Relation), MetadataError> {
    let source = args.get("source").and_then(Value::as_str).unwrap_or(DEFAULT_SOURCE);
    if source != DEFAULT_SOURCE {
        meta_bail!("{call}: source \"{source}\" does not exist");
    }
    let table = table_arg(args, call)?;
    match reflect::relation(&table.schema, &table.name) {
        Some(relation) => Ok((table, relation)),
        None => meta_bail!("{call}: table \"{table}\" does not exist"),
    }
}

pub(super) fn tables_mut(metadata: &mut Metadata) -> &mut Vec<TrackedTable> {
    if metadata.source(DEFAULT_SOURCE).is_none() {
        metadata.sources.push(super::document::Source::default_source());
    }
    match metadata.source_mut(DEFAULT_SOURCE) {
        Some(source) => &mut source.tables,
        None => unreachable!("the default source was just added"),
    }
}

/// The tracked entry of `table`, created (untracked list updated) when missing.
pub(super) fn entry_mut<'m>(metadata: &'m mut Metadata, table: &QualifiedTable) -> &'m mut TrackedTable {
    if let Some(source) = metadata.source_mut(DEFAULT_SOURCE) {
        source.untracked_tables.retain(|t| t != table);
    }
    let tables = tables_mut(metadata);
    let index = match tables.iter().position(|t| &t.table == table) {
        Some(i) => i,
        None => {
            tables.push(TrackedTable::new(table.clone()));
            tables.len() - 1
        }
    };
    &mut tables[index]
}

fn parse_configuration(args: &Value, call: &str, relation: &Relation) -> Result<TableConfiguration, MetadataError> {
    let configuration: TableConfiguration = match args.get("configuration") {
        Some(c) => serde_json::from_value(c.clone())
            .map_err(|e| MetadataError::new(format!("{call}: \"configuration\": {e}")))?,
        None => TableConfiguration::default(),
    };
    let table = format!("{}.{}", relation.schema, relation.name);
    if let Some(name) = &configuration.custom_name {
        if !is_graphql_name(name) {
            meta_bail!("{call}: table \"{table}\": custom_name \"{name}\" is not a valid GraphQL name");
        }
    }
    for root in [
        &configuration.custom_root_fields.select,
        &configuration.custom_root_fields.select_by_pk,
        &configuration.custom_root_fields.select_aggregate,
    ] {
        if root.is_some() {
            match super::document::CustomRootFields::name_of(root) {
                Some(name) if is_graphql_name(name) => {}
                _ => meta_bail!("{call}: table \"{table}\": custom root field names must be valid GraphQL names"),
            }
        }
    }
    for (column, config) in &configuration.column_config {
        if !relation.columns.iter().any(|c| &c.name == column) {
            meta_bail!("{call}: table \"{table}\": column \"{column}\" in column_config does not exist");
        }
        if let Some(name) = &config.custom_name {
            if !is_graphql_name(name) {
                meta_bail!("{call}: table \"{table}\": custom name \"{name}\" of column \"{column}\" is not a valid GraphQL name");
            }
        }
    }
    Ok(configuration)
}

pub fn track(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let (table, relation) = target_table(args, "pg_track_table")?;
    if metadata.default_tables().iter().any(|t| t.table == table) {
        meta_bail!("pg_track_table: table \"{table}\" is already tracked");
    }
    let configuration = parse_configuration(args, "pg_track_table", &relation)?;
    entry_mut(metadata, &table).configuration = configuration;
    Ok(())
}

pub fn set_customization(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let (table, relation) = target_table(args, "pg_set_table_customization")?;
    let configuration = parse_configuration(args, "pg_set_table_customization", &relation)?;
    entry_mut(metadata, &table).configuration = configuration;
    Ok(())
}

pub fn untrack(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_untrack_table";
    let source = args.get("source").and_then(Value::as_str).unwrap_or(DEFAULT_SOURCE);
    if source != DEFAULT_SOURCE {
        meta_bail!("{call}: source \"{source}\" does not exist");
    }
    // The table may already be gone (dropped): untracking it must still work.
    let table = table_arg(args, call)?;
    let cascade = args.get("cascade").and_then(Value::as_bool).unwrap_or(false);
    if metadata.default_untracked().contains(&table) {
        meta_bail!("{call}: table \"{table}\" is not tracked");
    }
    // Relationships elsewhere that point at this table depend on it.
    let mut dependents = Vec::new();
    for other in metadata.default_tables() {
        if other.table == table {
            continue;
        }
        for (rel, kind) in other
            .object_relationships
            .iter()
            .map(|r| (r, RelKind::Object))
            .chain(other.array_relationships.iter().map(|r| (r, RelKind::Array)))
        {
            if relationship_target(&other.table, rel, kind).as_ref() == Some(&table) {
                dependents.push((other.table.clone(), rel.name.clone()));
            }
        }
    }
    if !dependents.is_empty() && !cascade {
        let list: Vec<String> = dependents.iter().map(|(t, r)| format!("relationship \"{r}\" on \"{t}\"")).collect();
        meta_bail!("{call}: cannot untrack \"{table}\": {} depends on it (pass \"cascade\": true)", list.join(", "));
    }
    for (owner, name) in dependents {
        if let Some(entry) = tables_mut(metadata).iter_mut().find(|t| t.table == owner) {
            entry.object_relationships.retain(|r| r.name != name);
            entry.array_relationships.retain(|r| r.name != name);
        }
    }
    tables_mut(metadata).retain(|t| t.table != table);
    if let Some(source) = metadata.source_mut(DEFAULT_SOURCE) {
        source.untracked_tables.push(table);
    }
    Ok(())
}

/// Where a stored relationship points, if it still resolves.
fn relationship_target(owner: &QualifiedTable, def: &RelationshipDef, kind: RelKind) -> Option<QualifiedTable> {
    let relation = reflect::relation(&owner.schema, &owner.name)?;
    let lookup = |t: &QualifiedTable| reflect::relation(&t.schema, &t.name);
    resolve(&relation, def, kind, &lookup).ok().map(|r| r.target)
}

pub fn create_relationship(metadata: &mut Metadata, args: &Value, kind: RelKind) -> Result<(), MetadataError> {
    let call = match kind {
        RelKind::Object => "pg_create_object_relationship",
        RelKind::Array => "pg_create_array_relationship",
    };
    let (table, relation) = target_table(args, call)?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: relationship \"{name}\" on table \"{table}\"");
    if !is_graphql_name(&name) {
        meta_bail!("{what}: the name is not a valid GraphQL name");
    }
    let using = match args.get("using") {
        Some(u) => u.clone(),
        None => meta_bail!("{what}: \"using\" is required"),
    };
    let def = RelationshipDef {
        name: name.clone(),
        using,
        comment: args.get("comment").and_then(Value::as_str).map(String::from),
    };
    let existing = metadata.default_tables().iter().find(|t| t.table == table);
    let field_names = column_field_names(&relation, existing.map(|t| &t.configuration));
    if field_names.iter().any(|f| f == &name) {
        meta_bail!("{what}: a column of that name exists");
    }
    if existing.map(|t| t.relationship_names().contains(&name)).unwrap_or(false) {
        meta_bail!("{what}: a relationship of that name exists");
    }
    let lookup = |t: &QualifiedTable| reflect::relation(&t.schema, &t.name);
    resolve(&relation, &def, kind, &lookup).map_err(|reason| MetadataError::new(format!("{what}: {reason}")))?;
    let entry = entry_mut(metadata, &table);
    match kind {
        RelKind::Object => entry.object_relationships.push(def),
        RelKind::Array => entry.array_relationships.push(def),
    }
    Ok(())
}

/// GraphQL field names of the table's columns, custom names applied.
fn column_field_names(relation: &Relation, configuration: Option<&TableConfiguration>) -> Vec<String> {
    relation
        .columns
        .iter()
        .map(|c| {
            configuration
                .and_then(|cfg| cfg.column_config.get(&c.name))
                .and_then(|cc| cc.custom_name.clone())
                .unwrap_or_else(|| c.name.clone())
        })
        .collect()
}

pub fn drop_relationship(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_drop_relationship";
    let table = table_arg(args, call)?;
    let name = match args.get("relationship").and_then(Value::as_str) {
        Some(n) => n.to_string(),
        None => meta_bail!("{call}: \"args.relationship\" is required"),
    };
    let entry = tables_mut(metadata).iter_mut().find(|t| t.table == table);
    let entry = match entry {
        Some(e) => e,
        None => meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist"),
    };
    let before = entry.object_relationships.len() + entry.array_relationships.len();
    entry.object_relationships.retain(|r| r.name != name);
    entry.array_relationships.retain(|r| r.name != name);
    if entry.object_relationships.len() + entry.array_relationships.len() == before {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist");
    }
    Ok(())
}

pub fn rename_relationship(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_rename_relationship";
    let (table, relation) = target_table(args, call)?;
    let (name, new_name) = match (args.get("name").and_then(Value::as_str), args.get("new_name").and_then(Value::as_str)) {
        (Some(a), Some(b)) => (a.to_string(), b.to_string()),
        _ => meta_bail!("{call}: \"name\" and \"new_name\" are required"),
    };
    if !is_graphql_name(&new_name) {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\": \"{new_name}\" is not a valid GraphQL name");
    }
    let entry = tables_mut(metadata).iter_mut().find(|t| t.table == table);
    let entry = match entry {
        Some(e) => e,
        None => meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist"),
    };
    if entry.relationship_names().contains(&new_name)
        || column_field_names(&relation, Some(&entry.configuration)).contains(&new_name)
    {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\": \"{new_name}\" is already a field");
    }
    let mut found = false;
    for rel in entry.object_relationships.iter_mut().chain(entry.array_relationships.iter_mut()) {
        if rel.name == name {
            rel.name = new_name.clone();
            found = true;
        }
    }
    if !found {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist");
    }
    Ok(())
}

/// Objects of the document that no longer resolve against the catalog, in
/// Hasura's `inconsistent_objects` shape.
pub fn inconsistencies(metadata: &Metadata) -> Vec<Value> {
    let mut out = Vec::new();
    let lookup = |t: &QualifiedTable| reflect::relation(&t.schema, &t.name);
    for entry in metadata.default_tables() {
        let relation = match lookup(&entry.table) {
            Some(r) => r,
            None => {
                out.push(json!({"type": "table", "name": format!("table {}", entry.table),
                    "reason": format!("table \"{}\" does not exist", entry.table),
                    "definition": entry.table}));
                continue;
            }
        };
        for (def, kind) in entry
            .object_relationships
            .iter()
            .map(|r| (r, RelKind::Object))
            .chain(entry.array_relationships.iter().map(|r| (r, RelKind::Array)))
        {
            if let Err(reason) = resolve(&relation, def, kind, &lookup) {
                out.push(json!({
                    "type": format!("{}_relation", kind.label()),
                    "name": format!("relationship {} in table {}", def.name, entry.table),
                    "reason": reason,
                    "definition": {"table": entry.table, "name": def.name, "using": def.using},
                }));
            }
        }
    }
    out
}

/// Removes what `inconsistencies` reports; returns whether anything was removed.
pub fn drop_inconsistent(metadata: &mut Metadata) -> bool {
    let lookup = |t: &QualifiedTable| reflect::relation(&t.schema, &t.name);
    let mut changed = false;
    let tables = tables_mut(metadata);
    let before = tables.len();
    tables.retain(|t| lookup(&t.table).is_some());
    changed |= tables.len() != before;
    for entry in tables.iter_mut() {
        let relation = match lookup(&entry.table) {
            Some(r) => r,
            None => continue,
        };
        let n = entry.object_relationships.len() + entry.array_relationships.len();
        entry.object_relationships.retain(|d| resolve(&relation, d, RelKind::Object, &lookup).is_ok());
        entry.array_relationships.retain(|d| resolve(&relation, d, RelKind::Array, &lookup).is_ok());
        changed |= entry.object_relationships.len() + entry.array_relationships.len() != n;
    }
    changed
}
