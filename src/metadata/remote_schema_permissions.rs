//! Handlers for remote schema permissions: `add_remote_schema_permissions` and
//! `drop_remote_schema_permissions`, stored in the remote schema's entry as Hasura
//! exports them (`permissions: [{role, definition: {schema}, comment}]`). The SDL is
//! checked to be a subset of the remote's stored introspection, presets included.

use serde_json::{json, Value};

use super::document::{array_entry, Metadata};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::compose::stored_introspections;
use crate::schema::remote_permission::{entries, restrict};

/// `add_remote_schema_permissions {remote_schema, role, definition: {schema}, comment}`.
pub fn add(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "add_remote_schema_permissions";
    let name = super::string_arg(args, "remote_schema", call)?;
    let role = super::string_arg(args, "role", call)?;
    let what = format!("{call}: permission for role \"{role}\" on remote schema \"{name}\"");
    if role.is_empty() || role == "admin" {
        meta_bail!("{what}: the role must be a role other than admin");
    }
    let Some(sdl) = args.pointer("/definition/schema").and_then(Value::as_str) else {
        meta_bail!("{what}: \"args.definition.schema\" (the role's SDL) is required");
    };
    let Some(index) = metadata.remote_schemas.iter().position(|r| r.name == name) else {
        meta_bail!("{what}: remote schema \"{name}\" does not exist");
    };
    if entries(&metadata.remote_schemas[index]).iter().any(|p| p["role"] == role.as_str()) {
        meta_bail!("{what}: it already exists (drop it first)");
    }
    let Some(introspection) = stored_introspections().remove(&name) else {
        meta_bail!("{what}: remote schema \"{name}\" has no stored introspection: reload it");
    };
    restrict(&introspection, sdl).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let mut stored = json!({"role": role, "definition": {"schema": sdl}});
    if let Some(comment) = args.get("comment").and_then(Value::as_str) {
        stored["comment"] = Value::String(comment.to_string());
    }
    array_entry(&mut metadata.remote_schemas[index].rest, "permissions").push(stored);
    Ok(())
}

/// `drop_remote_schema_permissions {remote_schema, role}`.
pub fn drop(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "drop_remote_schema_permissions";
    let name = super::string_arg(args, "remote_schema", call)?;
    let role = super::string_arg(args, "role", call)?;
    let what = format!("{call}: permission for role \"{role}\" on remote schema \"{name}\"");
    let Some(remote) = metadata.remote_schemas.iter_mut().find(|r| r.name == name) else {
        meta_bail!("{what}: remote schema \"{name}\" does not exist");
    };
    let Some(Value::Array(list)) = remote.rest.get_mut("permissions") else { meta_bail!("{what}: it does not exist") };
    let before = list.len();
    list.retain(|p| p["role"] != role.as_str());
    if list.len() == before {
        meta_bail!("{what}: it does not exist");
    }
    if list.is_empty() {
        remote.rest.remove("permissions");
    }
    Ok(())
}

/// Permissions whose SDL no longer fits the remote's introspection (the remote
/// changed): the role meanwhile does not see the remote at all.
pub fn inconsistencies(metadata: &Metadata) -> Vec<Value> {
    let introspections = stored_introspections();
    let mut out = Vec::new();
    for remote in &metadata.remote_schemas {
        let Some(introspection) = introspections.get(&remote.name) else { continue };
        for permission in entries(remote) {
            let role = permission["role"].as_str().unwrap_or("?");
            let sdl = permission.pointer("/definition/schema").and_then(Value::as_str).unwrap_or_default();
            if let Err(reason) = restrict(introspection, sdl) {
                out.push(json!({
                    "type": "remote_schema_permission",
                    "name": format!("remote_schema_permission {role} on {}", remote.name),
                    "reason": reason,
                    "definition": {"remote_schema": remote.name, "role": role},
                }));
            }
        }
    }
    out
}

/// Removes the permissions `inconsistencies` reports; whether any was removed.
pub fn drop_inconsistent(metadata: &mut Metadata) -> bool {
    let introspections = stored_introspections();
    let mut changed = false;
    for remote in metadata.remote_schemas.iter_mut() {
        let Some(introspection) = introspections.get(&remote.name) else { continue };
        let Some(Value::Array(list)) = remote.rest.get_mut("permissions") else { continue };
        let before = list.len();
        list.retain(|p| restrict(introspection, p.pointer("/definition/schema").and_then(Value::as_str).unwrap_or_default()).is_ok());
        changed |= list.len() != before;
        if list.is_empty() {
            remote.rest.remove("permissions");
        }
    }
    changed
}
