//! SQL of the fields a function serves: a computed field (a function of the row) and a
//! tracked function. Each argument is the row, the session variables as json, or a
//! bound input of `args`; an omitted input with a default switches the call to named
//! notation for the arguments after it.

use serde_json::Value;

use super::ident;
use super::params::{array_text, as_list, scalar_text, Params};
use crate::schema::function_call::{Argument, FunctionCall};
use crate::schema::model::Column;

/// The session variables of the call, as Hasura passes them (`crate::session`).
fn session(ty: &str) -> String {
    format!("graphql.session_variables()::{ty}")
}

fn function_sql(call: &FunctionCall, parts: &[String]) -> String {
    format!("{}.{}({})", ident(&call.function.schema), ident(&call.function.name), parts.join(", "))
}

/// The call of a function without inputs, for the row `row`.
pub fn for_row(call: &FunctionCall, row: &str) -> String {
    let parts: Vec<String> = call
        .arguments
        .iter()
        .filter_map(|(_, a)| match a {
            Argument::Row => Some(row.to_string()),
            Argument::Session(ty) => Some(session(ty)),
            Argument::Input { .. } => None,
        })
        .collect();
    function_sql(call, &parts)
}

/// The call: `row` is the parent row's expression (for a computed field), `args` the
/// client's `args` object, its inputs bound in `params`.
pub fn with_args(call: &FunctionCall, row: Option<&str>, args: Option<&Value>, params: &mut Params) -> Result<String, String> {
    let mut parts = Vec::new();
    let mut named = false;
    for (name, argument) in &call.arguments {
        let value = match argument {
            Argument::Row => Some(row.ok_or("a computed field's function needs the row")?.to_string()),
            Argument::Session(ty) => Some(session(ty)),
            Argument::Input { ty, sql_type, .. } => match args.and_then(|a| a.get(name)) {
                // Given as null: NULL, not the default.
                Some(Value::Null) => Some(params.bind_null(sql_type)),
                Some(value) => {
                    let text = if ty.is_list { array_text(&as_list(value), ty)? } else { scalar_text(value, ty)? };
                    Some(params.bind(text, sql_type))
                }
                None => None,
            },
        };
        match value {
            Some(v) if named => parts.push(format!("{} => {v}", ident(name))),
            Some(v) => parts.push(v),
            // Omitted: its default applies; the arguments after it go by name.
            None => named = true,
        }
    }
    Ok(function_sql(call, &parts))
}

/// A column's value for the row of the table aliased `alias` (a computed field's: its
/// function called on the row).
pub fn column(column: &Column, alias: &str) -> String {
    match &column.computed {
        Some(call) => for_row(call, alias),
        None => format!("{alias}.{}", ident(&column.sql_name)),
    }
}

/// An item of a select list over the table aliased `alias`, named as the column.
pub fn select_item(c: &Column, alias: &str) -> String {
    match &c.computed {
        Some(call) => format!("{} as {}", for_row(call, alias), ident(&c.sql_name)),
        None => column(c, alias),
    }
}
