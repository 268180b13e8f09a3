//! Joins under remote objects (remote -> remote, remote -> table). The client's
//! selection is forwarded without the join fields, and with each join's lhs fields
//! under hidden aliases (`hidden_alias`, added by `forward`); once the answer is in
//! the tree, the aliases become the parent's hidden join key, like a table row's.

use apollo_compiler::executable::{Field as AstField, Selection, SelectionSet};
use apollo_compiler::Node;
use indexmap::IndexMap;
use serde_json::Value;

use super::{collect, Context};
use crate::plan::{hidden_alias, hidden_alias_prefix, hidden_key, Join};
use crate::query::walk::{self, Rules};
use crate::schema::join_field::JoinField;

/// A join found in a remote selection, with the type of its parents.
struct Found {
    join: Join,
    parent_type: String,
}

/// One join field met while walking: its parents' type and its AST fields.
type Groups = IndexMap<Vec<String>, (String, JoinField, Vec<Node<AstField>>)>;

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
            let entry = out.entry(path.clone()).or_insert_with(|| (parent.ty.to_string(), join.clone(), Vec::new()));
            entry.2.push(field.clone());
        } else if !field.selection_set.selections.is_empty() {
            walk(context, &field.selection_set, path, out, depth + 1);
        }
        path.pop();
    }
}

/// The joins inside the selections of `fields` (one response key's AST fields),
/// whose values sit at `base` in the tree.
fn find(context: &Context, fields: &[Node<AstField>], base: &[String]) -> Vec<Found> {
    let mut groups = Groups::new();
    for field in fields {
        walk(context, &field.selection_set, &mut base.to_vec(), &mut groups, 0);
    }
    groups
        .into_iter()
        .filter_map(|(path, (parent_type, relationship, asts))| {
            let key = path.last()?.clone();
            let field = context.collector.field(&key, asts.iter().collect())?;
            Some(Found { join: Join { relationship, path, field }, parent_type })
        })
        .collect()
}

/// Whether the selections of `fields` hold a join (a relationship of a remote type).
pub fn has_joins(context: &Context, fields: &[Node<AstField>]) -> bool {
    let mut groups = Groups::new();
    for field in fields {
        walk(context, &field.selection_set, &mut Vec::new(), &mut groups, 0);
    }
    !groups.is_empty()
}

/// Turns the hidden aliases of `found`'s parents into hidden join keys, in the place
/// of the first alias (where the client selected the join field), strips the aliases,
/// and returns the joins ready to run.
fn materialize(tree: &mut Value, found: Vec<Found>) -> Vec<Join> {
    for f in &found {
        let Some((field_key, parents)) = f.join.path.split_last() else { continue };
        let aliases: Vec<String> =
            f.join.relationship.lhs().iter().map(|(_, source)| hidden_alias(&f.parent_type, field_key, source)).collect();
        let hidden = hidden_key(field_key);
        collect::visit_parents(tree, parents, &mut Vec::new(), &mut |parent, _| {
            let values: Option<Vec<Value>> = aliases.iter().map(|a| parent.get(a).cloned()).collect();
            let position = aliases.first().and_then(|first| parent.keys().position(|k| k == first));
            if let (Some(values), Some(position)) = (values, position) {
                parent.shift_insert(position, hidden.clone(), Value::Array(values));
            }
        });
    }
    for f in &found {
        let Some((_, parents)) = f.join.path.split_last() else { continue };
        let prefix = hidden_alias_prefix(&f.parent_type);
        collect::visit_parents(tree, parents, &mut Vec::new(), &mut |parent, _| {
            parent.retain(|k, _| !k.starts_with(&prefix));
        });
    }
    found.into_iter().map(|f| f.join).collect()
}

/// The joins under the answers of a level's remote joins.
pub fn after_remote_joins(joins: &[Join], tree: &mut Value, context: &Context) -> Vec<Join> {
    let mut found = Vec::new();
    for join in joins {
        found.extend(find(context, &join.field.ast, &join.path));
    }
    materialize(tree, found)
}

/// The joins under remote root fields: `roots` are (response key, AST fields).
pub fn under_remote_roots(roots: &[(String, Vec<Node<AstField>>)], tree: &mut Value, context: &Context) -> Vec<Join> {
    let mut found = Vec::new();
    for (key, fields) in roots {
        found.extend(find(context, fields, std::slice::from_ref(key)));
    }
    materialize(tree, found)
}
