//! A permission's row filter (the `filter` or `check` of a Hasura permission), resolved
//! against the catalog: columns by their SQL names, relationships by their metadata
//! names, `_exists` over any table, and operands that are literals or session
//! variables (`X-Hasura-*`), bound when a query runs (`plan::row_filter`).
//!
//! It is resolved against the tables as they are, not as the role sees them: a
//! permission may filter on a column the role may not select.

use serde_json::Value;

use super::filter_op::FilterOp;
use super::reflect::Relation;
use super::scalars::{column_type, ColumnType};
use crate::metadata::document::{QualifiedTable, RelKind, TrackedTable};

#[derive(Debug, Clone)]
pub enum RowFilter {
    All(Vec<RowFilter>),
    Any(Vec<RowFilter>),
    Not(Box<RowFilter>),
    Compare { column: FilterColumn, op: FilterOp, operand: Operand },
    /// Some row of `table` related through `mapping` (our column, theirs) passes `filter`.
    Related { table: QualifiedTable, mapping: Vec<(String, String)>, filter: Box<RowFilter> },
    /// Some row of `table` passes `filter` (Hasura's `_exists`, unrelated to this row).
    Exists { table: QualifiedTable, filter: Box<RowFilter> },
}

/// A column a filter compares, with what binding a value for it needs.
#[derive(Debug, Clone)]
pub struct FilterColumn {
    pub name: String,
    pub sql_type: String,
    pub ty: ColumnType,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Value),
    /// A session variable, by its lower-case name.
    Session(String),
}

/// Where resolution finds other tables and their metadata relationships.
pub struct Catalog<'a> {
    pub relation: &'a dyn Fn(&QualifiedTable) -> Option<Relation>,
    pub entry: &'a dyn Fn(&QualifiedTable) -> Option<TrackedTable>,
}

/// Whether a string operand names a session variable (Hasura's rule: the prefix,
/// any case).
pub fn is_session_variable(text: &str) -> bool {
    const PREFIX: &str = "x-hasura-";
    text.len() > PREFIX.len() && text.get(..PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// Resolves `exp` (a Hasura bool_exp) over rows of `relation`. The error names the
/// key that is wrong.
pub fn resolve(relation: &Relation, exp: &Value, catalog: &Catalog) -> Result<RowFilter, String> {
    let Value::Object(map) = exp else {
        return Err(format!("a boolean expression must be an object, got {exp}"));
    };
    let mut parts = Vec::new();
    for (key, value) in map {
        let part = match key.as_str() {
            "_and" | "_or" => {
                let Value::Array(items) = value else { return Err(format!("\"{key}\" expects a list of boolean expressions")) };
                let items = items.iter().map(|e| resolve(relation, e, catalog)).collect::<Result<Vec<_>, _>>()?;
                if key == "_and" {
                    RowFilter::All(items)
                } else {
                    RowFilter::Any(items)
                }
            }
            "_not" => RowFilter::Not(Box::new(resolve(relation, value, catalog)?)),
            "_exists" => exists(value, catalog)?,
            name => match relation.columns.iter().find(|c| c.name == name) {
                Some(column) => comparisons(column, value)?,
                None => related(relation, name, value, catalog)?,
            },
        };
        parts.push(part);
    }
    Ok(match parts.len() {
        1 => parts.remove(0),
        _ => RowFilter::All(parts),
    })
}

fn qualified(relation: &Relation) -> QualifiedTable {
    QualifiedTable { schema: relation.schema.clone(), name: relation.name.clone() }
}

/// `{"_exists": {"_table": {schema, name}, "_where": bool_exp}}`.
fn exists(value: &Value, catalog: &Catalog) -> Result<RowFilter, String> {
    let table = value
        .get("_table")
        .and_then(|t| serde_json::from_value::<QualifiedTable>(t.clone()).ok())
        .ok_or("\"_exists\" needs \"_table\": {\"schema\": …, \"name\": …}")?;
    let exp = value.get("_where").ok_or("\"_exists\" needs \"_where\"")?;
    let target = (catalog.relation)(&table).ok_or_else(|| format!("\"_exists\": table \"{table}\" does not exist"))?;
    Ok(RowFilter::Exists { table, filter: Box::new(resolve(&target, exp, catalog)?) })
}

/// A relationship of `relation` in metadata (Hasura's rule: a permission filter
/// follows relationships that metadata names).
fn related(relation: &Relation, name: &str, value: &Value, catalog: &Catalog) -> Result<RowFilter, String> {
    let this = qualified(relation);
    let entry = (catalog.entry)(&this);
    let def = entry.as_ref().and_then(|e| {
        e.object_relationships
            .iter()
            .map(|d| (d, RelKind::Object))
            .chain(e.array_relationships.iter().map(|d| (d, RelKind::Array)))
            .find(|(d, _)| d.name == name)
            .map(|(d, kind)| (d.clone(), kind))
    });
    let Some((def, kind)) = def else {
        return Err(format!("\"{name}\" is neither a column nor a relationship of table \"{this}\""));
    };
    let resolved = super::table_relationship::resolve(relation, &def, kind, catalog.relation)
        .map_err(|e| format!("relationship \"{name}\": {e}"))?;
    let target = (catalog.relation)(&resolved.target)
        .ok_or_else(|| format!("relationship \"{name}\": table \"{}\" does not exist", resolved.target))?;
    Ok(RowFilter::Related {
        table: resolved.target,
        mapping: resolved.mapping,
        filter: Box::new(resolve(&target, value, catalog)?),
    })
}

/// `{"_eq": 1, "_gt": "X-Hasura-User-Id", …}` on one column.
fn comparisons(column: &super::reflect::Column, value: &Value) -> Result<RowFilter, String> {
    let Value::Object(ops) = value else {
        return Err(format!("column \"{}\" expects an object of operators, got {value}", column.name));
    };
    let ty = column_type(&column.type_name, column.elem_type_name.as_deref(), column.enum_labels.as_ref());
    let filter_column = FilterColumn { name: column.name.clone(), sql_type: column.sql_type.clone(), ty };
    let mut parts = Vec::new();
    for (name, operand) in ops {
        let op = FilterOp::for_column(name, &filter_column.ty)
            .ok_or_else(|| format!("operator \"{name}\" is not known for column \"{}\"", column.name))?;
        let operand = match operand {
            Value::String(text) if is_session_variable(text) => Operand::Session(text.to_ascii_lowercase()),
            Value::Null => return Err(format!("column \"{}\": \"{name}\" must not be null", column.name)),
            Value::Object(_) => return Err(format!("column \"{}\": \"{name}\" expects a value, got an object", column.name)),
            Value::Bool(_) if op != FilterOp::IsNull && filter_column.ty.scalar != "Boolean" => {
                return Err(format!("column \"{}\": \"{name}\" expects a {} value", column.name, filter_column.ty.scalar))
            }
            other => Operand::Literal(other.clone()),
        };
        if op == FilterOp::IsNull && !matches!(operand, Operand::Literal(Value::Bool(_))) {
            return Err(format!("column \"{}\": \"_is_null\" expects true or false", column.name));
        }
        parts.push(RowFilter::Compare { column: filter_column.clone(), op, operand });
    }
    Ok(match parts.len() {
        1 => parts.remove(0),
        _ => RowFilter::All(parts),
    })
}
