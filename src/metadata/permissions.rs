//! Handlers for table permissions: `pg_create_{select,insert,update,delete}_permission`,
//! `pg_drop_*_permission` and `pg_set_permission_comment`, stored in the table's entry
//! as Hasura exports them (`select_permissions: [{role, permission, comment}]`, …).
//! A body is checked against the catalog before it is stored: its columns exist, its
//! filters resolve, their literal values are of their columns' types.

use serde_json::{json, Map, Value};

use super::document::{array_entry, Metadata, QualifiedTable, TrackedTable};
use super::tables::{find_mut, table_arg, target_table, TableAt};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::permission::{self, KINDS};
use crate::schema::reflect::{self, Relation};
use crate::schema::row_filter::{Catalog, Operand, RowFilter};

/// `pg_create_<kind>_permission {table, role, permission, comment, source}`.
pub fn create(metadata: &mut Metadata, args: &Value, kind: &str) -> Result<(), MetadataError> {
    let call = format!("pg_create_{kind}_permission");
    let (at, relation) = target_table(metadata, args, &call)?;
    let role = role_arg(args, &call)?;
    let what = format!("{call}: {kind} permission for role \"{role}\" on table \"{at}\"");
    let Some(entry) = metadata.tables_of(&at.source).iter().find(|t| t.table == at.table) else {
        meta_bail!("{what}: the table is not tracked (pg_track_table it first)");
    };
    if permission::for_role(permission::entries(entry, kind), &role).is_some() {
        meta_bail!("{what}: it already exists (drop it first, or set its comment)");
    }
    let Some(body) = args.get("permission") else { meta_bail!("{what}: \"args.permission\" is required") };
    check(metadata, kind, body, &relation, entry).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let mut stored = json!({"role": role, "permission": body});
    if let Some(comment) = args.get("comment").and_then(Value::as_str) {
        stored["comment"] = Value::String(comment.to_string());
    }
    let Some(entry) = find_mut(metadata, &at) else { meta_bail!("{what}: the table is not tracked") };
    array_entry(&mut entry.rest, &format!("{kind}_permissions")).push(stored);
    Ok(())
}

/// `pg_drop_<kind>_permission {table, role, source}`.
pub fn drop(metadata: &mut Metadata, args: &Value, kind: &str) -> Result<(), MetadataError> {
    let call = format!("pg_drop_{kind}_permission");
    let at = table_arg(args, &call)?;
    let role = role_arg(args, &call)?;
    let what = format!("{call}: {kind} permission for role \"{role}\" on table \"{at}\"");
    let key = format!("{kind}_permissions");
    let Some(entry) = find_mut(metadata, &at) else { meta_bail!("{what}: it does not exist") };
    let Some(Value::Array(list)) = entry.rest.get_mut(&key) else { meta_bail!("{what}: it does not exist") };
    let before = list.len();
    list.retain(|p| p.get("role").and_then(Value::as_str) != Some(role.as_str()));
    if list.len() == before {
        meta_bail!("{what}: it does not exist");
    }
    if list.is_empty() {
        entry.rest.remove(&key);
    }
    Ok(())
}

/// `pg_set_permission_comment {table, role, type, comment, source}`: a null or absent
/// comment removes it.
pub fn set_comment(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_set_permission_comment";
    let at = table_arg(args, call)?;
    let role = role_arg(args, call)?;
    let kind = super::string_arg(args, "type", call)?;
    if !KINDS.contains(&kind.as_str()) {
        meta_bail!("{call}: \"type\" must be one of {}, got \"{kind}\"", KINDS.join(", "));
    }
    let what = format!("{call}: {kind} permission for role \"{role}\" on table \"{at}\"");
    let comment = match args.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => meta_bail!("{what}: \"comment\" must be a string, got {other}"),
    };
    let Some(entry) = find_mut(metadata, &at) else { meta_bail!("{what}: it does not exist") };
    let list = entry.rest.get_mut(&format!("{kind}_permissions")).and_then(Value::as_array_mut);
    let found = list.and_then(|l| l.iter_mut().find(|p| p.get("role").and_then(Value::as_str) == Some(role.as_str())));
    let Some(Value::Object(stored)) = found else { meta_bail!("{what}: it does not exist") };
    match comment {
        Some(text) => stored.insert("comment".into(), Value::String(text)),
        None => stored.remove("comment"),
    };
    Ok(())
}

/// Every stored permission that no longer checks, in Hasura's `inconsistent_objects`
/// shape. A role's table whose select permission is inconsistent is hidden from it.
pub fn inconsistencies(metadata: &Metadata) -> Vec<Value> {
    let mut out = Vec::new();
    for source in &metadata.sources {
        for entry in &source.tables {
            let at = TableAt { source: source.name.clone(), table: entry.table.clone() };
            let local = at.local();
            let Some(relation) = reflect::relation(&local.schema, &local.name) else { continue };
            for kind in KINDS {
                for stored in permission::entries(entry, kind) {
                    let role = stored.get("role").and_then(Value::as_str).unwrap_or("?");
                    let body = stored.get("permission").unwrap_or(&Value::Null);
                    if let Err(reason) = check(metadata, kind, body, &relation, entry) {
                        out.push(json!({
                            "type": format!("{kind}_permission"),
                            "name": format!("{kind} permission for role {role} on table {at}"),
                            "reason": reason,
                            "definition": {"table": entry.table, "role": role, "permission": body},
                        }));
                    }
                }
            }
        }
    }
    out
}

/// Removes the permissions `inconsistencies` reports; whether any was removed.
pub fn drop_inconsistent(metadata: &mut Metadata) -> bool {
    // Each permission is checked once, here (not by `inconsistencies` first).
    let snapshot = metadata.clone();
    let mut changed = false;
    for source in metadata.sources.iter_mut() {
        for entry in source.tables.iter_mut() {
            let Some(original) = snapshot.source(&source.name).and_then(|s| s.tables.iter().find(|t| t.table == entry.table)) else {
                continue;
            };
            let local = TableAt { source: source.name.clone(), table: entry.table.clone() }.local();
            let Some(relation) = reflect::relation(&local.schema, &local.name) else { continue };
            for kind in KINDS {
                let key = format!("{kind}_permissions");
                let Some(Value::Array(list)) = entry.rest.get_mut(&key) else { continue };
                let before = list.len();
                list.retain(|p| check(&snapshot, kind, p.get("permission").unwrap_or(&Value::Null), &relation, original).is_ok());
                changed |= list.len() != before;
                if list.is_empty() {
                    entry.rest.remove(&key);
                }
            }
        }
    }
    changed
}

/// `args.role`: a role name other than `admin` (Hasura's rule: admin has every right).
fn role_arg(args: &Value, call: &str) -> Result<String, MetadataError> {
    let role = super::string_arg(args, "role", call)?;
    if role.is_empty() {
        meta_bail!("{call}: \"args.role\" must not be empty");
    }
    if role == "admin" {
        meta_bail!("{call}: cannot define permission for admin role");
    }
    Ok(role)
}

/// Checks a permission body of `kind` on the table of `entry`; the error names the
/// key that is wrong.
fn check(metadata: &Metadata, kind: &str, body: &Value, relation: &Relation, entry: &TrackedTable) -> Result<(), String> {
    let tracked = metadata.local_tables();
    let relation_of = |t: &QualifiedTable| reflect::relation(&t.schema, &t.name);
    let entry_of = |t: &QualifiedTable| tracked.iter().find(|e| &e.table == t).cloned();
    let catalog = Catalog { relation: &relation_of, entry: &entry_of };
    let object = permission::object(body)?;
    let mut filters = Vec::new();
    match kind {
        "select" => {
            let restriction = permission::select_restriction(body, relation, &catalog)?;
            let computed = entry.rest.get("computed_fields").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(missing) = restriction.computed_fields.iter().find(|n| !computed.iter().any(|c| c["name"] == **n)) {
                return Err(format!("\"computed_fields\": computed field \"{missing}\" does not exist"));
            }
            filters.extend(restriction.filter);
        }
        "insert" | "update" => {
            permission::columns(object, relation)?;
            filters.extend(permission::filter(object, "check", relation, &catalog)?);
            if kind == "update" {
                filters.extend(permission::filter(object, "filter", relation, &catalog)?);
            }
            check_presets(object, relation)?;
            if let Some(flag) = object.get("backend_only").filter(|v| !v.is_null() && !v.is_boolean()) {
                return Err(format!("\"backend_only\" must be a Boolean, got {flag}"));
            }
        }
        _ => filters.extend(permission::filter(object, "filter", relation, &catalog)?),
    }
    filters.iter().try_for_each(check_literals)
}

/// `set`: column presets, each a literal of the column's type or a session variable.
fn check_presets(body: &Map<String, Value>, relation: &Relation) -> Result<(), String> {
    let presets = match body.get("set") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(map)) => map,
        Some(other) => return Err(format!("\"set\" must be an object of column presets, got {other}")),
    };
    for (name, value) in presets {
        let column = relation.columns.iter().find(|c| &c.name == name).ok_or_else(|| format!("\"set\": column \"{name}\" does not exist"))?;
        match value {
            Value::String(text) if crate::schema::row_filter::is_session_variable(text) => {}
            Value::Null => {}
            Value::Object(_) | Value::Array(_) if !column.sql_type.starts_with("json") => {
                return Err(format!("\"set\": column \"{name}\" expects a {} value, got {value}", column.sql_type))
            }
            other => check_cast(&text_of(other), &column.sql_type).map_err(|e| format!("\"set\": column \"{name}\": {e}"))?,
        }
    }
    Ok(())
}

/// Every literal operand of `filter` is of its column's type.
fn check_literals(filter: &RowFilter) -> Result<(), String> {
    match filter {
        RowFilter::All(items) | RowFilter::Any(items) => items.iter().try_for_each(check_literals),
        RowFilter::Not(inner) | RowFilter::Related { filter: inner, .. } | RowFilter::Exists { filter: inner, .. } => {
            check_literals(inner)
        }
        RowFilter::Compare { column, op, operand: Operand::Literal(value) } => {
            use crate::schema::filter_op::FilterOp::*;
            let (texts, sql_type) = match op {
                IsNull => return Ok(()),
                Like | Nlike | Ilike | Nilike | Similar | Nsimilar | Regex | Nregex | Iregex | Niregex | HasKey => {
                    (vec![text_of(value)], "text".to_string())
                }
                In | Nin => (value.as_array().map(|l| l.iter().map(text_of).collect()).unwrap_or_else(|| vec![text_of(value)]), column.sql_type.clone()),
                _ if column.ty.is_list || column.sql_type.starts_with("json") => return Ok(()),
                _ => (vec![text_of(value)], column.sql_type.clone()),
            };
            texts
                .iter()
                .try_for_each(|t| check_cast(t, &sql_type))
                .map_err(|e| format!("column \"{}\", \"{}\": {e}", column.name, op.name()))
        }
        RowFilter::Compare { .. } => Ok(()),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether Postgres reads `text` as a value of `sql_type` (the error is Postgres').
fn check_cast(text: &str, sql_type: &str) -> Result<(), String> {
    let sql = format!("select to_jsonb($1::{sql_type})");
    let params = [Some(text.to_string())];
    crate::spi::in_subtransaction(move || crate::spi::catalog_json(&sql, &params)).map(|_| ()).map_err(|e| e.message)
}

/// `old` renamed where a bool_exp names a field (column or relationship) of its own
/// table: its keys, and those under `_and`, `_or` and `_not` (a relationship's object
/// names the other table's fields, and is left alone).
pub(super) fn rename_own_key(exp: &mut Value, old: &str, new: &str) {
    let Value::Object(map) = exp else { return };
    for key in ["_and", "_or"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            items.iter_mut().for_each(|item| rename_own_key(item, old, new));
        }
    }
    if let Some(inner) = map.get_mut("_not") {
        rename_own_key(inner, old, new);
    }
    if let Some(value) = map.remove(old) {
        map.insert(new.to_string(), value);
    }
}

/// Whether a bool_exp names `key` as a field of its own table.
fn uses_own_key(exp: &Value, key: &str) -> bool {
    let Value::Object(map) = exp else { return false };
    map.contains_key(key)
        || ["_and", "_or"].iter().any(|k| map.get(*k).and_then(Value::as_array).is_some_and(|items| items.iter().any(|i| uses_own_key(i, key))))
        || map.get("_not").is_some_and(|inner| uses_own_key(inner, key))
}

/// The permissions of `entry` whose `filter` or `check` use relationship `name`, as
/// (kind, role).
pub(super) fn using_relationship(entry: &TrackedTable, name: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for kind in KINDS {
        for stored in permission::entries(entry, kind) {
            let body = stored.get("permission");
            let uses = ["filter", "check"].iter().any(|k| body.and_then(|b| b.get(*k)).is_some_and(|exp| uses_own_key(exp, name)));
            if uses {
                out.push((kind, stored.get("role").and_then(Value::as_str).unwrap_or("?").to_string()));
            }
        }
    }
    out
}

/// Renames relationship `old` to `new` in the permissions of `entry`.
pub(super) fn rename_relationship(entry: &mut TrackedTable, old: &str, new: &str) {
    for kind in KINDS {
        let Some(Value::Array(list)) = entry.rest.get_mut(&format!("{kind}_permissions")) else { continue };
        for body in list.iter_mut().filter_map(|p| p.get_mut("permission")) {
            for key in ["filter", "check"] {
                if let Some(exp) = body.get_mut(key) {
                    rename_own_key(exp, old, new);
                }
            }
        }
    }
}

/// Drops the permissions of `entry` of these (kind, role).
pub(super) fn remove(entry: &mut TrackedTable, which: &[(&'static str, String)]) {
    for (kind, role) in which {
        let key = format!("{kind}_permissions");
        let Some(Value::Array(list)) = entry.rest.get_mut(&key) else { continue };
        list.retain(|p| p.get("role").and_then(Value::as_str) != Some(role.as_str()));
        if list.is_empty() {
            entry.rest.remove(&key);
        }
    }
}
