//! Runs a request: schema from the cache, parse and validate, then each root field
//! (table fields as one SQL statement each, introspection answered without SQL),
//! and the response assembled with its errors.

use apollo_compiler::introspection;
use serde_json::{Map, Value};

mod forward;
mod remote;
mod remote_joins;

use crate::error::{code, GraphqlError, PathSegment};
use crate::http;
use crate::plan;
use crate::query::normalize::Collector;
use crate::query::request;
use crate::schema::cache;
use crate::schema::model::RootKind;
use crate::spi;

/// `graphql.resolve`: never raises for a bad request; errors go in the response.
pub fn resolve(query: &str, variables: &Value, operation_name: Option<&str>) -> Value {
    match run(query, variables, operation_name) {
        Ok(response) => response,
        Err(errors) => response(None, errors),
    }
}

fn response(data: Option<Value>, mut errors: Vec<GraphqlError>) -> Value {
    // The parser can report one syntax error twice; a client wants it once.
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert((e.message.clone(), e.locations.clone(), format!("{:?}", e.path))));
    let mut out = Map::new();
    if let Some(data) = data {
        out.insert("data".into(), data);
    }
    if !errors.is_empty() {
        out.insert("errors".into(), Value::Array(errors.iter().map(GraphqlError::to_json).collect()));
    }
    Value::Object(out)
}

fn run(query: &str, variables: &Value, operation_name: Option<&str>) -> Result<Value, Vec<GraphqlError>> {
    let composed = cache::get().map_err(|e| vec![e])?;
    let request = request::prepare(&composed.schema, query, variables, operation_name)?;
    if !request.operation.operation_type.is_query() {
        return Err(vec![GraphqlError::new(code::VALIDATION_FAILED, "only queries are supported")]);
    }
    let variables = request.variables_json();
    let collector = Collector { schema: &composed.schema, document: &request.document, variables: &variables };
    let root_fields = collector.collect(&request.operation.selection_set, "query_root");

    // Introspection meta-fields are answered from the schema in one pass, no SQL.
    let introspection_data = if root_fields.iter().any(|f| f.name == "__schema" || f.name == "__type") {
        introspection::check_max_depth(&request.document, &request.operation)
            .map_err(|e| vec![GraphqlError::new(code::VALIDATION_FAILED, e.message().to_string())])?;
        let partial = introspection::partial_execute(
            &composed.schema,
            &composed.implementers,
            &request.document,
            &request.operation,
            &request.variables,
        )
        .map_err(|e| vec![GraphqlError::new(code::VALIDATION_FAILED, e.message().to_string())])?;
        match partial.data.map(|d| serde_json::to_value(&d)) {
            Some(Ok(Value::Object(map))) => map,
            _ => Map::new(),
        }
    } else {
        Map::new()
    };

    let mut data = Map::new();
    let mut errors = Vec::new();
    let mut data_is_null = false;
    // Remote root fields go out first, on worker threads, while the SQL below runs.
    let (remote_calls, remote_requests) =
        remote::plan_root_calls(&composed, &request, &collector, &variables, &mut errors, &mut data);
    let in_flight = http::start(remote_requests);
    let mut joins = Vec::new();
    for field in &root_fields {
        let key = field.response_key.clone();
        match field.name.as_str() {
            "__typename" => {
                data.insert(key, Value::String("query_root".into()));
            }
            "__schema" | "__type" => {
                data.insert(key.clone(), introspection_data.get(&key).cloned().unwrap_or(Value::Null));
            }
            name if composed.remote_roots.contains_key(name) => {}
            name => {
                let Some(&root) = composed.model.roots.get(name) else {
                    errors.push(GraphqlError::new(code::VALIDATION_FAILED, format!("field \"{name}\" not found in type: 'query_root'")).at(&[PathSegment::Key(key)]));
                    continue;
                };
                match execute_root(&composed.model, root, field) {
                    Ok((value, mut field_joins)) => {
                        data.insert(key, value);
                        joins.append(&mut field_joins);
                    }
                    Err(error) => {
                        // `[T!]!` and `T_aggregate!` are non-null: their error nulls `data`.
                        if root.kind != RootKind::ByPk {
                            data_is_null = true;
                        }
                        data.insert(key, Value::Null);
                        errors.push(error);
                    }
                }
            }
        }
    }
    remote::apply_root_results(&request.document, remote_calls, in_flight.wait(), &mut data, &mut errors);

    // Table -> remote joins: keys from the rows, one request per relationship.
    if !joins.is_empty() {
        let mut tree = Value::Object(std::mem::take(&mut data));
        let errors_before = errors.len();
        let (calls, requests) = remote_joins::plan(&joins, &mut tree, &composed, &request, &variables, &mut errors);
        let results = http::start(requests).wait();
        remote_joins::join::splice(&request.document, &composed.remotes, &joins, calls, results, &mut tree, &mut errors);
        if let Value::Object(map) = tree {
            data = map;
        }
        if errors.len() > errors_before && crate::remote_join_errors_fail() {
            return Ok(response(None, errors));
        }
    }
    // Response keys in the order the client asked for them.
    let mut ordered = Map::new();
    for field in &root_fields {
        if let Some(value) = data.remove(&field.response_key) {
            ordered.insert(field.response_key.clone(), value);
        }
    }
    let data = if data_is_null { Value::Null } else { Value::Object(ordered) };
    Ok(response(Some(data), errors))
}

fn execute_root(
    model: &crate::schema::model::Model,
    root: crate::schema::model::RootField,
    field: &crate::query::normalize::Field,
) -> Result<(Value, Vec<plan::RemoteJoin>), GraphqlError> {
    let statement = plan::root_statement(model, root, field)?;
    let path = [PathSegment::Key(field.response_key.clone())];
    match spi::select_json(&statement.sql, &statement.params) {
        Ok(Some(value)) => Ok((value, statement.joins)),
        Ok(None) => Ok((Value::Null, statement.joins)),
        Err(e) => {
            let code = if e.is_permission_denied() {
                code::PERMISSION_DENIED
            } else if e.is_data_exception() {
                code::DATA_EXCEPTION
            } else {
                code::UNEXPECTED
            };
            Err(GraphqlError::new(code, e.message).at(&path))
        }
    }
}
