//! Parsing, spec validation, operation selection and variable coercion, all by
//! apollo-compiler against the composed schema.

use apollo_compiler::executable::Operation;
use apollo_compiler::request::coerce_variable_values;
use apollo_compiler::response::{GraphQLError as ApolloError, JsonMap};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};
use serde_json::Value;

use crate::error::{code, GraphqlError};

/// A validated request: the document, the chosen operation and coerced variables.
pub struct Request {
    pub document: Valid<ExecutableDocument>,
    pub operation: Node<Operation>,
    pub variables: Valid<JsonMap>,
}

impl Request {
    /// The coerced variables as serde_json values.
    pub fn variables_json(&self) -> serde_json::Map<String, Value> {
        match serde_json::to_value(&*self.variables) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        }
    }
}

fn from_apollo(error: ApolloError, default_code: &'static str) -> GraphqlError {
    let code = if error.message.starts_with("syntax error") { code::PARSE_FAILED } else { default_code };
    let mut out = GraphqlError::new(code, error.message);
    out.locations = error.locations.iter().map(|l| (l.line, l.column)).collect();
    out
}

/// Parses, validates and prepares `query`. Errors are request errors: the response
/// then has no `data`.
pub fn prepare(
    schema: &Valid<Schema>,
    query: &str,
    variables: &Value,
    operation_name: Option<&str>,
) -> Result<Request, Vec<GraphqlError>> {
    let document = ExecutableDocument::parse_and_validate(schema, query, "query.graphql").map_err(|with_errors| {
        with_errors.errors.iter().map(|d| from_apollo(d.to_json(), code::VALIDATION_FAILED)).collect::<Vec<_>>()
    })?;
    let operation = document
        .operations
        .get(operation_name)
        .map_err(|e| vec![from_apollo(e.to_graphql_error(&document.sources), code::VALIDATION_FAILED)])?
        .clone();
    let values: JsonMap = match variables {
        Value::Null => JsonMap::new(),
        Value::Object(_) => serde_json::from_value(variables.clone()).map_err(|e| {
            vec![GraphqlError::new(code::BAD_REQUEST, format!("variables could not be read: {e}"))]
        })?,
        _ => return Err(vec![GraphqlError::new(code::BAD_REQUEST, "variables must be a JSON object")]),
    };
    let variables = coerce_variable_values(schema, &operation, &values)
        .map_err(|e| vec![from_apollo(e.to_graphql_error(&document.sources), code::VALIDATION_FAILED)])?;
    Ok(Request { document, operation, variables })
}
