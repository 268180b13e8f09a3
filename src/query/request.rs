//! Parsing, spec validation, operation selection and variable coercion, all by
//! apollo-compiler against the composed schema.

use apollo_compiler::executable::Operation;
use apollo_compiler::request::coerce_variable_values;
use apollo_compiler::response::{GraphQLError as ApolloError, JsonMap, JsonValue};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use super::bulk::BulkList;
use crate::error::{code, GraphqlError};
use crate::jsonb::JsonbArg;

/// A validated request: the document, the chosen operation and coerced variables.
pub struct Request {
    pub document: Arc<Valid<ExecutableDocument>>,
    pub operation: Node<Operation>,
    pub variables: Valid<JsonMap>,
    /// Insert lists read in place (`bulk`): each variable is an empty list in `variables`.
    pub bulk: Vec<BulkList>,
}

/// The call's variables: a tree, or the jsonb argument as Postgres passed it (read in
/// place, so that a large insert list is not copied on its way to the statement).
#[derive(Clone, Copy)]
pub enum Variables<'a> {
    Tree(&'a Value),
    Jsonb(&'a JsonbArg),
}

impl<'a> From<&'a Value> for Variables<'a> {
    fn from(value: &'a Value) -> Self {
        Variables::Tree(value)
    }
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

/// Most parse and validation errors one response reports.
const MAX_REPORTED_ERRORS: usize = 100;

fn from_apollo(error: ApolloError, code: &'static str) -> GraphqlError {
    let mut out = GraphqlError::new(code, error.message);
    out.locations = error.locations.iter().map(|l| (l.line, l.column)).collect();
    out
}

/// What the parser alone reports about `query` (message, locations): those of a
/// document's diagnostics are parse errors, the others validation errors. Run only when
/// the document has errors.
fn syntax_errors(query: &str) -> std::collections::HashSet<(String, Vec<(usize, usize)>)> {
    match apollo_compiler::ast::Document::parse(query, "query.graphql") {
        Ok(_) => Default::default(),
        Err(with_errors) => with_errors
            .errors
            .iter()
            .map(|d| {
                let e = d.to_json();
                (e.message, e.locations.iter().map(|l| (l.line, l.column)).collect())
            })
            .collect(),
    }
}

/// Documents that passed the limits and validation against one composed schema, by
/// text: an application repeats the same documents with other variables, and parsing
/// and validating them was the larger part of the engine's own time on a small query.
/// Bounded; lives as long as the schema it was validated against.
#[derive(Default)]
pub struct DocumentCache {
    documents: RefCell<indexmap::IndexMap<DocumentKey, Arc<Valid<ExecutableDocument>>>>,
}

/// The text and the limits it was checked against (both are GUCs a session may change).
#[derive(Hash, PartialEq, Eq)]
struct DocumentKey {
    text: String,
    max_depth: usize,
    max_fields: usize,
}

/// Documents kept per schema, and the longest text kept (a bound on memory).
const KEPT_DOCUMENTS: usize = 256;
const LONGEST_KEPT_TEXT: usize = 64 * 1024;

impl DocumentCache {
    fn get(&self, key: &DocumentKey) -> Option<Arc<Valid<ExecutableDocument>>> {
        self.documents.borrow().get(key).cloned()
    }

    fn keep(&self, key: DocumentKey, document: Arc<Valid<ExecutableDocument>>) {
        if key.text.len() > LONGEST_KEPT_TEXT {
            return;
        }
        let mut documents = self.documents.borrow_mut();
        if documents.len() >= KEPT_DOCUMENTS {
            documents.shift_remove_index(0);
        }
        documents.insert(key, document);
    }
}

/// Parses, validates and prepares `query`. Errors are request errors: the response
/// then has no `data`. `is_insert` names the root fields whose `objects` list may be
/// read in place (`bulk`).
pub fn prepare(
    schema: &Valid<Schema>,
    documents: &DocumentCache,
    query: &str,
    variables: Variables,
    operation_name: Option<&str>,
    is_insert: &dyn Fn(&str) -> bool,
) -> Result<Request, Vec<GraphqlError>> {
    let key = DocumentKey { text: query.to_string(), max_depth: crate::settings::max_query_depth(), max_fields: crate::settings::max_query_fields() };
    let document = match documents.get(&key) {
        Some(document) => document,
        None => {
            let document = Arc::new(validate(schema, query)?);
            documents.keep(key, document.clone());
            document
        }
    };
    prepare_operation(schema, document, variables, operation_name, is_insert)
}

/// The limits, then spec validation.
fn validate(schema: &Valid<Schema>, query: &str) -> Result<Valid<ExecutableDocument>, Vec<GraphqlError>> {
    // The shape limits run on the parsed document before validation, whose cost grows
    // with the document's size; a document with errors is parsed again by
    // parse_and_validate, so that its errors are reported as they always were.
    super::limits::check_text(query).map_err(|e| vec![e])?;
    let validated = match ExecutableDocument::parse(schema, query, "query.graphql") {
        Ok(document) => {
            super::limits::check(&document, crate::settings::max_query_depth(), crate::settings::max_query_fields()).map_err(|e| vec![e])?;
            document.validate(schema)
        }
        Err(with_errors) => {
            // Unknown fields are build errors, not syntax errors: the limits still
            // apply to what was built, before validation looks at it all.
            super::limits::check(&with_errors.partial, crate::settings::max_query_depth(), crate::settings::max_query_fields())
                .map_err(|e| vec![e])?;
            ExecutableDocument::parse_and_validate(schema, query, "query.graphql")
        }
    };
    let document = validated.map_err(|with_errors| {
        // A hostile document can yield one diagnostic per token (a 1.6 MB document
        // nested past the parser's limit gave 200,000 of them, a 31 MB response and
        // 11 s spent locating each in the source); the first ones say what is wrong.
        let total = with_errors.errors.len();
        let syntax = syntax_errors(query);
        let mut errors: Vec<GraphqlError> = with_errors
            .errors
            .iter()
            .take(MAX_REPORTED_ERRORS)
            .map(|d| {
                let error = d.to_json();
                let key = (error.message.clone(), error.locations.iter().map(|l| (l.line, l.column)).collect());
                let code = if syntax.contains(&key) { code::PARSE_FAILED } else { code::VALIDATION_FAILED };
                from_apollo(error, code)
            })
            .collect();
        if total > MAX_REPORTED_ERRORS {
            errors.push(GraphqlError::new(
                code::VALIDATION_FAILED,
                format!("{} more errors in this document are not shown", total - MAX_REPORTED_ERRORS),
            ));
        }
        without_empty_selection_artifacts(query, errors)
    })?;
    refuse_reserved_aliases(&document)?;
    Ok(document)
}

/// Aliases this extension gives the fields it adds to a remote's document (a join's
/// lhs fields, `pgf__<Type>__<key>__<field>`) are stripped from the answer: a client alias
/// with that prefix would vanish silently, so it is refused by name instead.
fn refuse_reserved_aliases(document: &ExecutableDocument) -> Result<(), Vec<GraphqlError>> {
    const RESERVED: &str = "pgf__";
    let mut pending: Vec<&apollo_compiler::executable::SelectionSet> = Vec::new();
    pending.extend(document.operations.iter().map(|op| &op.selection_set));
    pending.extend(document.fragments.values().map(|f| &f.selection_set));
    let mut errors = Vec::new();
    while let Some(set) = pending.pop() {
        for selection in &set.selections {
            match selection {
                apollo_compiler::executable::Selection::Field(field) => {
                    if let Some(alias) = field.alias.as_ref().filter(|a| a.starts_with(RESERVED)) {
                        let mut error = GraphqlError::new(
                            code::VALIDATION_FAILED,
                            format!("alias \"{alias}\" is reserved: aliases starting with \"{RESERVED}\" are pg_federation's"),
                        );
                        if let Some(location) = field.location().and_then(|l| l.line_column(&document.sources)) {
                            error.locations.push((location.line, location.column));
                        }
                        errors.push(error);
                    }
                    pending.push(&field.selection_set);
                }
                apollo_compiler::executable::Selection::InlineFragment(inline) => pending.push(&inline.selection_set),
                apollo_compiler::executable::Selection::FragmentSpread(_) => {}
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// apollo-compiler drops an unknown field when it builds the document, then reports
/// its parent for having no subselection: `{ authors { nope } }` gave "interface, union
/// and object types must have a subselection set" before the real error. That report
/// is dropped when the parent does have a selection set in the text.
fn without_empty_selection_artifacts(query: &str, mut errors: Vec<GraphqlError>) -> Vec<GraphqlError> {
    const EMPTY_SELECTION: &str = "interface, union and object types must have a subselection set";
    if !errors.iter().any(|e| e.message == EMPTY_SELECTION) {
        return errors;
    }
    let ast = match apollo_compiler::ast::Document::parse(query, "query.graphql") {
        Ok(ast) => ast,
        Err(with_errors) => with_errors.partial,
    };
    let mut with_selection = std::collections::HashSet::new();
    let mut pending: Vec<&apollo_compiler::ast::Selection> = Vec::new();
    for definition in &ast.definitions {
        match definition {
            apollo_compiler::ast::Definition::OperationDefinition(op) => pending.extend(&op.selection_set),
            apollo_compiler::ast::Definition::FragmentDefinition(f) => pending.extend(&f.selection_set),
            _ => {}
        }
    }
    while let Some(selection) = pending.pop() {
        match selection {
            apollo_compiler::ast::Selection::Field(field) => {
                if !field.selection_set.is_empty() {
                    if let Some(start) = field.line_column_range(&ast.sources).map(|r| (r.start.line, r.start.column)) {
                        with_selection.insert(start);
                    }
                }
                pending.extend(&field.selection_set);
            }
            apollo_compiler::ast::Selection::InlineFragment(fragment) => pending.extend(&fragment.selection_set),
            apollo_compiler::ast::Selection::FragmentSpread(_) => {}
        }
    }
    errors.retain(|e| e.message != EMPTY_SELECTION || !e.locations.first().is_some_and(|l| with_selection.contains(l)));
    errors
}

/// A JSON value as apollo-compiler holds one.
fn apollo_value(value: &Value) -> JsonValue {
    match value {
        Value::Null => JsonValue::Null,
        Value::Bool(b) => JsonValue::Bool(*b),
        Value::Number(n) => JsonValue::Number(n.clone()),
        Value::String(s) => JsonValue::String(s.as_str().into()),
        Value::Array(items) => JsonValue::Array(items.iter().map(apollo_value).collect()),
        Value::Object(map) => JsonValue::Object(map.iter().map(|(k, v)| (k.as_str().into(), apollo_value(v))).collect()),
    }
}

/// The chosen operation and its coerced variables.
fn prepare_operation(
    schema: &Valid<Schema>,
    document: Arc<Valid<ExecutableDocument>>,
    variables: Variables,
    operation_name: Option<&str>,
    is_insert: &dyn Fn(&str) -> bool,
) -> Result<Request, Vec<GraphqlError>> {
    let operation = document
        .operations
        .get(operation_name)
        .map_err(|e| vec![from_apollo(e.to_graphql_error(&document.sources), code::VALIDATION_FAILED)])?
        .clone();
    let unreadable = |e: String| vec![GraphqlError::new(code::BAD_REQUEST, format!("variables could not be read: {e}"))];
    let (read, bulk) = match variables {
        Variables::Tree(tree) => (Cow::Borrowed(tree), Vec::new()),
        Variables::Jsonb(jsonb) => {
            let candidates = super::bulk::candidates(&document, &operation, is_insert);
            let (tree, bulk) = super::bulk::read(schema, jsonb, &candidates).map_err(unreadable)?;
            (Cow::Owned(tree), bulk)
        }
    };
    // Converted, not deserialized: a number keeps its every digit (serde_json's, as
    // apollo-compiler's JSON holds them), where reading it back would refuse one past 64
    // bits; and a borrowed tree is not copied first.
    let values: JsonMap = match read {
        Cow::Owned(Value::Object(map)) => map.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        Cow::Borrowed(Value::Object(map)) => map.iter().map(|(k, v)| (k.as_str().into(), apollo_value(v))).collect(),
        Cow::Owned(Value::Null) | Cow::Borrowed(Value::Null) => JsonMap::new(),
        _ => return Err(vec![GraphqlError::new(code::BAD_REQUEST, "variables must be a JSON object")]),
    };
    let variables = coerce_variable_values(schema, &operation, &values)
        .map_err(|e| vec![from_apollo(e.to_graphql_error(&document.sources), code::VALIDATION_FAILED)])?;
    Ok(Request { document, operation, variables, bulk })
}
