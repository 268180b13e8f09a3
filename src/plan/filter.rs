//! `where` (`<table>_bool_exp`) to SQL.

use serde_json::{Map, Value};

use super::params::{array_text, as_list, scalar_text, Params};
use super::{ident, join_condition};
use crate::schema::model::{Column, FieldRef, Model, Table};
use crate::schema::scalars::ScalarKind;

/// Builds the condition for `exp` over rows of `table` aliased `alias`. Errors are
/// messages; the caller adds the path.
pub fn condition(
    model: &Model,
    params: &mut Params,
    aliases: &mut usize,
    table: &Table,
    alias: &str,
    exp: &Value,
) -> Result<String, String> {
    let obj = match exp {
        Value::Object(o) => o,
        Value::Null => return Ok("true".into()),
        other => return Err(format!("expected a boolean expression object, got {other}")),
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
                let terms: Result<Vec<String>, String> =
                    items.iter().map(|e| condition(model, params, aliases, table, alias, e)).collect();
                join_terms(terms?, "and", "true")
            }
            "_or" => {
                let items = as_list(value);
                let terms: Result<Vec<String>, String> =
                    items.iter().map(|e| condition(model, params, aliases, table, alias, e)).collect();
                join_terms(terms?, "or", "false")
            }
            "_not" => format!("not ({})", condition(model, params, aliases, table, alias, value)?),
            field => match table.fields.get(field) {
                Some(FieldRef::Column(c)) => {
                    let column = &table.columns[*c];
                    comparison(params, &super::call::column(column, alias), column, value)?
                }
                Some(FieldRef::Relationship(r)) => {
                    let rel = &table.relationships[*r];
                    let target = &model.tables[rel.target];
                    *aliases += 1;
                    let inner = format!("f{}", *aliases);
                    let join = join_condition(&rel.mapping, alias, &inner);
                    let cond = condition(model, params, aliases, target, &inner, value)?;
                    format!(
                        "exists (select 1 from {}.{} {inner} where {join} and {cond})",
                        ident(&target.schema),
                        ident(&target.name)
                    )
                }
                _ => return Err(format!("field \"{field}\" not found in type: '{}_bool_exp'", table.type_name)),
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

/// One `<type>_comparison_exp` on a column expression.
fn comparison(params: &mut Params, column_sql: &str, column: &Column, exp: &Value) -> Result<String, String> {
    let obj: &Map<String, Value> = exp
        .as_object()
        .ok_or_else(|| format!("expected a comparison expression for \"{}\"", column.field_name))?;
    let ty = &column.ty;
    let is_json = ty.kind == ScalarKind::Json && !ty.is_list;
    // json has no equality operator; compare as jsonb.
    let (lhs, cast) = if is_json {
        (format!("{column_sql}::jsonb"), "jsonb".to_string())
    } else {
        (column_sql.to_string(), column.sql_type.clone())
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
        let part = match op.as_str() {
            "_eq" => format!("{lhs} = {}", bind_one(params, value)?),
            "_neq" => format!("{lhs} <> {}", bind_one(params, value)?),
            "_gt" => format!("{lhs} > {}", bind_one(params, value)?),
            "_gte" => format!("{lhs} >= {}", bind_one(params, value)?),
            "_lt" => format!("{lhs} < {}", bind_one(params, value)?),
            "_lte" => format!("{lhs} <= {}", bind_one(params, value)?),
            "_in" | "_nin" => {
                let array = params.bind(array_text(&as_list(value), ty)?, &format!("{cast}[]"));
                let test = format!("{lhs} = any({array})");
                if op == "_in" {
                    test
                } else {
                    // Hasura's NOT (col = ANY(…)): a null column matches neither.
                    format!("not ({test})")
                }
            }
            "_is_null" => match value.as_bool() {
                Some(true) => format!("{column_sql} is null"),
                Some(false) => format!("{column_sql} is not null"),
                None => return Err("_is_null expects a Boolean".into()),
            },
            "_contains" if ty.is_list || is_json => format!("{lhs} @> {}", bind_one(params, value)?),
            "_contained_in" if ty.is_list || is_json => format!("{lhs} <@ {}", bind_one(params, value)?),
            "_has_key" if is_json => format!("{lhs} ? {}", text_operand(params, value)?),
            "_like" => format!("{column_sql}::text like {}", text_operand(params, value)?),
            "_nlike" => format!("{column_sql}::text not like {}", text_operand(params, value)?),
            "_ilike" => format!("{column_sql}::text ilike {}", text_operand(params, value)?),
            "_nilike" => format!("{column_sql}::text not ilike {}", text_operand(params, value)?),
            "_similar" => format!("{column_sql}::text similar to {}", text_operand(params, value)?),
            "_nsimilar" => format!("{column_sql}::text not similar to {}", text_operand(params, value)?),
            "_regex" => format!("{column_sql}::text ~ {}", text_operand(params, value)?),
            "_nregex" => format!("{column_sql}::text !~ {}", text_operand(params, value)?),
            "_iregex" => format!("{column_sql}::text ~* {}", text_operand(params, value)?),
            "_niregex" => format!("{column_sql}::text !~* {}", text_operand(params, value)?),
            other => return Err(format!("unknown operator \"{other}\" for \"{}\"", column.field_name)),
        };
        parts.push(part);
    }
    Ok(join_terms(parts, "and", "true"))
}
