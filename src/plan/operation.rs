//! The plan of an operation, made before anything runs: which root field is served by
//! what. A document of table fields only is ONE statement; otherwise each root field
//! has a step: `__typename`, introspection (answered from the schema), one statement
//! per table field, and the root level's requests (one per remote schema, one per
//! action field) with what each answer is for. The joins below come with the table
//! statements (their join edges) and, under remote root fields, from the remote roots'
//! selections; `plan::joins` plans every level below them before the first runs. A mutation's root fields are planned alike and
//! run one after another. `execute` carries a plan out.

use apollo_compiler::executable::Field as AstField;
use apollo_compiler::Node;

use super::actions::ActionCall;
use super::remote::RootCall;
use super::{document_statement, root_statement, Context, Statement};
use crate::error::{code, GraphqlError, PathSegment};
use crate::http;
use crate::query::normalize::Field;
use crate::schema::model::{RootField, RootKind};

/// What a query will do.
pub enum QueryPlan {
    /// Every root field a table field: the whole document as ONE statement. Should it
    /// fail, the executor asks `plan_fields` for a field-by-field plan, so each error
    /// keeps its path.
    Tables(Statement),
    Fields(FieldsPlan),
}

/// A query planned root field by root field.
pub struct FieldsPlan {
    /// One step per root field, in selection order.
    pub steps: Vec<(String, Step)>,
    /// The root level's requests, each with what its answer is for; sent together,
    /// while the table statements run.
    pub outbound: Vec<(Outbound, http::Request)>,
    /// Remote root fields (response key, client fields): joins may sit in their answers.
    pub remote_roots: Vec<(String, Vec<Node<AstField>>)>,
    /// Fields known to fail before anything runs (a remote that cannot be reached, an
    /// action whose request cannot be built): null, with the error.
    pub failed: Vec<(String, GraphqlError)>,
}

/// How one root field is served.
pub enum Step {
    Typename,
    /// `__schema` / `__type`: from the schema, no SQL.
    Introspection,
    /// One statement for one table root field (or why it could not be planned);
    /// `non_null`: the field's type is (`[T!]!`, `T_aggregate!`), so its failure makes
    /// `data` null.
    Table { statement: Result<Statement, GraphqlError>, non_null: bool },
    /// By a request of `outbound` (a remote root field or an action).
    Outbound,
    /// Not a field of query_root (validation makes this unreachable in practice).
    Unknown(GraphqlError),
}

impl Step {
    /// Whether a failure of this step makes `data` null.
    pub fn non_null(&self) -> bool {
        matches!(self, Step::Table { non_null: true, .. })
    }
}

/// What a root-level request's answer is for.
pub enum Outbound {
    RemoteRoot(RootCall),
    Action(ActionCall),
}

/// Plans a query's root fields: ONE statement when every one is a table field and the
/// statement can be planned, else field by field.
pub fn plan_query(context: &Context, root_fields: &[Field], query: &str) -> QueryPlan {
    let composed = context.composed;
    let tables: Option<Vec<(RootField, &Field)>> = root_fields
        .iter()
        .map(|field| {
            let name = field.name.as_str();
            if composed.remote_roots.contains_key(name) || composed.actions.contains_key(name) {
                return None;
            }
            Some((*composed.model.roots.get(name)?, field))
        })
        .collect();
    match tables.filter(|t| !t.is_empty()).map(|t| document_statement(&composed.model, context.session, &t)) {
        Some(Ok(mut statement)) => {
            statement.joins = super::joins::complete(context, std::mem::take(&mut statement.joins));
            QueryPlan::Tables(statement)
        }
        _ => QueryPlan::Fields(plan_fields(context, root_fields, query)),
    }
}

/// Plans a query root field by root field.
pub fn plan_fields(context: &Context, root_fields: &[Field], query: &str) -> FieldsPlan {
    let composed = context.composed;
    let mut failed = Vec::new();
    let remote_calls = super::remote::plan_root_calls(context, &mut failed);
    let remote_roots = remote_calls.iter().flat_map(|(call, _)| call.roots()).collect();
    let mut outbound: Vec<(Outbound, http::Request)> =
        remote_calls.into_iter().map(|(call, request)| (Outbound::RemoteRoot(call), request)).collect();
    let actions = super::actions::plan(context, "query_root", root_fields, query, &mut failed);
    outbound.extend(actions.into_iter().map(|(call, request)| (Outbound::Action(call), request)));
    let steps = root_fields
        .iter()
        .map(|field| {
            let step = match field.name.as_str() {
                "__typename" => Step::Typename,
                "__schema" | "__type" => Step::Introspection,
                name if composed.remote_roots.contains_key(name) || composed.actions.contains_key(name) => Step::Outbound,
                name => match composed.model.roots.get(name) {
                    Some(&root) => {
                        let non_null = match root.kind {
                            RootKind::ByPk => false,
                            // One row of a table (not SETOF) is a nullable object.
                            RootKind::Function => composed.model.functions.get(root.table).is_some_and(|f| f.set),
                            RootKind::Select | RootKind::Aggregate | RootKind::FunctionAggregate => true,
                        };
                        Step::Table { statement: root_statement(&composed.model, context.session, root, field), non_null }
                    }
                    None => Step::Unknown(
                        GraphqlError::new(code::VALIDATION_FAILED, format!("field \"{name}\" not found in type: 'query_root'"))
                            .at(&[PathSegment::Key(field.response_key.clone())]),
                    ),
                },
            };
            (field.response_key.clone(), step)
        })
        .collect();
    FieldsPlan { steps, outbound, remote_roots, failed }
}

/// How one root field of a mutation is served; they run one after another.
pub enum MutationStep {
    Typename,
    /// A remote's mutation field: its ONE `mutation` request, or why it cannot go.
    Remote(Result<(RootCall, http::Request), GraphqlError>),
    /// A VOLATILE tracked function: one statement that may write.
    Function(Result<Statement, GraphqlError>),
    /// A table mutation: its writes, each with the statement shaping its answer.
    Table(Result<super::mutation::TableWrite, GraphqlError>),
    /// An action: its handler's request, or why it cannot be built.
    Action(Result<(ActionCall, http::Request), GraphqlError>),
    /// Not a field of mutation_root (validation makes this unreachable in practice).
    Unknown,
}

/// Plans a mutation's root fields, in document order.
pub fn plan_mutation(context: &Context, root_fields: &[Field], query: &str) -> Vec<(String, MutationStep)> {
    let composed = context.composed;
    root_fields
        .iter()
        .map(|field| {
            let name = field.name.as_str();
            let step = if name == "__typename" {
                MutationStep::Typename
            } else if let Some(planned) = super::remote::mutation_call(context, field) {
                MutationStep::Remote(planned)
            } else if let Some(&mutation) = composed.model.table_mutations.get(name) {
                let list = crate::query::bulk::for_field(&context.request.bulk, field);
                MutationStep::Table(super::mutation::plan(&composed.model, context.session, mutation, field, list))
            } else if let Some(&root) = composed.model.mutation_roots.get(name) {
                MutationStep::Function(root_statement(&composed.model, context.session, root, field))
            } else {
                let mut unbuildable = Vec::new();
                let planned = super::actions::plan(context, "mutation_root", std::slice::from_ref(field), query, &mut unbuildable);
                match (planned.into_iter().next(), unbuildable.into_iter().next()) {
                    (Some(call), _) => MutationStep::Action(Ok(call)),
                    (None, Some((_, error))) => MutationStep::Action(Err(error)),
                    (None, None) => MutationStep::Unknown,
                }
            };
            (field.response_key.clone(), step)
        })
        .collect()
}
