//! Calling a SQL function from GraphQL: each argument is the parent row (a computed
//! field's table argument), the session variables as json (`session_argument`), or an
//! input the client gives in `args: <function>_args` (the call's SQL: `plan::call`).

use super::functions::Function;
use super::names::is_graphql_name;
use super::scalars::{column_type, ColumnType};
use crate::metadata::document::QualifiedTable;

#[derive(Debug, Clone, PartialEq)]
pub enum Argument {
    /// The row of the table the field belongs to.
    Row,
    /// The session variables, cast to this type (json or jsonb).
    Session(String),
    /// A value of `args`: its GraphQL type, SQL type, and whether it has a default.
    Input { ty: ColumnType, sql_type: String, has_default: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCall {
    pub function: QualifiedTable,
    /// (the argument's name, what it is), in order.
    pub arguments: Vec<(String, Argument)>,
    /// The input type of `args` (Hasura's `<function>_args`).
    pub args_type: String,
}

impl FunctionCall {
    /// Reads a function's arguments: `table_argument` (or, for a computed field, the
    /// first argument) is the row of `row_of`, `session_argument` the session; every
    /// other one must be named with a GraphQL name.
    pub fn of(
        name: &QualifiedTable,
        function: &Function,
        row_of: Option<&QualifiedTable>,
        table_argument: Option<&str>,
        session_argument: Option<&str>,
    ) -> Result<FunctionCall, String> {
        let position = |arg: &str| function.arguments.iter().position(|a| a.name == arg);
        let row_at = match (row_of, table_argument) {
            (None, _) => None,
            (Some(_), Some(arg)) => {
                Some(position(arg).ok_or_else(|| format!("\"{arg}\" is not an input argument of the function \"{name}\""))?)
            }
            (Some(_), None) if function.arguments.is_empty() => {
                return Err(format!("the function \"{name}\" has no input arguments"))
            }
            (Some(_), None) => Some(0),
        };
        if let (Some(at), Some(table)) = (row_at, row_of) {
            let row = &function.arguments[at];
            if row.ty.relation.as_ref() != Some(table) {
                return Err(format!(
                    "the table argument of the function \"{name}\" is of type {}, not the row type of the table \"{table}\"",
                    row.ty.sql_type
                ));
            }
        }
        let session_at = match session_argument {
            Some(arg) => {
                let at = position(arg).ok_or_else(|| format!("\"{arg}\" is not an input argument of the function \"{name}\""))?;
                if !matches!(function.arguments[at].ty.type_name.as_str(), "json" | "jsonb") {
                    return Err(format!("the session argument \"{arg}\" of the function \"{name}\" is not of type json or jsonb"));
                }
                Some(at)
            }
            None => None,
        };
        let first_default = function.arguments.len().saturating_sub(function.defaults);
        let mut arguments = Vec::new();
        for (i, arg) in function.arguments.iter().enumerate() {
            let what = if Some(i) == row_at {
                Argument::Row
            } else if Some(i) == session_at {
                Argument::Session(arg.ty.type_name.clone())
            } else {
                if !is_graphql_name(&arg.name) {
                    return Err(format!(
                        "the function \"{name}\" has an argument without a name that is a valid GraphQL name (position {})",
                        i + 1
                    ));
                }
                Argument::Input {
                    ty: column_type(&arg.ty.type_name, arg.ty.elem_type_name.as_deref(), arg.ty.enum_labels.as_ref()),
                    sql_type: arg.ty.sql_type.clone(),
                    has_default: i >= first_default,
                }
            };
            arguments.push((arg.name.clone(), what));
        }
        let args_type = format!("{}_args", super::names::relation_type_name(&name.schema, &name.name));
        Ok(FunctionCall { function: name.clone(), arguments, args_type })
    }

    /// The inputs of `args`: (name, GraphQL type, has a default).
    pub fn inputs(&self) -> impl Iterator<Item = (&str, &ColumnType, bool)> {
        self.arguments.iter().filter_map(|(name, a)| match a {
            Argument::Input { ty, has_default, .. } => Some((name.as_str(), ty, *has_default)),
            _ => None,
        })
    }

    pub fn has_inputs(&self) -> bool {
        self.inputs().next().is_some()
    }

    /// `args: <function>_args` (required when an input has no default), or nothing.
    pub fn args_argument(&self) -> Option<String> {
        if !self.has_inputs() {
            return None;
        }
        let required = self.inputs().any(|(_, _, has_default)| !has_default);
        Some(format!("args: {}{}", self.args_type, if required { "!" } else { "" }))
    }

    /// The SDL of `<function>_args`, if it has inputs.
    pub fn args_input_type(&self) -> Option<String> {
        if !self.has_inputs() {
            return None;
        }
        let fields: Vec<String> = self
            .inputs()
            .map(|(name, ty, has_default)| {
                let scalar = if ty.is_list { format!("[{}]", ty.scalar) } else { ty.scalar.clone() };
                format!("  {name}: {scalar}{}", if has_default { "" } else { "!" })
            })
            .collect();
        Some(format!("input {} {{\n{}\n}}\n\n", self.args_type, fields.join("\n")))
    }
}
