//! Computed fields (`pg_add_computed_field`): a field of a table whose value is a SQL
//! function of the row, as Hasura defines them. A scalar computed field behaves as a
//! column: selected, filtered (`where`), ordered (`order_by`), and usable as a remote
//! relationship's join field. The function must be STABLE or IMMUTABLE, take the table's
//! row (the first argument, or `table_argument`) and optionally the session variables as
//! json (`session_argument`), and return a base type.

use serde_json::Value;

use super::functions::{self, Function};
use super::scalars::{column_type, ColumnType};
use crate::metadata::document::QualifiedTable;

/// How the function is called for a row.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedCall {
    pub function: QualifiedTable,
    /// Per argument, in order: the row (None) or the session, cast to this type.
    pub arguments: Vec<Option<String>>,
}

impl ComputedCall {
    /// `"schema"."function"(<row alias>, <session json>)`.
    pub fn sql(&self, alias: &str) -> String {
        let arguments: Vec<String> = self
            .arguments
            .iter()
            .map(|a| match a {
                None => alias.to_string(),
                Some(ty) => format!(
                    "coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), ''), '{{}}')::{ty}"
                ),
            })
            .collect();
        format!(
            "{}.{}({})",
            crate::plan::ident(&self.function.schema),
            crate::plan::ident(&self.function.name),
            arguments.join(", ")
        )
    }
}

/// A computed field resolved against the catalog: its call and GraphQL type.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub call: ComputedCall,
    /// Whether the current role may execute the function.
    pub executable: bool,
    pub sql_type: String,
    pub ty: ColumnType,
}

/// Resolves one stored computed field (`{name, definition: {function, table_argument,
/// session_argument}, comment}`) of `table`; the error says why it cannot be one.
pub fn resolve(table: &QualifiedTable, entry: &Value) -> Result<Resolved, String> {
    let definition = entry.get("definition").ok_or("\"definition\" is required")?;
    let name: QualifiedTable = definition
        .get("function")
        .cloned()
        .ok_or("\"definition.function\" is required")
        .and_then(|f| serde_json::from_value(f).map_err(|_| "\"definition.function\" must be a name or {\"schema\", \"name\"}"))?;
    let function = functions::function(&name).ok_or_else(|| format!("function \"{name}\" does not exist"))?;
    check(table, &name, &function, definition)
}

fn check(table: &QualifiedTable, name: &QualifiedTable, function: &Function, definition: &Value) -> Result<Resolved, String> {
    if function.overloads > 1 {
        return Err(format!("function \"{name}\" is overloaded; a computed field needs a function with one signature"));
    }
    if function.volatility == "v" {
        return Err(format!("the function \"{name}\" is of type VOLATILE; cannot be added as a computed field"));
    }
    if function.has_other_modes {
        return Err(format!("the function \"{name}\" has OUT, INOUT, VARIADIC or TABLE arguments; only IN arguments are supported"));
    }
    if function.returns_set || !matches!(function.result.kind.as_str(), "b" | "d" | "e") {
        return Err(format!(
            "the function \"{name}\" returning type {} is not a BASE type (computed fields returning rows are not supported yet)",
            function.result.sql_type
        ));
    }
    let named = |key: &str| definition.get(key).and_then(Value::as_str).map(str::to_string);
    let table_argument = named("table_argument");
    let session_argument = named("session_argument");
    let position = |arg: &str| function.arguments.iter().position(|a| a.name == arg);
    let row_at = match &table_argument {
        Some(arg) => position(arg).ok_or_else(|| format!("\"{arg}\" is not an input argument of the function \"{name}\""))?,
        None => 0,
    };
    let row = function.arguments.get(row_at).ok_or_else(|| format!("the function \"{name}\" has no input arguments"))?;
    if row.ty.relation.as_ref() != Some(table) {
        return Err(format!(
            "the table argument of the function \"{name}\" is of type {}, not the row type of the table \"{table}\"",
            row.ty.sql_type
        ));
    }
    let session_at = match &session_argument {
        Some(arg) => {
            let at = position(arg).ok_or_else(|| format!("\"{arg}\" is not an input argument of the function \"{name}\""))?;
            if !matches!(function.arguments[at].ty.type_name.as_str(), "json" | "jsonb") {
                return Err(format!("the session argument \"{arg}\" of the function \"{name}\" is not of type json or jsonb"));
            }
            Some(at)
        }
        None => None,
    };
    if function.arguments.len() > 1 + usize::from(session_at.is_some()) {
        return Err(format!(
            "the function \"{name}\" takes arguments other than the table row and the session; \
             computed fields with input arguments are not supported yet"
        ));
    }
    let arguments = function
        .arguments
        .iter()
        .enumerate()
        .map(|(i, a)| if Some(i) == session_at { Some(a.ty.type_name.clone()) } else { None })
        .collect();
    let result = &function.result;
    Ok(Resolved {
        call: ComputedCall { function: name.clone(), arguments },
        executable: function.executable,
        sql_type: result.sql_type.clone(),
        ty: column_type(&result.type_name, result.elem_type_name.as_deref(), result.enum_labels.as_ref()),
    })
}
