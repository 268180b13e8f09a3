//! Computed fields (`pg_add_computed_field`): a field of a table whose value is a SQL
//! function of the row, as Hasura defines them. The function must be STABLE or
//! IMMUTABLE and take the table's row (the first argument, or `table_argument`); it may
//! take the session variables as json (`session_argument`) and other arguments, which
//! the client gives in `args`. It returns a base type (a scalar computed field) or rows
//! of an exposed table (`SETOF <table>`, a field like an array relationship). A scalar
//! one without other arguments behaves as a column: selected, filtered (`where`),
//! ordered (`order_by`), and usable as a remote relationship's join field.

use serde_json::Value;

use super::function_call::FunctionCall;
use super::functions;
use super::scalars::{column_type, ColumnType};
use crate::metadata::document::QualifiedTable;

/// What a computed field returns.
#[derive(Debug, Clone)]
pub enum Returns {
    /// A base type: its SQL and GraphQL types.
    Scalar { sql_type: String, ty: ColumnType },
    /// Rows of this table (`SETOF <table>`, or one row).
    Rows { table: QualifiedTable, set: bool },
}

/// A computed field resolved against the catalog.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub call: FunctionCall,
    pub returns: Returns,
    /// Whether the current role may execute the function.
    pub executable: bool,
}

/// The function a stored definition names (`function`: a name or `{schema, name}`).
pub fn function_name(definition: &Value) -> Result<QualifiedTable, String> {
    definition
        .get("function")
        .cloned()
        .ok_or("\"definition.function\" is required".to_string())
        .and_then(|f| serde_json::from_value(f).map_err(|_| "\"definition.function\" must be a name or {\"schema\", \"name\"}".into()))
}

/// Resolves one stored computed field (`{name, definition: {function, table_argument,
/// session_argument}, comment}`) of `table`; the error says why it cannot be one.
pub fn resolve(table: &QualifiedTable, entry: &Value) -> Result<Resolved, String> {
    let definition = entry.get("definition").ok_or("\"definition\" is required")?;
    let name = function_name(definition)?;
    let function = functions::function(&name).ok_or_else(|| format!("function \"{name}\" does not exist"))?;
    if function.overloads > 1 {
        return Err(format!("function \"{name}\" is overloaded; a computed field needs a function with one signature"));
    }
    if function.volatility == "v" {
        return Err(format!("the function \"{name}\" is of type VOLATILE; cannot be added as a computed field"));
    }
    if function.has_other_modes {
        return Err(format!("the function \"{name}\" has OUT, INOUT, VARIADIC or TABLE arguments; only IN arguments are supported"));
    }
    let named = |key: &str| definition.get(key).and_then(Value::as_str);
    let call = FunctionCall::of(&name, &function, Some(table), named("table_argument"), named("session_argument"))?;
    let result = &function.result;
    let returns = match (&result.relation, result.kind.as_str()) {
        (Some(rows), "c") => Returns::Rows { table: rows.clone(), set: function.returns_set },
        (_, "b" | "d" | "e") if !function.returns_set => Returns::Scalar {
            sql_type: result.sql_type.clone(),
            ty: column_type(&result.type_name, result.elem_type_name.as_deref(), result.enum_labels.as_ref()),
        },
        _ => {
            let set = if function.returns_set { "SETOF " } else { "" };
            return Err(format!(
                "the function \"{name}\" returns {set}{}: neither one value of a BASE type nor rows of a table",
                result.sql_type
            ));
        }
    };
    Ok(Resolved { call, returns, executable: function.executable })
}
