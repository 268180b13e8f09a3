//! Handlers for relationships of remote object types
//! (`create_remote_schema_remote_relationship`, `update_…`, `delete_…`): to another
//! remote schema or to a table. Stored as Hasura exports them, on the remote schema:
//! `remote_relationships: [{type_name, relationships: [{name, definition}]}]`.

use serde_json::{json, Value};

use super::document::{array_entry, Metadata};
use super::remote_relationships::normalise;
use super::string_arg;
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::{compose, model};

/// The relationships stored for `type_name` of remote `remote` (created if absent).
fn relationships_mut<'m>(metadata: &'m mut Metadata, remote: &str, type_name: &str) -> Option<&'m mut Vec<Value>> {
    let schema = metadata.remote_schemas.iter_mut().find(|r| r.name == remote)?;
    let groups = array_entry(&mut schema.rest, "remote_relationships");
    let index = match groups.iter().position(|g| g["type_name"].as_str() == Some(type_name)) {
        Some(i) => i,
        None => {
            groups.push(json!({"type_name": type_name, "relationships": []}));
            groups.len() - 1
        }
    };
    Some(array_entry(groups.get_mut(index)?.as_object_mut()?, "relationships"))
}

/// Drops empty groups, so an export shows no `{type_name, relationships: []}`.
fn tidy(metadata: &mut Metadata, remote: &str) {
    if let Some(schema) = metadata.remote_schemas.iter_mut().find(|r| r.name == remote) {
        if let Some(Value::Array(groups)) = schema.rest.get_mut("remote_relationships") {
            groups.retain(|g| g["relationships"].as_array().is_some_and(|r| !r.is_empty()));
            if groups.is_empty() {
                schema.rest.remove("remote_relationships");
            }
        }
    }
}

/// Checks `entry` as `resolve` will see it, against `metadata` without it.
fn check(metadata: &Metadata, remote: &str, type_name: &str, name: &str, entry: &Value) -> Result<(), String> {
    let mut tables = model::build(&crate::settings::exposed_schemas(), metadata);
    let composition = compose::compose(&mut tables, metadata, &compose::stored_introspections());
    let remote_model = composition
        .remotes
        .iter()
        .find(|r| r.name == remote)
        .ok_or_else(|| format!("remote schema \"{remote}\" is inconsistent; reload it first"))?;
    compose::remote_type_join(&tables, &composition.remotes, remote_model, type_name, name, entry).map(|_| ())
}

pub fn create(metadata: &mut Metadata, args: &Value, call: &str, replace: bool) -> Result<(), MetadataError> {
    let remote = string_arg(args, "remote_schema", call)?;
    let type_name = string_arg(args, "type_name", call)?;
    let name = string_arg(args, "name", call)?;
    let what = format!("{call}: relationship \"{name}\" on type \"{type_name}\" of remote schema \"{remote}\"");
    if !metadata.remote_schemas.iter().any(|r| r.name == remote) {
        meta_bail!("{what}: remote schema \"{remote}\" does not exist");
    }
    let entry = normalise(args, &name).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let mut without = metadata.clone();
    let list = relationships_mut(&mut without, &remote, &type_name)
        .ok_or_else(|| MetadataError::new(format!("{what}: remote schema \"{remote}\" does not exist")))?;
    let exists = list.iter().any(|r| r["name"].as_str() == Some(&name));
    match (exists, replace) {
        (true, false) => meta_bail!("{what}: it already exists"),
        (false, true) => meta_bail!("{what}: it does not exist"),
        _ => {}
    }
    list.retain(|r| r["name"].as_str() != Some(&name));
    check(&without, &remote, &type_name, &name, &entry).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    if let Some(list) = relationships_mut(metadata, &remote, &type_name) {
        list.retain(|r| r["name"].as_str() != Some(&name));
        list.push(entry);
    }
    Ok(())
}

pub fn delete(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "delete_remote_schema_remote_relationship";
    let remote = string_arg(args, "remote_schema", call)?;
    let type_name = string_arg(args, "type_name", call)?;
    let name = string_arg(args, "name", call)?;
    let what = format!("{call}: relationship \"{name}\" on type \"{type_name}\" of remote schema \"{remote}\"");
    let removed = match relationships_mut(metadata, &remote, &type_name) {
        Some(list) => {
            let before = list.len();
            list.retain(|r| r["name"].as_str() != Some(&name));
            list.len() != before
        }
        None => false,
    };
    tidy(metadata, &remote);
    if !removed {
        meta_bail!("{what}: it does not exist");
    }
    Ok(())
}
