//! Collecting join keys from the parent rows (`splice` puts the answers back; both
//! walk the same parents of a relationship field through the result).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::error::PathSegment;
use crate::plan::{hidden_key, Join};

/// What `visit_parents` calls on each parent object, with its concrete path.
pub type ParentVisitor<'a> = dyn FnMut(&mut Map<String, Value>, &[PathSegment]) + 'a;

/// Where a parent stands in the response, for the paths of errors: the steps from the
/// root, each the next of the join's parent keys or a list index. The keys are the
/// join's own, so a parent's path is a few numbers kept in place (no allocation for a
/// hundred parents' paths), made a path of names only when an error needs one
/// (`field_path`).
#[derive(Clone, Debug, PartialEq)]
pub enum ParentPath {
    /// Up to `SHORT` steps: `KEY` for a key, else a list index.
    Short { len: u8, steps: [u32; SHORT] },
    /// Longer paths, and indices past `u32`: None for a key.
    Long(Vec<Option<usize>>),
}

const SHORT: usize = 7;
const KEY: u32 = u32::MAX;

impl Default for ParentPath {
    fn default() -> Self {
        ParentPath::Short { len: 0, steps: [0; SHORT] }
    }
}

impl ParentPath {
    pub fn key(&mut self) {
        self.push(None);
    }

    pub fn index(&mut self, index: usize) {
        self.push(Some(index));
    }

    fn push(&mut self, step: Option<usize>) {
        if let ParentPath::Short { len, steps } = self {
            let code = match step {
                None => Some(KEY),
                Some(index) => u32::try_from(index).ok().filter(|i| *i != KEY),
            };
            match code {
                Some(code) if usize::from(*len) < SHORT => {
                    steps[usize::from(*len)] = code;
                    *len += 1;
                    return;
                }
                _ => *self = ParentPath::Long(self.steps().collect()),
            }
        }
        if let ParentPath::Long(steps) = self {
            steps.push(step);
        }
    }

    fn steps(&self) -> Box<dyn Iterator<Item = Option<usize>> + '_> {
        match self {
            ParentPath::Short { len, steps } => {
                Box::new(steps[..usize::from(*len)].iter().map(|code| (*code != KEY).then_some(*code as usize)))
            }
            ParentPath::Long(steps) => Box::new(steps.iter().copied()),
        }
    }

    /// The path of `join`'s relationship field under this parent.
    pub fn field_path(&self, join: &Join) -> Vec<PathSegment> {
        let mut names = join.path.iter();
        let mut path = Vec::new();
        for step in self.steps() {
            match step {
                Some(index) => path.push(PathSegment::Index(index)),
                None => path.extend(names.next().cloned().map(PathSegment::Key)),
            }
        }
        path.extend(join.path.last().cloned().map(PathSegment::Key));
        path
    }
}

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
    /// Key text (its JSON) -> (key values, where the first parent stands).
    pub distinct: IndexMap<String, (Vec<Value>, ParentPath)>,
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
                distinct.insert(key.to_string(), (values.clone(), parent_path(path)));
            }
        }
    });
    Keys { distinct }
}

/// A concrete path of `visit_parents` as steps (its keys are the join's parents).
fn parent_path(path: &[PathSegment]) -> ParentPath {
    let mut steps = ParentPath::default();
    for segment in path {
        match segment {
            PathSegment::Index(i) => steps.index(*i),
            PathSegment::Key(_) => steps.key(),
        }
    }
    steps
}

/// The text a key is known by (its JSON, `[1,"a"]`), written into `buffer`: one
/// buffer for all the rows of a level instead of a clone and a string per row.
pub fn key_text<'b>(values: &[Value], buffer: &'b mut Vec<u8>) -> Option<&'b str> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, values).ok()?;
    std::str::from_utf8(buffer).ok()
}
