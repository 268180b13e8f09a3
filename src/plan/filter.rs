//! `where` (`<table>_bool_exp`) to SQL.

use serde_json::{Map, Value};

use super::emit::Emit;
use super::params::{array_text, as_list, scalar_text, Params};
use super::{ident, join_condition, Refusal};
use crate::schema::filter_op::FilterOp;
use crate::schema::model::{FieldRef, Model, Table};
use crate::schema::scalars::{ColumnType, ScalarKind};

/// Builds the condition for `exp` over rows of `table` aliased `alias`. The caller
/// adds the path to a refusal.
pub fn condition(model: &Model, emit: &mut Emit, table: &Table, alias: &str, exp: &Value) -> Result<String, Refusal> {
    let obj = match exp {
        Value::Object(o) => o,
        Value::Null => return Ok("true".into()),
        other => return Err(format!("expected a boolean expression object, got {other}").into()),
    };
    let mut parts = Vec::new();
    for (key, value) in obj {
        if value.is_null() && key != "_is_null" {
            // Hasura ignores a null filter (`where: {id: null}`): no condition.
            continue;
        }
        let part = match key.as_str() {
            "_and" => {
                let items = as_list(value);
                let terms: Result<Vec<String>, Refusal> = items.iter().map(|e| condition(model, emit, table, alias, e)).collect();
                join_terms(terms?, "and", "true")
            }
            "_or" => {
                let items = as_list(value);
                let terms: Result<Vec<String>, Refusal> = items.iter().map(|e| condition(model, emit, table, alias, e)).collect();
                join_terms(terms?, "or", "false")
            }
            "_not" => format!("not ({})", condition(model, emit, table, alias, value)?),
            field => match table.fields.get(field) {
                Some(FieldRef::Column(c)) => {
                    let column = &table.columns[*c];
                    let column_sql = super::call::column(column, alias);
                    comparison(&mut emit.params, &column_sql, &column.field_name, &column.ty, &column.sql_type, value)?
                }
                Some(FieldRef::Relationship(r)) => {
                    let rel = &table.relationships[*r];
                    let target = &model.tables[rel.target];
                    let inner = emit.alias("f");
                    let mut terms = vec![join_condition(&rel.mapping, alias, &inner)];
                    // Only the related rows the role may see count.
                    terms.extend(emit.restriction(target, &inner)?);
                    terms.push(condition(model, emit, target, &inner, value)?);
                    format!(
                        "exists (select 1 from {}.{} {inner} where {})",
                        ident(&target.schema),
                        ident(&target.name),
                        terms.join(" and ")
                    )
                }
                _ => return Err(format!("field \"{field}\" not found in type: '{}_bool_exp'", table.type_name).into()),
            },
        };
        parts.push(part);
    }
    Ok(join_terms(parts, "and", "true"))
}

fn join_terms(terms: Vec<String>, op: &str, empty: &str) -> String {
    if terms.is_empty() {
        return empty.to_string();
    }
    format!("({})", terms.join(&format!(" {op} ")))
}

/// One `<type>_comparison_exp` on a column expression: the column's `name` (for
/// messages), GraphQL type and SQL type.
pub fn comparison(
    params: &mut Params,
    column_sql: &str,
    name: &str,
    ty: &ColumnType,
    sql_type: &str,
    exp: &Value,
) -> Result<String, String> {
    let obj: &Map<String, Value> =
        exp.as_object().ok_or_else(|| format!("expected a comparison expression for \"{name}\""))?;
    let is_json = ty.kind == ScalarKind::Json && !ty.is_list;
    // json has no equality operator; compare as jsonb.
    let (lhs, cast) = if is_json {
        (format!("{column_sql}::jsonb"), "jsonb".to_string())
    } else {
        (column_sql.to_string(), sql_type.to_string())
    };
    let mut parts = Vec::new();
    for (op, value) in obj {
        if value.is_null() {
            continue;
        }
        let bind_one = |params: &mut Params, v: &Value| -> Result<String, String> {
            if ty.is_list {
                Ok(params.bind(array_text(&as_list(v), ty)?, &cast))
            } else {
                Ok(params.bind(scalar_text(v, ty)?, &cast))
            }
        };
        let text_operand = |params: &mut Params, v: &Value| -> Result<String, String> {
            match v {
                Value::String(s) if s.contains('\0') => Err(super::params::NUL_MESSAGE.to_string()),
                Value::String(s) => Ok(params.bind(s.clone(), "text")),
                other => Err(format!("{op} expects a String, got {other}")),
            }
        };
        let Some(operator) = FilterOp::for_column(op, ty) else {
            return Err(format!("unknown operator \"{op}\" for \"{name}\""));
        };
        let pattern = |params: &mut Params, sql_op: &str| -> Result<String, String> {
            Ok(format!("{column_sql}::text {sql_op} {}", text_operand(params, value)?))
        };
        let part = match operator {
            FilterOp::Eq => format!("{lhs} = {}", bind_one(params, value)?),
            FilterOp::Neq => format!("{lhs} <> {}", bind_one(params, value)?),
            FilterOp::Gt => format!("{lhs} > {}", bind_one(params, value)?),
            FilterOp::Gte => format!("{lhs} >= {}", bind_one(params, value)?),
            FilterOp::Lt => format!("{lhs} < {}", bind_one(params, value)?),
            FilterOp::Lte => format!("{lhs} <= {}", bind_one(params, value)?),
            FilterOp::In | FilterOp::Nin => {
                let array = params.bind(array_text(&as_list(value), ty)?, &format!("{cast}[]"));
                let test = format!("{lhs} = any({array})");
                if operator == FilterOp::In {
                    test
                } else {
                    // Hasura's NOT (col = ANY(…)): a null column matches neither.
                    format!("not ({test})")
                }
            }
            FilterOp::IsNull => match value.as_bool() {
                Some(true) => format!("{column_sql} is null"),
                Some(false) => format!("{column_sql} is not null"),
                None => return Err("_is_null expects a Boolean".into()),
            },
            FilterOp::Contains => format!("{lhs} @> {}", bind_one(params, value)?),
            FilterOp::ContainedIn => format!("{lhs} <@ {}", bind_one(params, value)?),
            FilterOp::HasKey => format!("{lhs} ? {}", text_operand(params, value)?),
            FilterOp::Like => pattern(params, "like")?,
            FilterOp::Nlike => pattern(params, "not like")?,
            FilterOp::Ilike => pattern(params, "ilike")?,
            FilterOp::Nilike => pattern(params, "not ilike")?,
            FilterOp::Similar => pattern(params, "similar to")?,
            FilterOp::Nsimilar => pattern(params, "not similar to")?,
            FilterOp::Regex => pattern(params, "~")?,
            FilterOp::Nregex => pattern(params, "!~")?,
            FilterOp::Iregex => pattern(params, "~*")?,
            FilterOp::Niregex => pattern(params, "!~*")?,
        };
        parts.push(part);
    }
    Ok(join_terms(parts, "and", "true"))
}
