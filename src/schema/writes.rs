//! What a role may write to a table: the columns it may insert and update (its
//! privileges, narrowed by its insert and update permissions when the table has
//! Hasura permissions), the rows it may update and delete (their filters), the check
//! every written row must pass, and the presets (`set`) that override the client.
//! Admin, or a table without permissions, is governed by privileges alone.

use serde_json::Value;

use super::permission::{self, Caller, KINDS};
use super::reflect::Relation;
use super::row_filter::{is_session_variable, Catalog, Operand, RowFilter};
use super::scalars::{column_type, ColumnType};
use crate::metadata::document::TrackedTable;

/// The one field of an insert input type without columns (every value a default or a
/// preset): GraphQL has no empty input objects.
pub const NO_COLUMNS: &str = "_no_columns";

#[derive(Debug, Default)]
pub struct Writes {
    pub insert: Option<Insert>,
    pub update: Option<Update>,
    pub delete: Option<Delete>,
    /// Unique constraints (primary key included) an insert's `on_conflict` may name.
    pub constraints: Vec<super::reflect::UniqueConstraint>,
}

/// A column a client may give a value for.
#[derive(Debug, Clone)]
pub struct WriteColumn {
    pub sql_name: String,
    pub field_name: String,
    pub sql_type: String,
    pub ty: ColumnType,
}

/// A column set by the permission, whatever the client sends.
#[derive(Debug, Clone)]
pub struct ColumnPreset {
    pub column: String,
    pub sql_type: String,
    pub value: Operand,
}

#[derive(Debug)]
pub struct Insert {
    pub columns: Vec<WriteColumn>,
    pub check: Option<RowFilter>,
    pub presets: Vec<ColumnPreset>,
}

#[derive(Debug)]
pub struct Update {
    pub columns: Vec<WriteColumn>,
    pub filter: Option<RowFilter>,
    pub check: Option<RowFilter>,
    pub presets: Vec<ColumnPreset>,
}

#[derive(Debug)]
pub struct Delete {
    pub filter: Option<RowFilter>,
}

/// The writes `caller` may make to `relation` (tracked as `entry`); `field_name` gives
/// a column's GraphQL name (custom names), None when it has no usable one.
pub fn resolve(
    caller: &Caller,
    relation: &Relation,
    entry: Option<&TrackedTable>,
    field_name: &dyn Fn(&str) -> Option<String>,
    catalog: &Catalog,
) -> Writes {
    if !relation.writable {
        return Writes::default();
    }
    let privileged = |insert: bool| -> Vec<WriteColumn> {
        relation
            .columns
            .iter()
            .filter(|c| if insert { c.insertable } else { c.updatable })
            .filter_map(|c| {
                Some(WriteColumn {
                    sql_name: c.name.clone(),
                    field_name: field_name(&c.name)?,
                    sql_type: c.sql_type.clone(),
                    ty: column_type(&c.type_name, c.elem_type_name.as_deref(), c.enum_labels.as_ref()),
                })
            })
            .collect()
    };
    let unrestricted = caller.admin || entry.is_none_or(|e| KINDS.iter().all(|k| permission::entries(e, k).is_empty()));
    if unrestricted {
        let insert = privileged(true);
        let update = privileged(false);
        return Writes {
            insert: (!insert.is_empty()).then(|| Insert { columns: insert, check: None, presets: Vec::new() }),
            update: (!update.is_empty()).then(|| Update { columns: update, filter: None, check: None, presets: Vec::new() }),
            delete: relation.deletable.then_some(Delete { filter: None }),
            constraints: constraints(relation),
        };
    }
    let Some(entry) = entry else { return Writes::default() };
    let body = |kind: &str| {
        permission::for_role(permission::entries(entry, kind), &caller.role).and_then(|p| p.get("permission")).and_then(Value::as_object)
    };
    // A permission that no longer resolves grants nothing (it fails closed).
    let insert = body("insert").filter(|b| b.get("backend_only") != Some(&Value::Bool(true))).and_then(|b| {
        let presets = presets(b, relation)?;
        let columns = permitted(privileged(true), b, relation, &presets)?;
        let check = permission::filter(b, "check", relation, catalog).ok()?;
        Some(Insert { columns, check, presets })
    });
    let update = body("update").and_then(|b| {
        let presets = presets(b, relation)?;
        let columns = permitted(privileged(false), b, relation, &presets)?;
        let filter = permission::filter(b, "filter", relation, catalog).ok()?;
        let check = permission::filter(b, "check", relation, catalog).ok()?;
        Some(Update { columns, filter, check, presets })
    });
    let delete = body("delete").filter(|_| relation.deletable).and_then(|b| {
        Some(Delete { filter: permission::filter(b, "filter", relation, catalog).ok()? })
    });
    Writes { insert, update, delete, constraints: constraints(relation) }
}

/// The privileged columns the permission's `columns` names, less the preset ones.
fn permitted(
    privileged: Vec<WriteColumn>,
    body: &serde_json::Map<String, Value>,
    relation: &Relation,
    presets: &[ColumnPreset],
) -> Option<Vec<WriteColumn>> {
    let allowed = permission::columns(body, relation).ok()?;
    Some(
        privileged
            .into_iter()
            .filter(|c| allowed.as_ref().is_none_or(|a| a.contains(&c.sql_name)))
            .filter(|c| !presets.iter().any(|p| p.column == c.sql_name))
            .collect(),
    )
}

/// `set`: `{column: value}`, a value being a literal or an `X-Hasura-*` session variable.
fn presets(body: &serde_json::Map<String, Value>, relation: &Relation) -> Option<Vec<ColumnPreset>> {
    let Some(Value::Object(set)) = body.get("set") else { return Some(Vec::new()) };
    set.iter()
        .map(|(name, value)| {
            let column = relation.columns.iter().find(|c| &c.name == name)?;
            let value = match value {
                Value::String(text) if is_session_variable(text) => Operand::Session(text.to_ascii_lowercase()),
                other => Operand::Literal(other.clone()),
            };
            Some(ColumnPreset { column: name.clone(), sql_type: column.sql_type.clone(), value })
        })
        .collect()
}

/// The unique constraints `on_conflict` may name: those whose names are GraphQL names.
fn constraints(relation: &Relation) -> Vec<super::reflect::UniqueConstraint> {
    relation.unique_constraints.iter().filter(|c| super::names::is_graphql_name(&c.name)).cloned().collect()
}
