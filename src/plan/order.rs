//! `order_by` and `distinct_on` to SQL.

use serde_json::Value;

use super::emit::Emit;
use super::params::as_list;
use super::{ident, join_condition, Refusal};
use crate::metadata::document::RelKind;
use crate::schema::model::{FieldRef, Model, Table};

/// `asc` and friends, as Hasura defines them (asc: nulls last, desc: nulls first).
fn direction(value: &Value) -> Result<&'static str, String> {
    Ok(match value.as_str() {
        Some("asc") => "asc nulls last",
        Some("asc_nulls_first") => "asc nulls first",
        Some("asc_nulls_last") => "asc nulls last",
        Some("desc") => "desc nulls first",
        Some("desc_nulls_first") => "desc nulls first",
        Some("desc_nulls_last") => "desc nulls last",
        _ => return Err(format!("unexpected order_by value {value}")),
    })
}

/// The ORDER BY terms (`expr direction`) for `order_by` over `table` aliased `alias`.
pub fn terms(model: &Model, emit: &mut Emit, table: &Table, alias: &str, order_by: &Value) -> Result<Vec<String>, Refusal> {
    let mut out = Vec::new();
    for item in as_list(order_by) {
        for (expr, dir) in expressions(model, emit, table, alias, &item)? {
            out.push(format!("{expr} {dir}"));
        }
    }
    Ok(out)
}

/// (expression, direction) pairs of one `<table>_order_by` object, in key order.
fn expressions(
    model: &Model,
    emit: &mut Emit,
    table: &Table,
    alias: &str,
    item: &Value,
) -> Result<Vec<(String, &'static str)>, Refusal> {
    let obj = match item {
        Value::Object(o) => o,
        Value::Null => return Ok(Vec::new()),
        other => return Err(format!("expected an order_by object, got {other}").into()),
    };
    let mut out = Vec::new();
    for (key, value) in obj {
        if value.is_null() {
            continue;
        }
        match table.fields.get(key) {
            Some(FieldRef::Column(c)) => {
                out.push((super::call::column(&table.columns[*c], alias), direction(value)?));
            }
            Some(FieldRef::Relationship(r)) if table.relationships[*r].kind == RelKind::Object => {
                // Ordering through an object relationship: a scalar subquery per term.
                let rel = &table.relationships[*r];
                let target = &model.tables[rel.target];
                let inner = emit.alias("o");
                let mut terms = vec![join_condition(&rel.mapping, alias, &inner)];
                // A related row the role may not see orders as a missing one (null).
                terms.extend(emit.restriction(target, &inner)?);
                let condition = terms.join(" and ");
                for (expr, dir) in expressions(model, emit, target, &inner, value)? {
                    out.push((
                        format!(
                            "(select {expr} from {}.{} {inner} where {condition} limit 1)",
                            ident(&target.schema),
                            ident(&target.name)
                        ),
                        dir,
                    ));
                }
            }
            _ => return Err(format!("field \"{key}\" not found in type: '{}_order_by'", table.type_name).into()),
        }
    }
    Ok(out)
}

/// Column expressions of `distinct_on` (a list of `<table>_select_column`).
pub fn distinct_on(table: &Table, alias: &str, value: &Value) -> Result<Vec<String>, String> {
    as_list(value)
        .iter()
        .map(|v| {
            let name = v.as_str().unwrap_or_default();
            table
                .column_by_field(name)
                .map(|c| format!("{alias}.{}", ident(&c.sql_name)))
                .ok_or_else(|| format!("unexpected distinct_on column {v}"))
        })
        .collect()
}
