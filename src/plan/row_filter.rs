//! A permission's row filter (`schema::row_filter`) to SQL, its session variables
//! bound as parameters cast to the column's type.

use serde_json::{json, Value};

use super::emit::Emit;
use super::{ident, join_condition, Refusal};
use crate::error::code;
use crate::schema::filter_op::FilterOp;
use crate::schema::row_filter::{Operand, RowFilter};

/// The condition `filter` puts on rows aliased `alias`.
pub fn condition(emit: &mut Emit, filter: &RowFilter, alias: &str) -> Result<String, Refusal> {
    Ok(match filter {
        RowFilter::All(items) => joined(emit, items, alias, "and", "true")?,
        RowFilter::Any(items) => joined(emit, items, alias, "or", "false")?,
        RowFilter::Not(inner) => format!("not ({})", condition(emit, inner, alias)?),
        RowFilter::Compare { column, op, operand } => {
            let value = match operand {
                Operand::Literal(value) => value.clone(),
                Operand::Session(name) => session_value(emit, name, *op)?,
            };
            let column_sql = format!("{alias}.{}", ident(&column.name));
            let exp = json!({ op.name(): value });
            super::filter::comparison(&mut emit.params, &column_sql, &column.name, &column.ty, &column.sql_type, &exp)?
        }
        RowFilter::Related { table, mapping, filter } => {
            let inner = emit.alias("p");
            let cond = condition(emit, filter, &inner)?;
            format!(
                "exists (select 1 from {}.{} {inner} where {} and {cond})",
                ident(&table.schema),
                ident(&table.name),
                join_condition(mapping, alias, &inner)
            )
        }
        RowFilter::Exists { table, filter } => {
            let inner = emit.alias("p");
            let cond = condition(emit, filter, &inner)?;
            format!("exists (select 1 from {}.{} {inner} where {cond})", ident(&table.schema), ident(&table.name))
        }
    })
}

fn joined(emit: &mut Emit, items: &[RowFilter], alias: &str, op: &str, empty: &str) -> Result<String, Refusal> {
    if items.is_empty() {
        return Ok(empty.to_string());
    }
    let terms = items.iter().map(|f| condition(emit, f, alias)).collect::<Result<Vec<_>, _>>()?;
    Ok(format!("({})", terms.join(&format!(" {op} "))))
}

/// The value of session variable `name` as an operand of `op`: its text, or for
/// `_in`/`_nin` a list (a JSON array, or a Postgres array literal `{a,b}`).
fn session_value(emit: &Emit, name: &str, op: FilterOp) -> Result<Value, Refusal> {
    let Some(text) = emit.session().get(name).and_then(Value::as_str) else {
        return Err(Refusal { code: code::NOT_FOUND, message: format!("missing session variable: \"{name}\"") });
    };
    if !matches!(op, FilterOp::In | FilterOp::Nin) {
        return Ok(Value::String(text.to_string()));
    }
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) {
        return Ok(Value::Array(items));
    }
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    Ok(Value::Array(
        inner.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.trim_matches('"').to_string())).collect(),
    ))
}
