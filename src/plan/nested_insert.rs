//! Nested inserts, Hasura's `data` / `on_conflict` wrappers through relationships:
//! planned row by row, each row one insert statement. The row an object relationship
//! names is inserted first and its key fills this row's columns; the rows an array
//! relationship names come after, their columns filled from this row's.

use serde_json::{Map, Value};

use super::mutation::insert_statement;
use super::params::as_list;
use super::{Refusal, Session, Statement};
use crate::metadata::document::RelKind;
use crate::schema::model::{FieldRef, Model, Table};

/// One row's insert, with those it depends on and those depending on it.
#[derive(Debug)]
pub struct RowInsert {
    pub statement: Statement,
    /// Parameters filled when the row runs, from a row written before.
    pub fills: Vec<Fill>,
    /// Object relationships: written first; `Source::Before(i)` reads the i-th.
    pub before: Vec<RowInsert>,
    /// Array relationships: written after, filled from this row (`Source::Parent`).
    pub after: Vec<RowInsert>,
}

#[derive(Debug)]
pub struct Fill {
    pub param: usize,
    pub from: Source,
    /// The column of the source row whose value fills the parameter.
    pub column: String,
}

#[derive(Debug, Clone, Copy)]
pub enum Source {
    Before(usize),
    Parent,
}

/// Whether any object names a relationship of `table`.
pub fn has_relationships(table: &Table, objects: &[Value]) -> bool {
    objects.iter().filter_map(Value::as_object).any(|o| {
        o.keys().any(|k| matches!(table.fields.get(k), Some(FieldRef::Relationship(_))))
    })
}

/// The inserts of `objects` into `table`; `parent`: (column of these rows, column of
/// the parent row) for rows an array relationship names.
pub fn plan(
    model: &Model,
    session: &Session,
    table: &Table,
    objects: &[Value],
    on_conflict: Option<&Value>,
    parent: &[(String, String)],
) -> Result<Vec<RowInsert>, Refusal> {
    objects.iter().map(|object| row(model, session, table, object, on_conflict, parent)).collect()
}

fn wrapper<'v>(value: &'v Value, name: &str) -> Result<(&'v Value, Option<&'v Value>), Refusal> {
    let data = value.get("data").ok_or_else(|| Refusal::from(format!("relationship \"{name}\" expects {{data: …}}")))?;
    Ok((data, value.get("on_conflict").filter(|v| !v.is_null())))
}

fn row(
    model: &Model,
    session: &Session,
    table: &Table,
    object: &Value,
    on_conflict: Option<&Value>,
    parent: &[(String, String)],
) -> Result<RowInsert, Refusal> {
    let Value::Object(fields) = object else {
        return Err(format!("expected an object of type {}_insert_input, got {object}", table.type_name).into());
    };
    let mut columns = Map::new();
    let mut before = Vec::new();
    let mut after_specs = Vec::new();
    // (column of this row, its type, where its value comes from, that row's column)
    let mut filled: Vec<(String, String, Source, String)> = Vec::new();
    let sql_type = |column: &str| table.key_column(column).map(|c| c.sql_type.clone()).unwrap_or_else(|| "text".into());
    for (child, parent_column) in parent {
        filled.push((child.clone(), sql_type(child), Source::Parent, parent_column.clone()));
    }
    for (key, value) in fields {
        let Some(FieldRef::Relationship(r)) = table.fields.get(key) else {
            columns.insert(key.clone(), value.clone());
            continue;
        };
        if value.is_null() {
            continue;
        }
        let relationship = &table.relationships[*r];
        let target = &model.tables[relationship.target];
        let (data, conflict) = wrapper(value, key)?;
        // An object relationship whose key this row holds: the related row first. One
        // whose key the related row holds: after this row, as an array's rows.
        match relationship.kind {
            RelKind::Object if relationship.target_holds_key => after_specs.push((target, data, conflict, relationship)),
            RelKind::Object => {
                let index = before.len();
                before.push(row(model, session, target, data, conflict, &[])?);
                for (local, remote) in &relationship.mapping {
                    filled.push((local.clone(), sql_type(local), Source::Before(index), remote.clone()));
                }
            }
            RelKind::Array => after_specs.push((target, data, conflict, relationship)),
        }
    }
    let fill_columns: Vec<(String, String)> = filled.iter().map(|(c, t, _, _)| (c.clone(), t.clone())).collect();
    let (write, params) = insert_statement(model, session, table, &[&columns], &fill_columns, on_conflict)?;
    let statement = write.rows_statement();
    // A filled column a preset sets instead has no parameter.
    let fills = filled
        .into_iter()
        .zip(params)
        .filter_map(|((_, _, from, column), param)| Some(Fill { param: param?, from, column }))
        .collect();
    let mut after = Vec::new();
    for (target, data, conflict, relationship) in after_specs {
        let reversed: Vec<(String, String)> = relationship.mapping.iter().map(|(local, remote)| (remote.clone(), local.clone())).collect();
        after.extend(plan(model, session, target, &as_list(data), conflict, &reversed)?);
    }
    Ok(RowInsert { statement, fills, before, after })
}
