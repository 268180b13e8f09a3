//! Tracked functions (`pg_track_function`), as Hasura exposes them: a SQL function
//! returning rows of an exposed table is a root field (`<function>`, with `where`,
//! `order_by`, `limit`, `offset`, `distinct_on` over its rows, and `<function>_aggregate`)
//! of query_root, or of mutation_root when it is VOLATILE (unless
//! `configuration.exposed_as` is `query`). Its inputs come in `args: <function>_args`,
//! `configuration.session_argument` receives the session variables.

use serde_json::Value;

use super::function_call::FunctionCall;
use super::functions;
use super::names::{is_graphql_name, relation_type_name};
use crate::metadata::document::QualifiedTable;

pub struct Resolved {
    pub call: FunctionCall,
    /// The table whose rows it returns.
    pub table: QualifiedTable,
    pub set: bool,
    pub is_mutation: bool,
    /// Root field names.
    pub field: String,
    pub aggregate: String,
    pub executable: bool,
}

/// A stored entry's function name.
pub fn function_name(entry: &Value) -> Result<QualifiedTable, String> {
    entry
        .get("function")
        .cloned()
        .ok_or("\"function\" is required".to_string())
        .and_then(|f| serde_json::from_value(f).map_err(|_| "\"function\" must be a name or {\"schema\", \"name\"}".into()))
}

/// Resolves one stored entry (`{function, configuration}`); the error says why the
/// function cannot be tracked.
pub fn resolve(entry: &Value) -> Result<Resolved, String> {
    let name = function_name(entry)?;
    let configuration = entry.get("configuration").cloned().unwrap_or(Value::Null);
    let function = functions::function(&name).ok_or_else(|| format!("function \"{name}\" does not exist"))?;
    if function.overloads > 1 {
        return Err(format!("the function \"{name}\" is overloaded; only a function with one signature can be tracked"));
    }
    if function.has_other_modes {
        return Err(format!("the function \"{name}\" has OUT, INOUT, VARIADIC or TABLE arguments; only IN arguments are supported"));
    }
    let table = match (&function.result.relation, function.result.kind.as_str()) {
        (Some(table), "c") => table.clone(),
        _ => return Err(format!("the function \"{name}\" does not return rows of a table (SETOF <table> or <table>)")),
    };
    let exposed_as = configuration.get("exposed_as").and_then(Value::as_str);
    let is_mutation = match exposed_as {
        Some("mutation") if function.volatility != "v" => {
            return Err(format!(
                "the function \"{name}\" was requested to be exposed as a mutation, but is not marked VOLATILE"
            ))
        }
        Some("mutation") => true,
        Some("query") => false,
        None => function.volatility == "v",
        Some(other) => return Err(format!("\"configuration.exposed_as\" must be \"query\" or \"mutation\", not \"{other}\"")),
    };
    let session = configuration.get("session_argument").and_then(Value::as_str);
    let call = FunctionCall::of(&name, &function, None, None, session)?;
    let custom = |key: &str| configuration.get("custom_root_fields").and_then(|c| c.get(key)).and_then(Value::as_str);
    let base = configuration
        .get("custom_name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| relation_type_name(&name.schema, &name.name));
    let field = custom("function").map(str::to_string).unwrap_or_else(|| base.clone());
    let aggregate = custom("function_aggregate").map(str::to_string).unwrap_or_else(|| format!("{base}_aggregate"));
    for root in [&field, &aggregate] {
        if !is_graphql_name(root) {
            return Err(format!("the root field name \"{root}\" is not a valid GraphQL name"));
        }
    }
    if field == aggregate {
        return Err(format!("the following custom root field names are duplicated: \"{field}\" and \"{aggregate}\""));
    }
    Ok(Resolved { call, table, set: function.returns_set, is_mutation, field, aggregate, executable: function.executable })
}
