//! Planning: what a request will send and run, decided before it runs. The table part
//! of a document is SQL: one statement for the whole document (`document_statement`)
//! or per root field, relationships nested inside it as subqueries, every value a bind
//! parameter and every identifier quoted; remote fields and actions are requests.
//!
//! - `context`: what planning needs (schema, request, variables, session)
//! - `remote`, `forward`: requests to remote schemas, the client's selection forwarded
//! - `presets`: a role's remote schema presets, injected into requests
//! - `actions`: requests to action handlers
//! - `operation`: the plan of an operation's root fields (`plan_query`, `plan_mutation`), which `execute` carries out
//! - `joins`: the join tree below them, every level planned before a join runs
//! - `params`: binding values and encoding them as Postgres text
//! - `call`: SQL functions (computed fields, tracked functions) and column values
//! - `emit`: what writing one statement threads through (parameters, aliases, session)
//! - `filter`: `where` boolean expressions
//! - `row_filter`: permissions' row filters
//! - `order`: `order_by`, `distinct_on`, `limit`, `offset`
//! - `select`: rows, objects, relationships and aggregates
//! - `mutation`: table mutations (a write statement, then the answer's)

pub mod actions;
pub mod call;
mod context;
pub mod emit;
pub mod filter;
pub mod forward;
pub mod joins;
pub mod mutation;
pub mod nested_insert;
pub mod order;
pub mod params;
pub mod operation;
pub mod presets;
pub mod remote;
pub mod row_filter;
pub mod select;

pub use context::Context;

use crate::error::{code, GraphqlError};
use crate::query::normalize::Field;
use crate::schema::join_field::{JoinField, TableJoin};
use crate::schema::model::{Model, RootField, RootKind};

/// A statement ready for SPI: its text, its text parameters, and the joins whose
/// keys it selects as hidden fields.
#[derive(Debug)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<Option<String>>,
    pub joins: Vec<Join>,
    /// The one parameter bound as a jsonb datum rather than text (its entry in
    /// `params` is None): an insert's rows read in place (`query::bulk`).
    pub jsonb: Option<crate::spi::JsonbParam>,
}

/// A join field the client selected (a remote relationship, to a remote schema or
/// to a table). Each parent object carries its key values under
/// `hidden_key(field)`; the join runs once its parents are in the response.
#[derive(Debug, Clone)]
pub struct Join {
    pub relationship: JoinField,
    /// Response keys from the root field down to the relationship field itself.
    pub path: Vec<String>,
    pub field: Field,
    /// Where its parents carry its key.
    pub key_at: joins::KeyAt,
    /// The joins inside its answers: the next level (`joins::complete`).
    pub below: Vec<Join>,
}

impl Join {
    /// A join whose parents carry the key under its hidden key (table rows, action
    /// outputs); the levels below are planned by `joins::complete`.
    pub fn at_hidden_key(relationship: JoinField, path: Vec<String>, field: Field) -> Join {
        Join { relationship, path, field, key_at: joins::KeyAt::HiddenKey, below: Vec::new() }
    }
}

/// Where a parent object carries the join key of relationship field `response_key`:
/// a key no GraphQL name can be (`:`), stripped before the response is returned.
pub fn hidden_key(response_key: &str) -> String {
    format!("{HIDDEN_KEY_PREFIX}{response_key}")
}

/// What every hidden key starts with.
pub const HIDDEN_KEY_PREFIX: &str = "pgf:";

/// The alias under which a remote answer carries lhs field `lhs`, for the join field
/// `response_key`, of an object of (our) type `type_name`; it stands where the client
/// selected the join field, so the join's value can take that place. Reserved: aliases
/// with the `pgf__` prefix are refused.
pub fn hidden_alias(type_name: &str, response_key: &str, lhs: &str) -> String {
    format!("pgf__{type_name}__{response_key}__{lhs}")
}

/// Why a part of a request cannot become SQL: a GraphQL error's code and message,
/// without the path (the caller knows it).
#[derive(Debug)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl From<String> for Refusal {
    /// A message about the request itself: it does not validate.
    fn from(message: String) -> Self {
        Refusal { code: code::VALIDATION_FAILED, message }
    }
}

/// The session variables of a call, read once when first needed.
pub type Session = std::cell::OnceCell<crate::session::Variables>;

/// Plans one root field of `query_root` as one statement returning one json value.
pub fn root_statement(model: &Model, session: &Session, root: RootField, field: &Field) -> Result<Statement, GraphqlError> {
    let mut builder = select::Builder::new(model, session, field.response_key.clone());
    let expr = root_expression(&mut builder, model, root, field)?;
    let (params, joins) = builder.finish();
    Ok(Statement { sql: format!("select {expr}"), params, joins, jsonb: None })
}

/// The json expression of one root field.
fn root_expression(builder: &mut select::Builder, model: &Model, root: RootField, field: &Field) -> Result<String, GraphqlError> {
    match root.kind {
        RootKind::Select => builder.list(&model.tables[root.table], field, None),
        RootKind::ByPk => builder.by_pk(&model.tables[root.table], field),
        RootKind::Aggregate => builder.aggregate(&model.tables[root.table], field, None),
        RootKind::Function => builder.function_root(&model.functions[root.table], false, field),
        RootKind::FunctionAggregate => builder.function_root(&model.functions[root.table], true, field),
    }
}

/// Plans every root field of a document that selects only table fields as ONE
/// statement: `select json_build_object('<key>', <field's expression>, …)`, one
/// round of parse, plan and execution instead of one per root field. Parameters are
/// numbered across the fields; join paths start at each field's response key.
pub fn document_statement(model: &Model, session: &Session, roots: &[(RootField, &Field)]) -> Result<Statement, GraphqlError> {
    let mut builder = select::Builder::new(model, session, String::new());
    let mut pairs = Vec::with_capacity(roots.len());
    for &(root, field) in roots {
        builder.start_root(field.response_key.clone());
        let expr = root_expression(&mut builder, model, root, field)?;
        pairs.push((field.response_key.clone(), expr));
    }
    let (params, joins) = builder.finish();
    Ok(Statement { sql: format!("select {}", select::build_object(&pairs)), params, joins, jsonb: None })
}

/// Plans a table join at one level as ONE statement over the distinct keys of its
/// parents (`keys`, in the order of `join.columns`). It returns one json object
/// `{"<key index>": object or list}`; keys without rows are absent. Nested joins
/// come back with paths that start at the join field's response key.
pub fn keyed_statement(
    model: &Model,
    session: &Session,
    join: &TableJoin,
    field: &Field,
    keys: &[Vec<serde_json::Value>],
) -> Result<Statement, GraphqlError> {
    let mut builder = select::Builder::new(model, session, field.response_key.clone());
    let table = &model.tables[join.table];
    let expr = builder.keyed(table, field, join, keys)?;
    let (params, joins) = builder.finish();
    Ok(Statement { sql: format!("select {expr}"), params, joins, jsonb: None })
}

/// The column under which a rows subquery carries the whole row, for the functions of
/// computed fields (a name no column can clash with: `:` is not in GraphQL names).
pub const ROW: &str = "pgf:row";

/// `inner."remote" = outer."local" and …` for a relationship's column mapping.
pub fn join_condition(mapping: &[(String, String)], outer: &str, inner: &str) -> String {
    mapping
        .iter()
        .map(|(local, remote)| format!("{inner}.{} = {outer}.{}", ident(remote), ident(local)))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Quotes an identifier for SQL (`"a""b"`).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for SQL. Used only for response keys and type names,
/// which the GraphQL grammar limits to `[_A-Za-z0-9]`; values are always parameters.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
