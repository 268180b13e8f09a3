//! Handlers for computed fields: `pg_add_computed_field` and `pg_drop_computed_field`,
//! stored in the table's entry as Hasura exports them (`computed_fields: [{name,
//! definition: {function, table_argument, session_argument}, comment}]`).

use serde_json::{json, Value};

use super::dependents::Dependent;
use super::document::{array_entry, Metadata};
use super::tables::{entry_mut, find_mut, table_arg, target_table, TableAt};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::{computed, names::is_graphql_name};

/// The remote relationships of the table that join on field `name`, as Hasura names them.
fn used_by(metadata: &Metadata, at: &TableAt, name: &str) -> Vec<String> {
    let entry = metadata.tables_of(&at.source).iter().find(|t| t.table == at.table);
    let relationships = entry.and_then(|e| e.rest.get("remote_relationships")).and_then(Value::as_array);
    relationships
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter(|r| {
            let lhs = r.pointer("/definition/to_remote_schema/lhs_fields").or_else(|| r.pointer("/definition/hasura_fields"));
            let mapped = r.pointer("/definition/to_source/field_mapping").and_then(Value::as_object);
            lhs.and_then(Value::as_array).is_some_and(|l| l.iter().any(|f| f.as_str() == Some(name)))
                || mapped.is_some_and(|m| m.contains_key(name))
        })
        .map(|r| {
            let name = r["name"].as_str().unwrap_or("?").to_string();
            Dependent::Table { source: at.source.clone(), table: at.table.clone(), name }.to_string()
        })
        .collect()
}

pub fn add(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_add_computed_field";
    let (at, relation) = target_table(metadata, args, call)?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: the computed field \"{name}\" cannot be added to table \"{at}\"");
    if !is_graphql_name(&name) {
        meta_bail!("{what}: \"{name}\" is not a valid GraphQL name");
    }
    let entry = metadata.tables_of(&at.source).iter().find(|t| t.table == at.table);
    let column_names = super::tables::column_field_names(&relation, entry.map(|e| &e.configuration));
    if relation.columns.iter().any(|c| c.name == name) || column_names.contains(&name) {
        meta_bail!("{what}: a column of that name exists");
    }
    let taken = entry.is_some_and(|e| {
        e.relationship_names().contains(&name)
            || e.rest.get("computed_fields").and_then(Value::as_array).is_some_and(|l| l.iter().any(|c| c["name"] == name))
    });
    if taken {
        meta_bail!("{what}: a relationship or computed field of that name exists");
    }
    let Some(definition) = args.get("definition").filter(|d| d.is_object()) else {
        meta_bail!("{what}: \"definition\" must be an object {{function, table_argument, session_argument}}");
    };
    let mut stored = json!({"name": name, "definition": definition});
    if let Some(comment) = args.get("comment").and_then(Value::as_str) {
        stored["comment"] = Value::String(comment.to_string());
    }
    computed::resolve(&at.local(), &stored).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let mut next = metadata.clone();
    array_entry(&mut entry_mut(&mut next, &at).rest, "computed_fields").push(stored);
    super::composes(&next).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    *metadata = next;
    Ok(())
}

pub fn drop(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_drop_computed_field";
    let at = table_arg(args, call)?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: computed field \"{name}\" of table \"{at}\"");
    let users = used_by(metadata, &at, &name);
    if !users.is_empty() {
        meta_bail!("{what}: cannot drop due to the following dependent objects: {}", users.join(", "));
    }
    let Some(entry) = find_mut(metadata, &at) else { meta_bail!("{what}: it does not exist") };
    let Some(Value::Array(list)) = entry.rest.get_mut("computed_fields") else { meta_bail!("{what}: it does not exist") };
    let before = list.len();
    list.retain(|c| c["name"].as_str() != Some(&name));
    if list.len() == before {
        meta_bail!("{what}: it does not exist");
    }
    if list.is_empty() {
        entry.rest.remove("computed_fields");
    }
    Ok(())
}
