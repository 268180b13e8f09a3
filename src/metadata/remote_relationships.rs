//! Handlers for a table's remote relationships: to a remote schema, in both of
//! Hasura's forms (`definition.to_remote_schema` and the legacy `hasura_fields`/
//! `remote_schema`/`remote_field`), stored in the current form; and to a table of
//! this database or of a source (`definition.to_source`).

use serde_json::{json, Value};

use super::document::{Metadata, QualifiedTable};
use super::tables::{entry_mut, find_mut, table_arg, target_table, TableAt};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::join_resolve::table_lhs;
use crate::schema::{compose, join_definition, model, names::is_graphql_name};

/// The stored (current) form of a relationship body.
pub fn normalise(args: &Value, name: &str) -> Result<Value, String> {
    let def = args.get("definition").unwrap_or(args);
    if let Some(to) = def.get("to_source") {
        join_definition::target(args)?;
        return Ok(json!({"name": name, "definition": {"to_source": to}}));
    }
    let def = join_definition::definition(args)?;
    let mut to = json!({
        "remote_schema": def.remote_schema,
        "lhs_fields": def.lhs_fields,
        "remote_field": def.remote_field,
    });
    if let Some(batch) = def.batch {
        to["batch"] = batch.clone();
    }
    Ok(json!({"name": name, "definition": {"to_remote_schema": to}}))
}

fn remote_list<'m>(metadata: &'m mut Metadata, table: &TableAt) -> &'m mut Vec<Value> {
    super::document::array_entry(&mut entry_mut(metadata, table).rest, "remote_relationships")
}

/// Checks `entry` against the table and its target, as `resolve` will see them.
fn check(metadata: &Metadata, at: &TableAt, name: &str, entry: &Value) -> Result<(), String> {
    let table = at.local();
    let mut tables = model::build(&crate::settings::exposed_schemas(), metadata);
    let composition = compose::compose(&mut tables, metadata, &compose::stored_introspections());
    let table_model = tables
        .tables
        .iter()
        .find(|t| t.schema == table.schema && t.name == table.name)
        .ok_or_else(|| format!("table \"{at}\" is not exposed"))?;
    if table_model.fields.contains_key(name) {
        return Err(format!("\"{name}\" is already a field of the table (a column or another relationship)"));
    }
    let identifier = crate::schema::names::relation_type_name(&table.schema, &table.name);
    compose::resolve_join(&tables, &composition.remotes, &identifier, name, entry, &|fields| table_lhs(table_model, fields))
        .map(|_| ())
}

pub fn create(metadata: &mut Metadata, args: &Value, call: &str, replace: bool) -> Result<(), MetadataError> {
    let (table, _) = target_table(metadata, args, call)?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: remote relationship \"{name}\" on table \"{table}\"");
    if !is_graphql_name(&name) {
        meta_bail!("{what}: the name is not a valid GraphQL name");
    }
    let entry = normalise(args, &name).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let exists = metadata
        .tables_of(&table.source)
        .iter()
        .find(|t| t.table == table.table)
        .and_then(|t| t.rest.get("remote_relationships"))
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|r| r["name"].as_str() == Some(&name)));
    match (exists, replace) {
        (true, false) => meta_bail!("{what}: it already exists"),
        (false, true) => meta_bail!("{what}: it does not exist"),
        _ => {}
    }
    // Check against the document without the relationship being replaced.
    let mut without = metadata.clone();
    remote_list(&mut without, &table).retain(|r| r["name"].as_str() != Some(&name));
    check(&without, &table, &name, &entry).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let list = remote_list(metadata, &table);
    list.retain(|r| r["name"].as_str() != Some(&name));
    list.push(entry);
    Ok(())
}

pub fn delete(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_delete_remote_relationship";
    let table = table_arg(args, call)?;
    let name = super::string_arg(args, "name", call)?;
    let Some(entry) = find_mut(metadata, &table) else {
        meta_bail!("{call}: remote relationship \"{name}\" on table \"{table}\" does not exist");
    };
    let Some(Value::Array(list)) = entry.rest.get_mut("remote_relationships") else {
        meta_bail!("{call}: remote relationship \"{name}\" on table \"{table}\" does not exist");
    };
    let before = list.len();
    list.retain(|r| r["name"].as_str() != Some(&name));
    if list.len() == before {
        meta_bail!("{call}: remote relationship \"{name}\" on table \"{table}\" does not exist");
    }
    Ok(())
}

/// Removes a remote relationship (drop_inconsistent_metadata); `table` is where this
/// database holds it (a source's table under the source's schema).
pub fn remove(metadata: &mut Metadata, table: &QualifiedTable, name: &str) {
    let (source, table) = metadata.source_table(table);
    metadata.remove_table_remote_relationship(&source, &table, name);
}


