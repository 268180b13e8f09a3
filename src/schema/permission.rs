//! Who is calling and what a table's Hasura permissions let them read.
//!
//! The role of a call is `current_user`; Hasura's admin is a role that may change
//! metadata, and permissions do not bind it. A table with at least one permission
//! entry (select, insert, update or delete) is invisible to another role without a
//! select permission; a table with none is governed by privileges alone.

use serde_json::{Map, Value};
use std::collections::HashSet;

use super::reflect::Relation;
use super::row_filter::{self, Catalog, RowFilter};
use crate::metadata::document::TrackedTable;

/// The role of the call.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: String,
    pub admin: bool,
}

impl Caller {
    /// The current role, and whether it may change metadata (as
    /// `metadata::store::may_change` decides), in one query.
    pub fn current() -> Caller {
        let row = crate::spi::catalog_json_kept(
            "select jsonb_build_array(current_user::text,
                        pg_catalog.has_table_privilege('graphql.metadata_document', 'INSERT')
                        and pg_catalog.has_table_privilege('graphql.metadata_document', 'UPDATE'))",
            &[],
        );
        Caller {
            role: row.get(0).and_then(serde_json::Value::as_str).unwrap_or_default().to_string(),
            admin: row.get(1) == Some(&serde_json::Value::Bool(true)),
        }
    }
}

/// The permission kinds, as the table entry's keys name them.
pub const KINDS: [&str; 4] = ["select", "insert", "update", "delete"];

/// What a non-admin role may read of one table under its select permission.
#[derive(Debug, Clone)]
pub struct Restriction {
    /// Columns it may select, by SQL name; `None`: every column (`"*"`).
    pub columns: Option<HashSet<String>>,
    pub computed_fields: HashSet<String>,
    /// The rows it may see; `None`: every row (`filter: {}`).
    pub filter: Option<RowFilter>,
    pub limit: Option<u64>,
    pub allow_aggregations: bool,
    /// Which of `select`, `select_by_pk`, `select_aggregate` are root fields; `None`: all.
    pub query_root_fields: Option<Vec<String>>,
}

impl Restriction {
    pub fn allows_column(&self, name: &str) -> bool {
        self.columns.as_ref().is_none_or(|c| c.contains(name))
    }

    pub fn allows_root(&self, kind: &str) -> bool {
        self.query_root_fields.as_ref().is_none_or(|r| r.iter().any(|k| k == kind))
    }
}

/// How the caller may read a table.
#[derive(Debug)]
pub enum Access {
    /// Admin, or a table without permissions: privileges alone decide.
    Unrestricted,
    Restricted(Box<Restriction>),
    /// Not visible: the table has permissions and none for this role, or its
    /// permission no longer resolves (it fails closed).
    Hidden,
}

/// The permission entries of one kind (`select_permissions`, …) of a table entry.
pub fn entries<'e>(entry: &'e TrackedTable, kind: &str) -> &'e [Value] {
    entry.rest.get(&format!("{kind}_permissions")).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The entry for `role` among `entries`.
pub fn for_role<'e>(entries: &'e [Value], role: &str) -> Option<&'e Value> {
    entries.iter().find(|p| p.get("role").and_then(Value::as_str) == Some(role))
}

/// How `caller` may read the table of `entry` (over `relation`).
pub fn access(caller: &Caller, entry: Option<&TrackedTable>, relation: &Relation, catalog: &Catalog) -> Access {
    let Some(entry) = entry else { return Access::Unrestricted };
    if caller.admin || KINDS.iter().all(|k| entries(entry, k).is_empty()) {
        return Access::Unrestricted;
    }
    let Some(permission) = for_role(entries(entry, "select"), &caller.role).and_then(|p| p.get("permission")) else {
        return Access::Hidden;
    };
    match select_restriction(permission, relation, catalog) {
        Ok(restriction) => Access::Restricted(Box::new(restriction)),
        Err(_) => Access::Hidden,
    }
}

/// The query root fields a select permission may name.
pub const ROOT_FIELD_KINDS: [&str; 4] = ["select", "select_by_pk", "select_aggregate", "select_stream"];

/// Reads and checks a select permission's body (`{columns, filter, limit, …}`). The
/// error names the key that is wrong.
pub fn select_restriction(permission: &Value, relation: &Relation, catalog: &Catalog) -> Result<Restriction, String> {
    let body = object(permission)?;
    let columns = columns(body, relation)?;
    let computed_fields = match body.get("computed_fields") {
        None | Some(Value::Null) => HashSet::new(),
        Some(list) => string_list(list, "computed_fields")?.into_iter().collect(),
    };
    let filter = filter(body, "filter", relation, catalog)?;
    let limit = match body.get("limit") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| format!("\"limit\" must be a non-negative integer, got {v}"))?),
    };
    let allow_aggregations = match body.get("allow_aggregations") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => return Err(format!("\"allow_aggregations\" must be a Boolean, got {v}")),
    };
    let query_root_fields = match body.get("query_root_fields") {
        None | Some(Value::Null) => None,
        Some(list) => {
            let kinds = string_list(list, "query_root_fields")?;
            if let Some(bad) = kinds.iter().find(|k| !ROOT_FIELD_KINDS.contains(&k.as_str())) {
                return Err(format!("\"query_root_fields\": \"{bad}\" is not one of {}", ROOT_FIELD_KINDS.join(", ")));
            }
            Some(kinds)
        }
    };
    Ok(Restriction { columns, computed_fields, filter, limit, allow_aggregations, query_root_fields })
}

pub fn object(permission: &Value) -> Result<&Map<String, Value>, String> {
    permission.as_object().ok_or_else(|| format!("\"permission\" must be an object, got {permission}"))
}

/// `columns`: `"*"` (every column: `None`) or a list of existing column names.
pub fn columns(body: &Map<String, Value>, relation: &Relation) -> Result<Option<HashSet<String>>, String> {
    match body.get("columns") {
        Some(Value::String(star)) if star == "*" => Ok(None),
        None | Some(Value::Null) => Ok(Some(HashSet::new())),
        Some(list) => {
            let names = string_list(list, "columns")?;
            if let Some(missing) = names.iter().find(|n| !relation.columns.iter().any(|c| &c.name == *n)) {
                return Err(format!("\"columns\": column \"{missing}\" does not exist"));
            }
            Ok(Some(names.into_iter().collect()))
        }
    }
}

/// The bool_exp under `key` (`filter`, `check`); `{}` or absent: every row.
pub fn filter(body: &Map<String, Value>, key: &str, relation: &Relation, catalog: &Catalog) -> Result<Option<RowFilter>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) if map.is_empty() => Ok(None),
        Some(exp) => row_filter::resolve(relation, exp, catalog).map(Some).map_err(|e| format!("\"{key}\": {e}")),
    }
}

fn string_list(value: &Value, key: &str) -> Result<Vec<String>, String> {
    value
        .as_array()
        .and_then(|items| items.iter().map(|v| v.as_str().map(String::from)).collect::<Option<Vec<String>>>())
        .ok_or_else(|| format!("\"{key}\" must be a list of strings, got {value}"))
}
