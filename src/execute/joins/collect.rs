//! Collecting join keys from the parent rows (`splice` puts the answers back; both
//! walk the same parents of a relationship field through the result).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::error::PathSegment;
use crate::plan::hidden_key;

/// What `visit_parents` calls on each parent object, with its concrete path.
pub type ParentVisitor<'a> = dyn FnMut(&mut Map<String, Value>, &[PathSegment]) + 'a;

/// Calls `f` on every parent object along `keys` (lists are walked element by element),
/// with the concrete path of the object.
pub fn visit_parents(
    value: &mut Value,
    keys: &[String],
    path: &mut Vec<PathSegment>,
    f: &mut ParentVisitor,
) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(PathSegment::Index(i));
                visit_parents(item, keys, path, f);
                path.pop();
            }
        }
        Value::Object(map) => match keys.split_first() {
            None => f(map, path),
            Some((first, rest)) => {
                if let Some(child) = map.get_mut(first) {
                    path.push(PathSegment::Key(first.clone()));
                    visit_parents(child, rest, path, f);
                    path.pop();
                }
            }
        },
        _ => {}
    }
}

/// The distinct join keys under one relationship field, each with the path of the
/// first parent that has it (for error paths). Keys with a null part are left out:
/// their rows get null and cause no call.
pub struct Keys {
    /// Key text (its JSON) -> (key values, path of the first parent).
    pub distinct: IndexMap<String, (Vec<Value>, Vec<PathSegment>)>,
}

/// Collects the keys of the field at `field_path` (root key first, field key last).
pub fn collect(data: &mut Value, field_path: &[String]) -> Keys {
    let mut distinct = IndexMap::new();
    let Some((field_key, parents)) = field_path.split_last() else {
        return Keys { distinct };
    };
    let hidden = hidden_key(field_key);
    let mut text = Vec::new();
    visit_parents(data, parents, &mut Vec::new(), &mut |parent, path| {
        if let Some(Value::Array(values)) = parent.get(&hidden) {
            if values.iter().any(Value::is_null) {
                return;
            }
            let Some(key) = key_text(values, &mut text) else { return };
            if !distinct.contains_key(key) {
                distinct.insert(key.to_string(), (values.clone(), path.to_vec()));
            }
        }
    });
    Keys { distinct }
}

/// The text a key is known by (its JSON, `[1,"a"]`), written into `buffer`: one
/// buffer for all the rows of a level instead of a clone and a string per row.
pub fn key_text<'b>(values: &[Value], buffer: &'b mut Vec<u8>) -> Option<&'b str> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, values).ok()?;
    std::str::from_utf8(buffer).ok()
}
