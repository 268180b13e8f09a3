//! Runs a request: schema from the cache, parse and validate (or the document kept
//! from an earlier call), then the root fields: a document of table fields only as ONE
//! statement (`tables`), otherwise each root field on its own (table fields as one SQL
//! statement each, introspection answered without SQL, remote fields and actions over
//! HTTP), and the response assembled with its errors.

use apollo_compiler::introspection;
use serde_json::{Map, Value};

mod actions;
pub mod joins;
mod remote;
mod tables;
mod typenames;

use crate::error::{code, GraphqlError, PathSegment};
use crate::http;
use crate::plan;
use crate::query::normalize::Collector;
use crate::query::request;
use crate::response::Response;
use crate::schema::cache;
use crate::schema::model::RootKind;
use crate::spi;
use joins::Context;

/// `graphql.resolve`: never raises for a bad request; errors go in the response.
pub fn resolve(query: &str, variables: &Value, operation_name: Option<&str>) -> Response {
    match run(query, variables, operation_name) {
        Ok(response) => response,
        Err(errors) => response(None, errors).into(),
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

fn run(query: &str, variables: &Value, operation_name: Option<&str>) -> Result<Response, Vec<GraphqlError>> {
    let composed = cache::get().map_err(|e| vec![e])?;
    let request = request::prepare(&composed.schema, &composed.documents, query, variables, operation_name)?;
    let is_mutation = request.operation.operation_type.is_mutation();
    if !request.operation.operation_type.is_query() && !is_mutation {
        return Err(vec![GraphqlError::new(code::VALIDATION_FAILED, "subscriptions are not supported")]);
    }
    let variables = request.variables_json();
    let collector = Collector { schema: &composed.schema, document: &request.document, variables: &variables };
    let root_type = if is_mutation { "mutation_root" } else { "query_root" };
    let root_fields = collector.collect(&request.operation.selection_set, root_type);
    let session = std::cell::OnceCell::new();
    let context =
        Context { composed: &composed, request: &request, collector: &collector, variables: &variables, session: &session };
    let mut data = Map::new();
    let mut errors = Vec::new();

    let joins = if is_mutation {
        mutation_fields(&context, &root_fields, query, &mut data, &mut errors)
    } else {
        match tables::run(&composed, &root_fields) {
            Some(tables::Outcome::Whole(datum)) => return Ok(Response::Datum(datum)),
            Some(tables::Outcome::Data(table_data, joins)) => {
                data = table_data;
                joins
            }
            None => query_fields(&context, &root_fields, query, &mut data, &mut errors)?,
        }
    };
    let data_is_null = data.remove(DATA_IS_NULL).is_some();

    // Joins, level by level, below what the root fields returned.
    if !joins.is_empty() {
        let mut tree = Value::Object(std::mem::take(&mut data));
        let failed = joins::run(joins, &mut tree, &context, &mut errors);
        if let Value::Object(map) = tree {
            data = map;
        }
        if failed && crate::settings::remote_join_errors_fail() {
            return Ok(response(None, errors).into());
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
    Ok(response(Some(data), errors).into())
}

/// What a root-level request's answer is for.
enum Outbound {
    RemoteRoot(plan::remote::RootCall),
    Action(plan::actions::ActionCall),
}

/// Marks (in the root data) that a non-null root field failed, so `data` is null.
const DATA_IS_NULL: &str = "pgf:data-is-null";

/// The root fields of a query: introspection from the schema, remote root fields and
/// actions on worker threads while each table field runs as one SQL statement.
/// Returns the joins below them.
fn query_fields(
    context: &Context,
    root_fields: &[crate::query::normalize::Field],
    query: &str,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
) -> Result<Vec<plan::Join>, Vec<GraphqlError>> {
    let composed = context.composed;
    let request = context.request;
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

    // Remote root fields and actions go out first, on worker threads.
    let remote_calls = plan::remote::plan_root_calls(context, errors, data);
    let remote_roots = remote::root_fields(remote_calls.iter().map(|(call, _)| call));
    let mut batch = http::Batch::default();
    for (call, request) in remote_calls {
        batch.push(request, Outbound::RemoteRoot(call));
    }
    for (call, request) in plan::actions::plan(context, "query_root", root_fields, query, data, errors) {
        batch.push(request, Outbound::Action(call));
    }
    let sent = batch.start();
    let mut joins = Vec::new();
    for field in root_fields {
        let key = field.response_key.clone();
        match field.name.as_str() {
            "__typename" => {
                data.insert(key, Value::String("query_root".into()));
            }
            "__schema" | "__type" => {
                data.insert(key.clone(), introspection_data.get(&key).cloned().unwrap_or(Value::Null));
            }
            name if composed.remote_roots.contains_key(name) || composed.actions.contains_key(name) => {}
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
                            data.insert(DATA_IS_NULL.into(), Value::Null);
                        }
                        data.insert(key, Value::Null);
                        errors.push(error);
                    }
                }
            }
        }
    }
    let (mut remote_answers, mut action_answers) = (Vec::new(), Vec::new());
    for (consumer, result) in sent.wait() {
        match consumer {
            Outbound::RemoteRoot(call) => remote_answers.push((call, result)),
            Outbound::Action(call) => action_answers.push((call, result)),
        }
    }
    remote::apply_root_results(&request.document, remote_answers, data, errors);
    joins.extend(actions::apply(composed, action_answers, data, errors));
    if !remote_roots.is_empty() && !composed.type_joins.is_empty() {
        let mut tree = Value::Object(std::mem::take(data));
        joins.extend(joins::nested::under_remote_roots(&remote_roots, &mut tree, context));
        if let Value::Object(map) = tree {
            *data = map;
        }
    }
    Ok(joins)
}

/// The root fields of a mutation (actions of type mutation), one after another as
/// the spec says. Returns the joins below them.
fn mutation_fields(
    context: &Context,
    root_fields: &[crate::query::normalize::Field],
    query: &str,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
) -> Vec<plan::Join> {
    let mut joins = Vec::new();
    for field in root_fields {
        if field.name == "__typename" {
            data.insert(field.response_key.clone(), Value::String("mutation_root".into()));
            continue;
        }
        if context.composed.remote_mutation_roots.contains_key(field.name.as_str()) {
            let remote_roots = remote::run_mutation_field(context, field, data, errors);
            if !context.composed.type_joins.is_empty() {
                let mut tree = Value::Object(std::mem::take(data));
                joins.extend(joins::nested::under_remote_roots(&remote_roots, &mut tree, context));
                if let Value::Object(map) = tree {
                    *data = map;
                }
            }
            continue;
        }
        if let Some(&root) = context.composed.model.mutation_roots.get(field.name.as_str()) {
            // A VOLATILE tracked function: one statement that may write.
            let path = [PathSegment::Key(field.response_key.clone())];
            let result = plan::root_statement(&context.composed.model, root, field)
                .and_then(|s| spi::write_json(&s.sql, &s.params).map(|v| (v, s.joins)).map_err(|e| sql_error(e, &path)));
            match result {
                Ok((value, mut field_joins)) => {
                    data.insert(field.response_key.clone(), value.unwrap_or(Value::Null));
                    joins.append(&mut field_joins);
                }
                Err(error) => {
                    data.insert(field.response_key.clone(), Value::Null);
                    errors.push(error);
                }
            }
            continue;
        }
        let mut batch = http::Batch::default();
        for (call, request) in plan::actions::plan(context, "mutation_root", std::slice::from_ref(field), query, data, errors) {
            batch.push(request, call);
        }
        joins.extend(actions::apply(context.composed, batch.start().wait(), data, errors));
    }
    joins
}

fn execute_root(
    model: &crate::schema::model::Model,
    root: crate::schema::model::RootField,
    field: &crate::query::normalize::Field,
) -> Result<(Value, Vec<plan::Join>), GraphqlError> {
    let statement = plan::root_statement(model, root, field)?;
    let path = [PathSegment::Key(field.response_key.clone())];
    match spi::select_json(&statement.sql, &statement.params) {
        Ok(Some(value)) => Ok((value, statement.joins)),
        Ok(None) => Ok((Value::Null, statement.joins)),
        Err(e) => Err(sql_error(e, &path)),
    }
}

/// A failed statement as the client's error at `path`.
pub(crate) fn sql_error(e: spi::SqlError, path: &[PathSegment]) -> GraphqlError {
    let code = if e.is_permission_denied() {
        code::PERMISSION_DENIED
    } else if e.is_data_exception() {
        code::DATA_EXCEPTION
    } else {
        code::UNEXPECTED
    };
    GraphqlError::new(code, e.message).at(path)
}
