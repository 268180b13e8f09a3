//! The join tree, planned before any join runs: each join with the joins inside its
//! answers (`Join::below`, the next level), down to the last level the selection has,
//! and where each join's parents carry its key (`KeyAt`), phantom fields included.
//!
//! - Joins from table rows and action outputs carry their key under the hidden key
//!   `pgf:<field>`, in the field's place.
//! - Joins under remote objects (remote -> remote, remote -> table) carry it in phantom
//!   fields: the client's selection is forwarded without the join field and with its
//!   lhs fields under hidden aliases in its place (`forward`); once the answer is in, the
//!   aliases listed here become the hidden key and are dropped.
//! - Joins into tables (remote -> table, action -> table, table -> source) are one
//!   statement over the key set, whose rows carry the joins below them as table rows do.

use apollo_compiler::executable::{Field as AstField, Selection, SelectionSet};
use apollo_compiler::Node;
use indexmap::IndexMap;

use super::{hidden_alias, keyed_statement, Context, Join};
use crate::query::walk::{self, Rules};
use crate::schema::join_field::JoinField;

/// Where the parents of a join carry its key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyAt {
    /// Under the hidden key `pgf:<field>`, in the field's place.
    HiddenKey,
    /// In these phantom fields of a remote answer, one per lhs field (`hidden_alias`).
    Phantom(Vec<String>),
}

/// Levels deeper than this do not run: a guard against a relationship cycle the client
/// keeps selecting, on top of the query depth the validator allows. The level below the
/// last is planned (its keys leave the answers) and answered null.
pub const MAX_LEVELS: usize = 64;

/// Plans the levels below `joins`: each gets the joins inside its answers, recursively.
pub fn complete(context: &Context, joins: Vec<Join>) -> Vec<Join> {
    complete_at(context, joins, 1)
}

fn complete_at(context: &Context, joins: Vec<Join>, level: usize) -> Vec<Join> {
    joins
        .into_iter()
        .map(|mut join| {
            if level <= MAX_LEVELS {
                let below = match &join.relationship {
                    JoinField::Remote(_) => in_remote_selection(context, &join.field.ast, &join.path),
                    JoinField::Table(_) => in_table_rows(context, &join),
                };
                join.below = complete_at(context, below, level + 1);
            }
            join
        })
        .collect()
}

/// The joins in the rows of a join into a table: those its statement selects keys for,
/// with paths from the root (the statement's start at the join field's key).
fn in_table_rows(context: &Context, join: &Join) -> Vec<Join> {
    let JoinField::Table(target) = &join.relationship else { return Vec::new() };
    // The statement's shape does not depend on the keys, only its parameters do.
    let Ok(statement) = keyed_statement(&context.composed.model, context.session, target, &join.field, &[]) else {
        return Vec::new();
    };
    let parents = &join.path[..join.path.len().saturating_sub(1)];
    statement
        .joins
        .into_iter()
        .map(|mut inner| {
            let mut full = parents.to_vec();
            full.append(&mut inner.path);
            inner.path = full;
            inner
        })
        .collect()
}

/// The join fields met while walking, by path and parents' type (fragments on two
/// types may select a join of each at one path): the join and its AST fields.
type Groups = IndexMap<(Vec<String>, String), (JoinField, Vec<Node<AstField>>)>;

fn walk(context: &Context, set: &SelectionSet, path: &mut Vec<String>, out: &mut Groups, depth: usize) {
    if depth > walk::MAX_NESTING {
        return;
    }
    let mut fields = Vec::new();
    let mut rules = Rules {
        keep: &|selection: &Selection| context.collector.included(selection.directives()),
        applies: &|_: &str| true,
        visited: None,
    };
    walk::fields(&context.request.document, set, &mut rules, &mut |parent, field| fields.push((parent, field)));
    for (parent, field) in fields {
        path.push(field.response_key().to_string());
        if let Some(join) = context.composed.type_join(parent.ty.as_str(), field.name.as_str()) {
            let entry = out.entry((path.clone(), parent.ty.to_string())).or_insert_with(|| (join.clone(), Vec::new()));
            entry.1.push(field.clone());
        } else if !field.selection_set.selections.is_empty() {
            walk(context, &field.selection_set, path, out, depth + 1);
        }
        path.pop();
    }
}

/// The joins inside the remote selections of `fields` (one response key's AST fields),
/// whose values sit at `base`: a remote root field's, or a remote join's. Their keys
/// come in phantom fields.
pub fn in_remote_selection(context: &Context, fields: &[Node<AstField>], base: &[String]) -> Vec<Join> {
    let mut groups = Groups::new();
    for field in fields {
        walk(context, &field.selection_set, &mut base.to_vec(), &mut groups, 0);
    }
    groups
        .into_iter()
        .filter_map(|((path, parent_type), (relationship, asts))| {
            let key = path.last()?.clone();
            let field = context.collector.field(&key, asts.iter().collect())?;
            let phantom = relationship.lhs().iter().map(|(_, source)| hidden_alias(&parent_type, &key, source)).collect();
            Some(Join { relationship, path, field, key_at: KeyAt::Phantom(phantom), below: Vec::new() })
        })
        .collect()
}
