//! `__typename` answers of a remote mapped back to our type names, following the
//! client's selection (aliases and fragments included) through the answer.

use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::ExecutableDocument;

use crate::query::walk::{self, Rules};
use crate::schema::remote::TypeRenames;

/// Maps the remote's type names in `__typename` answers back to ours, following the
/// client's selection (aliases included) through `value`.
pub fn rename_typenames(value: &mut serde_json::Value, set: &SelectionSet, document: &ExecutableDocument, renames: &TypeRenames) {
    if renames.is_identity() {
        return;
    }
    match value {
        serde_json::Value::Array(items) => {
            for item in items {
                rename_typenames(item, set, document, renames);
            }
        }
        serde_json::Value::Object(map) => rename_in_object(map, set, document, renames),
        _ => {}
    }
}

fn rename_in_object(
    map: &mut serde_json::Map<String, serde_json::Value>,
    set: &SelectionSet,
    document: &ExecutableDocument,
    renames: &TypeRenames,
) {
    let mut fields = Vec::new();
    let mut rules = Rules { keep: &|_: &Selection| true, applies: &|_: &str| true, visited: None };
    walk::fields(document, set, &mut rules, &mut |_, field| fields.push(field));
    for field in fields {
        let key = field.response_key().as_str();
        if field.name == "__typename" {
            if let Some(serde_json::Value::String(name)) = map.get_mut(key) {
                *name = renames.ours(name).to_string();
            }
        } else if let Some(child) = map.get_mut(key) {
            rename_typenames(child, &field.selection_set, document, renames);
        }
    }
}
