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
mod writes;

use crate::error::{code, GraphqlError, PathSegment};
use crate::http;
use crate::plan;
use crate::query::normalize::Collector;
use crate::query::request::{self, Variables};
use crate::schema::model::MutationKind;
use crate::response::Response;
use crate::schema::cache;
use crate::plan::mutation::Write;
use crate::plan::operation::{FieldsPlan, MutationStep, Outbound, QueryPlan, Step};
use crate::spi;
use crate::plan::Context;

/// `graphql.resolve`: never raises for a bad request; errors go in the response.
pub fn resolve<'v>(query: &str, variables: impl Into<Variables<'v>>, operation_name: Option<&str>) -> Response {
    match run(query, variables.into(), operation_name) {
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

/// Parses, validates and collects a request against the composed schema, then calls
/// `f` with the planning context and the operation's root fields (and whether it is a
/// mutation). `run` and the tests that inspect a plan start here.
pub(crate) fn with_context<'v, R>(
    query: &str,
    variables: impl Into<Variables<'v>>,
    operation_name: Option<&str>,
    f: impl FnOnce(&Context, &[crate::query::normalize::Field], bool) -> Result<R, Vec<GraphqlError>>,
) -> Result<R, Vec<GraphqlError>> {
    let composed = cache::get().map_err(|e| vec![e])?;
    let model = &composed.model;
    // An insert's rows may be read in place when the table has columns to give.
    let is_insert = |name: &str| {
        model.table_mutations.get(name).is_some_and(|&m| {
            m.kind == MutationKind::Insert && model.mutation_table(m).writes.insert.as_ref().is_some_and(|i| !i.columns.is_empty())
        })
    };
    let request = request::prepare(&composed.schema, &composed.documents, query, variables.into(), operation_name, &is_insert)?;
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
    f(&context, &root_fields, is_mutation)
}

fn run(query: &str, variables: Variables, operation_name: Option<&str>) -> Result<Response, Vec<GraphqlError>> {
    with_context(query, variables, operation_name, |context, root_fields, is_mutation| {
        respond(context, root_fields, is_mutation, query)
    })
}

/// Carries out the operation: its root fields (a query as planned by `plan::operation`, a
/// mutation's fields one after another), then the joins level by level, then the response.
fn respond(
    context: &Context,
    root_fields: &[crate::query::normalize::Field],
    is_mutation: bool,
    query: &str,
) -> Result<Response, Vec<GraphqlError>> {
    let mut data = Map::new();
    let mut errors = Vec::new();
    // A non-null root field (`[T!]!`, `T_aggregate!`) that failed makes `data` null.
    let mut data_is_null = false;

    // Every level of joins is planned (`plan::joins::complete`) before the first runs.
    let joins = if is_mutation {
        let mut steps = plan::operation::plan_mutation(context, root_fields, query);
        if let Some((key, statement)) = one_answered_write(&mut steps) {
            return Ok(respond_written_text(context, &key, &statement));
        }
        let found = run_mutation(context, steps, &mut data, &mut errors, &mut data_is_null);
        plan::joins::complete(context, found)
    } else {
        match plan::operation::plan_query(context, root_fields, query) {
            QueryPlan::Tables(statement) => match tables::run(&statement, joins::fit_text(&statement.joins)) {
                Some(tables::Outcome::Whole(datum)) => return Ok(Response::Datum(datum)),
                Some(tables::Outcome::Text(text)) => return Ok(respond_text(context, &text, &statement.joins)),
                Some(tables::Outcome::Data(table_data)) => {
                    data = table_data;
                    statement.joins
                }
                // The one statement failed: field by field, so each error keeps its path.
                None => {
                    let fields = plan::operation::plan_fields(context, root_fields, query);
                    plan::joins::complete(context, run_fields(context, fields, &mut data, &mut errors, &mut data_is_null)?)
                }
            },
            QueryPlan::Fields(fields) => {
                plan::joins::complete(context, run_fields(context, fields, &mut data, &mut errors, &mut data_is_null)?)
            }
        }
    };

    // Joins, level by level, below what the root fields returned. After a mutation,
    // their (read-only) statements must see what it wrote.
    if !joins.is_empty() {
        let _after_writes = is_mutation.then(spi::FreshSnapshot::push);
        let mut tree = Value::Object(std::mem::take(&mut data));
        let failed = joins::run(joins, &mut tree, context, &mut errors);
        if let Value::Object(map) = tree {
            data = map;
        }
        if failed && crate::settings::remote_join_errors_fail() {
            return Ok(response(None, errors).into());
        }
    }
    // Response keys in the order the client asked for them.
    let mut ordered = Map::new();
    for field in root_fields {
        if let Some(value) = data.remove(&field.response_key) {
            ordered.insert(field.response_key.clone(), value);
        }
    }
    let data = if data_is_null { Value::Null } else { Value::Object(ordered) };
    Ok(response(Some(data), errors).into())
}

/// The response of a tables-only document whose joins are spliced into the statement's
/// json text (`joins::fit_text`): no tree.
fn respond_text(context: &Context, text: &str, joins: &[plan::Join]) -> Response {
    let mut errors = Vec::new();
    let (sites, values) = joins::run_on_text(text, joins, context, &mut errors);
    if !errors.is_empty() && crate::settings::remote_join_errors_fail() {
        return response(None, errors).into();
    }
    let errors = (!errors.is_empty()).then(|| match response(None, errors) {
        Value::Object(mut out) => out.remove("errors").map(|e| e.to_string()).unwrap_or_else(|| "[]".into()),
        _ => "[]".into(),
    });
    Response::Text(joins::text::write(text, &sites, joins, &values, errors.as_deref()))
}

/// Carries out a query planned field by field: introspection from the schema, the
/// root level's requests on worker threads while each table field's statement runs,
/// then the answers spliced in. Returns the joins below the root fields; a failed
/// non-null table field sets `data_is_null`.
fn run_fields(
    context: &Context,
    plan: FieldsPlan,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
    data_is_null: &mut bool,
) -> Result<Vec<plan::Join>, Vec<GraphqlError>> {
    let composed = context.composed;
    let request = context.request;
    // Introspection meta-fields are answered from the schema in one pass, no SQL.
    let introspection_data = if plan.steps.iter().any(|(_, step)| matches!(step, Step::Introspection)) {
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
    for (key, error) in plan.failed {
        data.insert(key, Value::Null);
        errors.push(error);
    }
    // The root level's requests go out first, on worker threads.
    let mut batch = http::Batch::default();
    for (consumer, request) in plan.outbound {
        batch.push(request, consumer);
    }
    let sent = batch.start();
    let mut joins = Vec::new();
    for (key, step) in plan.steps {
        let non_null = step.non_null();
        match step {
            Step::Typename => {
                data.insert(key, Value::String("query_root".into()));
            }
            Step::Introspection => {
                let value = introspection_data.get(&key).cloned().unwrap_or(Value::Null);
                data.insert(key, value);
            }
            Step::Outbound => {}
            Step::Unknown(error) => errors.push(error),
            Step::Table { statement, .. } => match statement.and_then(|s| run_statement(s, &key)) {
                Ok((value, mut field_joins)) => {
                    data.insert(key, value);
                    joins.append(&mut field_joins);
                }
                Err(error) => {
                    // `[T!]!` and `T_aggregate!` are non-null: their error nulls `data`.
                    *data_is_null |= non_null;
                    data.insert(key, Value::Null);
                    errors.push(error);
                }
            },
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
    if !composed.type_joins.is_empty() {
        for (key, fields) in &plan.remote_roots {
            joins.extend(plan::joins::in_remote_selection(context, fields, std::slice::from_ref(key)));
        }
    }
    Ok(joins)
}

/// Carries out a mutation's root fields in document order. When the document writes
/// to tables, all its fields run in ONE subtransaction: if a write fails (a table's or
/// a VOLATILE function's), none of the document's writes remain, `data` is null, and
/// the rest is not run (Hasura's rule); the caller's transaction goes on.
fn run_mutation(
    context: &Context,
    steps: Vec<(String, MutationStep)>,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
    data_is_null: &mut bool,
) -> Vec<plan::Join> {
    let first_write = steps.iter().find(|(_, step)| matches!(step, MutationStep::Table(_))).map(|(key, _)| key.clone());
    let Some(key) = first_write else {
        // Nothing to undo together: each field on its own.
        return run_steps(context, steps, data, errors, false).unwrap_or_default();
    };
    if let Some(reason) = writes::read_only_reason() {
        errors.push(GraphqlError::new(code::READ_ONLY, reason).at(&[PathSegment::Key(key)]));
        *data_is_null = true;
        return Vec::new();
    }
    match atomically(|| run_steps(context, steps, data, errors, true)) {
        Ok(joins) => joins,
        Err(error) => {
            errors.push(error);
            *data_is_null = true;
            Vec::new()
        }
    }
}

/// Runs `f` as one unit (a subtransaction): kept when it succeeds, rolled back when it
/// fails, and rolled back too when an ERROR escapes it (a cancel, a statement timeout),
/// which then goes on up.
fn atomically<T>(f: impl FnOnce() -> Result<T, GraphqlError>) -> Result<T, GraphqlError> {
    let unit = spi::Subtransaction::begin();
    let outcome = pgrx::PgTryBuilder::new(std::panic::AssertUnwindSafe(f))
        .catch_others(move |caught| {
            unit.roll_back();
            crate::error::reraise(caught)
        })
        .execute();
    match outcome {
        Ok(value) => {
            unit.release();
            Ok(value)
        }
        Err(error) => {
            unit.roll_back();
            Err(error)
        }
    }
}

/// The write of a mutation that is one table field answered by ONE statement whose
/// joins fit its json text (`joins::fit_text`): the key and the statement, taken out of
/// `steps`. Such a mutation is answered without a tree (`respond_written_text`).
fn one_answered_write(steps: &mut [(String, MutationStep)]) -> Option<(String, plan::Statement)> {
    let [(key, MutationStep::Table(Ok(write)))] = steps else { return None };
    if write.many || !matches!(write.writes.as_slice(), [Write::Answered(statement)] if joins::fit_text(&statement.joins)) {
        return None;
    }
    match write.writes.pop() {
        Some(Write::Answered(statement)) => Some((key.clone(), statement)),
        _ => None,
    }
}

/// The response of `one_answered_write`: the write as one unit, then its remote joins
/// spliced into the statement's text, as for a tables-only query.
fn respond_written_text(context: &Context, key: &str, statement: &plan::Statement) -> Response {
    let path = [PathSegment::Key(key.to_string())];
    if let Some(reason) = writes::read_only_reason() {
        return response(Some(Value::Null), vec![GraphqlError::new(code::READ_ONLY, reason).at(&path)]).into();
    }
    match atomically(|| writes::run_text(statement, key)) {
        Ok(answer) => respond_text(context, &format!("{{{}:{answer}}}", Value::String(key.to_string())), &statement.joins),
        Err(error) => response(Some(Value::Null), vec![error]).into(),
    }
}

/// The mutation's fields, one after another; with `atomic`, the first failed write
/// stops them (its error returned), else a failed field is null beside its error.
fn run_steps(
    context: &Context,
    steps: Vec<(String, MutationStep)>,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
    atomic: bool,
) -> Result<Vec<plan::Join>, GraphqlError> {
    let mut joins = Vec::new();
    for (key, step) in steps {
        match step {
            MutationStep::Typename => {
                data.insert(key, Value::String("mutation_root".into()));
            }
            MutationStep::Remote(Ok((call, request))) => {
                let remote_roots = call.roots();
                let mut batch = http::Batch::default();
                batch.push(request, call);
                remote::apply_root_results(&context.request.document, batch.start().wait(), data, errors);
                if !context.composed.type_joins.is_empty() {
                    for (key, fields) in &remote_roots {
                        joins.extend(plan::joins::in_remote_selection(context, fields, std::slice::from_ref(key)));
                    }
                }
            }
            MutationStep::Function(statement) => {
                // A VOLATILE tracked function: one statement that may write.
                let path = [PathSegment::Key(key.clone())];
                let result = statement
                    .and_then(|s| spi::write_json(&s.sql, &s.params).map(|v| (v, s.joins)).map_err(|e| sql_error(e, &path)));
                match result {
                    Ok((value, mut field_joins)) => {
                        data.insert(key, value.unwrap_or(Value::Null));
                        joins.append(&mut field_joins);
                    }
                    Err(error) if atomic => return Err(error),
                    Err(error) => {
                        data.insert(key, Value::Null);
                        errors.push(error);
                    }
                }
            }
            MutationStep::Table(write) => {
                let (value, mut field_joins) = write.and_then(|w| writes::run(w, &key))?;
                data.insert(key, value);
                joins.append(&mut field_joins);
            }
            MutationStep::Action(Ok((call, request))) => {
                let mut batch = http::Batch::default();
                batch.push(request, call);
                joins.extend(actions::apply(context.composed, batch.start().wait(), data, errors));
            }
            MutationStep::Remote(Err(error)) | MutationStep::Action(Err(error)) => {
                data.insert(key, Value::Null);
                errors.push(error);
            }
            MutationStep::Unknown => {}
        }
    }
    Ok(joins)
}

/// Runs one root field's statement; its value and the joins below it.
fn run_statement(statement: plan::Statement, key: &str) -> Result<(Value, Vec<plan::Join>), GraphqlError> {
    let path = [PathSegment::Key(key.to_string())];
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
    } else if e.is_constraint_violation() {
        code::CONSTRAINT_VIOLATION
    } else {
        code::UNEXPECTED
    };
    GraphqlError::new(code, e.message).at(path)
}
