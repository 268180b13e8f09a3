//! Joins, level by level. Each level's parents are already in the response tree and
//! carry their join keys under hidden keys. For every join of the level the keys are
//! collected and deduplicated (`collect`), then:
//! - joins to a remote schema go out as ONE request per (relationship, level), one
//!   aliased field per distinct key (`remote`), on worker threads;
//! - joins to a table run meanwhile on the backend as ONE statement per
//!   (relationship, level) over the key set (`table`);
//! - the answers are spliced back by key (`splice`), and the joins found inside them
//!   (`nested`) make the next level.

pub mod collect;
pub mod nested;
pub mod remote;
pub mod splice;
pub mod table;

use serde_json::Value;
use std::collections::HashMap;

use crate::error::{GraphqlError, PathSegment};
use crate::plan::Context;
use crate::plan::{hidden_key, Join};
use crate::schema::join_field::JoinField;

/// Levels deeper than this are not followed: a guard against a relationship cycle
/// the client keeps selecting, on top of the query depth the validator allows.
const MAX_LEVELS: usize = 64;

/// Runs `pending` and every level below it; returns whether any join failed.
pub fn run(mut pending: Vec<Join>, tree: &mut Value, context: &Context, errors: &mut Vec<GraphqlError>) -> bool {
    let errors_before = errors.len();
    let mut level = 0;
    while !pending.is_empty() {
        level += 1;
        crate::trace::set_level(level);
        if level > MAX_LEVELS {
            for join in &pending {
                splice_values(tree, join, &HashMap::new());
            }
            break;
        }
        let (remote_joins, table_joins): (Vec<Join>, Vec<Join>) =
            pending.into_iter().partition(|j| matches!(j.relationship, JoinField::Remote(_)));
        let sent = remote::plan(&remote_joins, tree, context, errors).start();
        // The table joins run on this thread while the requests are under way.
        let mut next = table::run(&table_joins, tree, context, errors);
        let answers = sent.wait();
        splice::splice(&context.request.document, &context.composed.remotes, &remote_joins, answers, tree, errors);
        next.extend(nested::after_remote_joins(&remote_joins, tree, context));
        pending = next;
    }
    errors.len() > errors_before
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

/// The path of the relationship field under a parent at `parent_path`.
pub fn field_path(parent_path: &[PathSegment], join: &Join) -> Vec<PathSegment> {
    let mut path = parent_path.to_vec();
    if let Some(last) = join.path.last() {
        path.push(PathSegment::Key(last.clone()));
    }
    path
}
