//! Keys of joins under remote objects (remote -> remote, remote -> table): the remote
//! answer carries the lhs fields of each such join in phantom fields (hidden aliases,
//! listed by the plan: `plan::joins::KeyAt::Phantom`), in the join field's place; once
//! the answer is in the tree, they become the parent's hidden join key there, like a
//! table row's, and are dropped.

use serde_json::Value;

use super::collect;
use crate::plan::joins::KeyAt;
use crate::plan::{hidden_key, Join};

/// Turns the phantom fields of `joins`' parents into hidden join keys, in the place of
/// the first phantom field, and drops them. Joins whose keys are elsewhere are left.
pub fn materialize(tree: &mut Value, joins: &[Join]) {
    for join in joins {
        let KeyAt::Phantom(phantom) = &join.key_at else { continue };
        let Some((field_key, parents)) = join.path.split_last() else { continue };
        let hidden = hidden_key(field_key);
        collect::visit_parents(tree, parents, &mut Vec::new(), &mut |parent, _| {
            let values: Option<Vec<Value>> = phantom.iter().map(|a| parent.get(a).cloned()).collect();
            let position = phantom.first().and_then(|first| parent.keys().position(|k| k == first));
            if let (Some(values), Some(position)) = (values, position) {
                parent.shift_insert(position, hidden.clone(), Value::Array(values));
            }
            parent.retain(|k, _| !phantom.contains(k));
        });
    }
}
