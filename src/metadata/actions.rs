//! Handlers for actions and their custom types: `create_action`, `update_action`,
//! `drop_action`, `set_custom_types`. Stored as Hasura exports them: `actions` and
//! `custom_types` at the top of the document. Every change is checked by composing
//! the schema with it, so a body that would not compose is refused.

use serde_json::{json, Value};

use super::document::Metadata;
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::compose::{self, Owner};
use crate::schema::actions::named;
use crate::schema::{model, names::is_graphql_name};

fn actions_mut(metadata: &mut Metadata) -> &mut Vec<Value> {
    super::document::array_entry(&mut metadata.rest, "actions")
}

/// Drops an empty `actions` list, so an export shows none.
fn tidy(metadata: &mut Metadata) {
    if metadata.rest.get("actions").and_then(Value::as_array).is_some_and(Vec::is_empty) {
        metadata.rest.remove("actions");
    }
}

/// The composition's complaints about actions and custom types that `relevant` keeps.
fn problems(metadata: &Metadata, relevant: &dyn Fn(&str) -> bool, own: &str) -> Vec<String> {
    let mut tables = model::build(&crate::settings::exposed_schemas(), metadata);
    let composition = compose::compose(&mut tables, metadata, &compose::stored_introspections());
    composition
        .left_out
        .iter()
        .filter(|l| matches!(l.owner, Owner::Actions) && relevant(&l.name))
        .map(|l| if l.name == own { l.reason.clone() } else { format!("{}: {}", l.name, l.reason) })
        .collect()
}

fn shared_problem(name: &str) -> bool {
    name == "actions and custom_types" || name == "custom_types"
}

pub fn create(metadata: &mut Metadata, args: &Value, replace: bool) -> Result<(), MetadataError> {
    let call = if replace { "update_action" } else { "create_action" };
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: action \"{name}\"");
    if !is_graphql_name(&name) {
        meta_bail!("{what}: the name is not a valid GraphQL name");
    }
    if !args.get("definition").is_some_and(Value::is_object) {
        meta_bail!("{what}: \"args.definition\" must be an object");
    }
    let exists = actions_mut(metadata).iter().any(|a| a["name"].as_str() == Some(&name));
    match (exists, replace) {
        (true, false) => meta_bail!("{what}: it already exists"),
        (false, true) => meta_bail!("{what}: it does not exist"),
        _ => {}
    }
    let mut entry = json!({"name": name, "definition": args["definition"]});
    if let Some(comment) = args.get("comment").filter(|c| c.is_string()) {
        entry["comment"] = comment.clone();
    }
    let mut next = metadata.clone();
    let list = actions_mut(&mut next);
    // update_action changes the definition; the action's permissions stay.
    if let Some(permissions) = list.iter().find(|a| a["name"].as_str() == Some(&name)).and_then(|a| a.get("permissions")) {
        entry["permissions"] = permissions.clone();
    }
    list.retain(|a| a["name"].as_str() != Some(&name));
    list.push(entry);
    let own = format!("action {name}");
    let found = problems(&next, &|n| n == own || shared_problem(n), &own);
    if !found.is_empty() {
        meta_bail!("{what}: {}", found.join("; "));
    }
    *metadata = next;
    Ok(())
}

pub fn drop(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let name = super::string_arg(args, "name", "drop_action")?;
    let name = name.as_str();
    let list = actions_mut(metadata);
    let before = list.len();
    list.retain(|a| a["name"].as_str() != Some(name));
    let removed = list.len() != before;
    tidy(metadata);
    if !removed {
        meta_bail!("drop_action: action \"{name}\" does not exist");
    }
    Ok(())
}

pub fn set_custom_types(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let Some(types) = args.as_object() else {
        meta_bail!("set_custom_types: \"args\" must be an object {{scalars, enums, input_objects, objects}}");
    };
    for key in types.keys() {
        if !matches!(key.as_str(), "scalars" | "enums" | "input_objects" | "objects") {
            meta_bail!("set_custom_types: unknown key \"{key}\" (expected scalars, enums, input_objects, objects)");
        }
        if !types[key].is_array() {
            meta_bail!("set_custom_types: \"{key}\" must be a list");
        }
    }
    let users = actions_using_dropped_types(metadata, args);
    if !users.is_empty() {
        meta_bail!("set_custom_types: cannot drop due to the following dependent objects: {}", users.join(", "));
    }
    let mut next = metadata.clone();
    if types.values().all(|v| v.as_array().is_some_and(Vec::is_empty)) {
        next.rest.remove("custom_types");
    } else {
        next.rest.insert("custom_types".into(), args.clone());
    }
    let found = problems(&next, &|_| true, "");
    if !found.is_empty() {
        meta_bail!("set_custom_types: {}", found.join("; "));
    }
    *metadata = next;
    Ok(())
}

/// `create_action_permission {action, role, comment}`: the role sees the action (admin
/// sees every action; any other role only those it has a permission for).
pub fn create_permission(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "create_action_permission";
    let action = super::string_arg(args, "action", call)?;
    let role = super::string_arg(args, "role", call)?;
    let what = format!("{call}: permission for role \"{role}\" on action \"{action}\"");
    if role.trim().is_empty() {
        meta_bail!("{call}: \"args.role\" must name a role");
    }
    let Some(entry) = actions_mut(metadata).iter_mut().find(|a| a["name"].as_str() == Some(&action)) else {
        tidy(metadata);
        meta_bail!("{what}: action \"{action}\" does not exist");
    };
    let permissions = super::document::array_entry(entry.as_object_mut().ok_or_else(|| MetadataError::new(format!("{what}: the stored action is not an object")))?, "permissions");
    if permissions.iter().any(|p| p["role"].as_str() == Some(&role)) {
        meta_bail!("{what}: it already exists");
    }
    let mut permission = json!({"role": role});
    if let Some(comment) = args.get("comment").filter(|c| c.is_string()) {
        permission["comment"] = comment.clone();
    }
    permissions.push(permission);
    Ok(())
}

/// `drop_action_permission {action, role}`.
pub fn drop_permission(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "drop_action_permission";
    let action = super::string_arg(args, "action", call)?;
    let role = super::string_arg(args, "role", call)?;
    let what = format!("{call}: permission for role \"{role}\" on action \"{action}\"");
    let entry = actions_mut(metadata).iter_mut().find(|a| a["name"].as_str() == Some(&action));
    let removed = match entry.and_then(Value::as_object_mut) {
        Some(entry) => {
            let permissions = super::document::array_entry(entry, "permissions");
            let before = permissions.len();
            permissions.retain(|p| p["role"].as_str() != Some(&role));
            let removed = permissions.len() != before;
            if permissions.is_empty() {
                entry.remove("permissions");
            }
            removed
        }
        None => false,
    };
    tidy(metadata);
    if !removed {
        meta_bail!("{what}: it does not exist");
    }
    Ok(())
}

/// Names of the custom types a `custom_types` body declares.
fn declared_types(custom_types: Option<&Value>) -> Vec<String> {
    ["scalars", "enums", "input_objects", "objects"]
        .iter()
        .flat_map(|key| custom_types.and_then(|c| c.get(*key)).and_then(Value::as_array).cloned().unwrap_or_default())
        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// The actions whose arguments or output use a custom type that `next` (a
/// set_custom_types body) no longer declares: `action placeOrder (custom type OrderInput)`.
fn actions_using_dropped_types(metadata: &Metadata, next: &Value) -> Vec<String> {
    let before = declared_types(metadata.rest.get("custom_types"));
    let after = declared_types(Some(next));
    let dropped: Vec<&String> = before.iter().filter(|t| !after.contains(t)).collect();
    let mut out = Vec::new();
    for action in metadata.rest.get("actions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
        let definition = &action["definition"];
        let mut used: Vec<String> = definition["arguments"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter_map(|a| a["type"].as_str().map(|t| named(t).0))
            .collect();
        used.extend(definition["output_type"].as_str().map(|t| named(t).0));
        for ty in used.iter().filter(|t| dropped.contains(t)) {
            out.push(format!("action {} (custom type {ty})", action["name"].as_str().unwrap_or("?")));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// drop_inconsistent_metadata: removes what `left_out_name` names (see
/// `schema::actions`: "action NAME", "relationship NAME of custom type TYPE", or the
/// custom types as a whole).
pub fn drop_inconsistent(metadata: &mut Metadata, left_out_name: &str) {
    if let Some(name) = left_out_name.strip_prefix("action ") {
        actions_mut(metadata).retain(|a| a["name"].as_str() != Some(name));
    } else if let Some(rest) = left_out_name.strip_prefix("relationship ") {
        if let Some((name, type_name)) = rest.split_once(" of custom type ") {
            if let Some(Value::Array(objects)) = metadata.rest.get_mut("custom_types").and_then(|c| c.get_mut("objects")) {
                for object in objects.iter_mut().filter(|o| o["name"].as_str() == Some(type_name)) {
                    if let Some(Value::Array(list)) = object.get_mut("relationships") {
                        list.retain(|r| r["name"].as_str() != Some(name));
                    }
                }
            }
        }
    } else {
        metadata.rest.remove("actions");
        metadata.rest.remove("custom_types");
    }
    tidy(metadata);
}
