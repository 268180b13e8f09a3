//! Joins, level by level. Each level's parents are already in the response tree and
//! carry their join keys under hidden keys. For every join of the level the keys are
//! collected and deduplicated (`collect`), then:
//! - joins to a remote schema go out as ONE request per (relationship, level), one
//!   aliased field per distinct key (`remote`), on worker threads;
//! - joins to a table run meanwhile on the backend as ONE statement per
//!   (relationship, level) over the key set (`table`);
//! - the answers are spliced back by key (`splice`), and the joins below them, planned
//!   with them (`plan::joins`), make the next level; keys that remote answers carry in
//!   phantom fields become hidden keys first (`nested`).
//!
//! A level of table -> remote joins with nothing joined below them skips the tree: its
//! keys are found in the statement's json text and the answers written into it (`text`).

pub mod collect;
pub mod nested;
pub mod raw;
pub mod remote;
pub mod splice;
pub mod table;
pub mod text;

use serde_json::Value;
use std::collections::HashMap;

use crate::error::GraphqlError;
use crate::plan::Context;
use crate::plan::{hidden_key, Join};
use crate::schema::join_field::JoinField;

/// Runs `pending` and every level below it (`Join::below`, planned with them); returns
/// whether any join failed.
pub fn run(mut pending: Vec<Join>, tree: &mut Value, context: &Context, errors: &mut Vec<GraphqlError>) -> bool {
    let errors_before = errors.len();
    let mut level = 0;
    while !pending.is_empty() {
        level += 1;
        crate::trace::set_level(level);
        // Keys in phantom fields of the answers above become hidden keys.
        nested::materialize(tree, &pending);
        if level > crate::plan::joins::MAX_LEVELS {
            for join in &pending {
                splice_values(tree, join, &HashMap::new());
            }
            break;
        }
        let (remote_joins, table_joins): (Vec<Join>, Vec<Join>) =
            pending.into_iter().partition(|j| matches!(j.relationship, JoinField::Remote(_)));
        let keys: Vec<collect::Keys> = remote_joins.iter().map(|join| collect::collect(tree, &join.path)).collect();
        let sent = remote::plan(&remote_joins, keys, context, errors).start();
        // The table joins run on this thread while the requests are under way.
        table::run(&table_joins, tree, context, errors);
        let answers = sent.wait();
        let values = splice::values(&context.request.document, &context.composed.remotes, &remote_joins, answers, errors);
        for (join, values) in remote_joins.iter().zip(&values) {
            splice_values(tree, join, values);
        }
        pending = remote_joins.into_iter().chain(table_joins).flat_map(|join| join.below).collect();
    }
    errors.len() > errors_before
}

/// Whether `joins` (a table statement's) can be spliced into its json text: all to a
/// remote schema, none with a join inside its selection (that needs the answers as trees).
pub fn fit_text(joins: &[Join]) -> bool {
    joins.iter().all(|join| matches!(join.relationship, JoinField::Remote(_)) && join.below.is_empty())
}

/// Runs the joins of a table statement's json `text` (`fit_text`): its requests, one per
/// (relationship, level); the answers are written into the text by `text::write`.
/// Returns the sites of the hidden keys and each join's values by key.
pub fn run_on_text(
    statement_text: &str,
    joins: &[Join],
    context: &Context,
    errors: &mut Vec<GraphqlError>,
) -> (Vec<text::Site>, text::Values) {
    crate::trace::set_level(1);
    let (sites, keys) = text::locate(statement_text, joins);
    let answers = remote::plan(joins, keys, context, errors).answered_as_text().start().wait_text();
    let values = raw::values(&context.request.document, &context.composed.remotes, joins, answers, errors);
    (sites, values)
}

/// Replaces each parent's hidden key of `join` with the answer for that key, in its
/// place (the hidden key stands where the client selected the field, and the response
/// keeps the selection's order); a parent whose key has a null part, or whose key got
/// no answer, gets null.
pub fn splice_values(tree: &mut Value, join: &Join, answers: &HashMap<String, Value>) {
    let Some((field_key, parents)) = join.path.split_last() else { return };
    let hidden = hidden_key(field_key);
    let mut text = Vec::new();
    collect::visit_parents(tree, parents, &mut Vec::new(), &mut |parent, _| {
        let Some(position) = parent.keys().position(|k| *k == hidden) else { return };
        let Some(key) = parent.shift_remove(&hidden) else { return };
        let value = match &key {
            Value::Array(parts) if parts.iter().any(Value::is_null) => Value::Null,
            Value::Array(parts) => collect::key_text(parts, &mut text).and_then(|k| answers.get(k)).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        };
        parent.shift_insert(position, field_key.clone(), value);
    });
}
