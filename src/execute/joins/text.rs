//! Joins spliced into the json text the table statement built, without a tree. When a
//! document's joins are all table -> remote joins with nothing joined below them, the
//! statement's answer is scanned once for the hidden keys at the joins' paths (`locate`),
//! the requests go out as for any level, and the answers are written into the text in
//! the hidden keys' places (`write`): no parse of the response into a tree, no splice
//! object by object, no serialisation of the whole response again. Joins below remote
//! answers need the answers as trees; those documents take the tree path
//! (`joins::run`).

use indexmap::IndexMap;
use serde_json::Value;
use std::ops::Range;

use super::collect::{Keys, ParentPath};
use crate::plan::{Join, HIDDEN_KEY_PREFIX};

/// The joins' values as the remotes wrote them, left where they are in the answers' text
/// (a hundred values are a hundred ranges, not a hundred copies).
#[derive(Default)]
pub struct Values {
    /// The answers, and the values of answers that needed a tree, written out.
    texts: Vec<String>,
    /// By join, then by the position of the key among the join's distinct keys: which
    /// text and where in it; None (or none at all) is null.
    spans: Vec<Vec<Option<Span>>>,
}

/// A value's text: the number of the text it lies in, and where.
type Span = (usize, Piece);

/// A value in its text: one range, or two (the value without a member of ours in its
/// middle, `raw::batched`), the second then empty.
pub type Piece = (Range<usize>, Range<usize>);

impl Values {
    pub fn new(joins: usize) -> Self {
        Values { texts: Vec::new(), spans: (0..joins).map(|_| Vec::new()).collect() }
    }

    /// Keeps a text whose parts become values (`set`); its number.
    pub fn keep(&mut self, text: String) -> usize {
        self.texts.push(text);
        self.texts.len() - 1
    }

    /// The value of `join`'s key at `position` is `piece` of text `text`.
    pub fn set(&mut self, join: usize, position: usize, text: usize, piece: Piece) {
        let Some(spans) = self.spans.get_mut(join) else { return };
        if spans.len() <= position {
            spans.resize_with(position + 1, || None);
        }
        spans[position] = Some((text, piece));
    }

    fn get(&self, join: usize, position: usize) -> Option<(&str, &str)> {
        let (text, (first, second)) = self.spans.get(join)?.get(position)?.as_ref()?;
        let text = self.texts.get(*text)?;
        Some((text.get(first.clone())?, text.get(second.clone())?))
    }
}

/// Where a join's hidden key stands in the text: `"pgf:<field>":[…]`.
pub struct Site {
    join: usize,
    range: Range<usize>,
    /// The key's position among the join's distinct keys, None when a part of it is null.
    key: Option<usize>,
}

/// One step of the path to the value being read: an object key (its range in the
/// text, unescaped: keys of ours are GraphQL names) or an array index.
#[derive(Clone)]
enum Step {
    Key(Range<usize>),
    Index(usize),
}

/// The hidden keys of `joins` in `text`, in text order, and each join's distinct keys
/// with the path of their first parent. A `pgf:` key at no join's path (a json column's
/// content) is left as it is.
pub fn locate(text: &str, joins: &[Join]) -> (Vec<Site>, Vec<Keys>) {
    let mut sites = Vec::new();
    let mut keys: Vec<Keys> = joins.iter().map(|_| Keys { distinct: IndexMap::new() }).collect();
    // Key texts with a null part: their rows get null and cause no request.
    let mut null_keys: Vec<std::collections::HashSet<String>> = joins.iter().map(|_| Default::default()).collect();
    let bytes = text.as_bytes();
    let mut path: Vec<Step> = Vec::new();
    // Open containers: Some(index) for an array, None for an object.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut compacted = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                open.push(None);
                i += 1;
            }
            b'[' => {
                open.push(Some(0));
                path.push(Step::Index(0));
                i += 1;
            }
            b'}' | b']' => {
                if bytes[i] == b']' {
                    path.pop();
                }
                open.pop();
                i += 1;
                end_of_value(&open, &mut path);
            }
            b',' => {
                if let Some(Some(index)) = open.last_mut() {
                    *index += 1;
                    if let Some(Step::Index(last)) = path.last_mut() {
                        *last = *index;
                    }
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                if !(matches!(open.last(), Some(None)) && is_key(bytes, end)) {
                    // A string value.
                    i = end;
                    end_of_value(&open, &mut path);
                    continue;
                }
                let name = i + 1..end - 1;
                let value_start = skip_space(bytes, skip_space(bytes, end) + 1);
                let joined = text[name.clone()]
                    .strip_prefix(HIDDEN_KEY_PREFIX)
                    .and_then(|field| joins.iter().position(|join| at_join(text, &path, field, join)));
                let Some(index) = joined else {
                    path.push(Step::Key(name));
                    i = value_start;
                    continue;
                };
                let value_end = value_end(bytes, value_start);
                // The key's text is its JSON, compact; its values are read once per
                // distinct key (a relationship without lhs fields has the key `[]`).
                compacted.clear();
                compact_into(&bytes[value_start..value_end], &mut compacted);
                let key = std::str::from_utf8(&compacted).unwrap_or_default();
                let known = match keys[index].distinct.get_index_of(key) {
                    Some(position) => Some(position),
                    None if null_keys[index].contains(key) => None,
                    None => match key_values(key) {
                        Some(values) if !values.iter().any(Value::is_null) => {
                            let (position, _) = keys[index].distinct.insert_full(key.to_string(), (values, parent_path(&path)));
                            Some(position)
                        }
                        _ => {
                            null_keys[index].insert(key.to_string());
                            None
                        }
                    },
                };
                sites.push(Site { join: index, range: i..value_end, key: known });
                i = value_end;
            }
            b' ' | b'\n' | b'\t' | b'\r' | b':' => i += 1,
            _ => {
                // A number, true, false or null.
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r') {
                    i += 1;
                }
                end_of_value(&open, &mut path);
            }
        }
    }
    (sites, keys)
}

/// Whether hidden key `field` at `path` is `join`'s: the object keys along the path
/// are the join's parents.
fn at_join(text: &str, path: &[Step], field: &str, join: &Join) -> bool {
    let Some((last, parents)) = join.path.split_last() else { return false };
    if last != field {
        return false;
    }
    let mut names = path.iter().filter_map(|step| match step {
        Step::Key(range) => Some(&text[range.clone()]),
        Step::Index(_) => None,
    });
    parents.iter().all(|parent| names.next() == Some(parent.as_str())) && names.next().is_none()
}

/// Where the parent stands (its keys are the join's parents: `at_join`).
fn parent_path(path: &[Step]) -> ParentPath {
    let mut steps = ParentPath::default();
    for step in path {
        match step {
            Step::Key(_) => steps.key(),
            Step::Index(i) => steps.index(*i),
        }
    }
    steps
}

/// A key's values from its compact JSON text (`[42]`, `["a",7]`). Integers of 64 bits and
/// strings without escapes, the usual keys, are read directly; anything else through serde.
pub(crate) fn key_values(key: &str) -> Option<Vec<Value>> {
    let simple = key.strip_prefix('[').and_then(|k| k.strip_suffix(']')).and_then(|inner| {
        let mut values = Vec::with_capacity(inner.bytes().filter(|b| *b == b',').count() + 1);
        if inner.is_empty() {
            return Some(values);
        }
        for part in inner.split(',') {
            let value = match part.as_bytes() {
                [b'"', body @ .., b'"'] if !body.iter().any(|b| matches!(b, b'"' | b'\\')) => {
                    Value::String(part[1..part.len() - 1].to_string())
                }
                [first, rest @ ..] if (first.is_ascii_digit() || *first == b'-') && rest.iter().all(u8::is_ascii_digit) => {
                    Value::Number(part.parse::<i64>().ok()?.into())
                }
                _ => return None,
            };
            values.push(value);
        }
        Some(values)
    });
    simple.or_else(|| serde_json::from_str(key).ok())
}

/// A value ended: in an object, its key leaves the path.
fn end_of_value(open: &[Option<usize>], path: &mut Vec<Step>) {
    if let Some(None) = open.last() {
        path.pop();
    }
}

/// The index just past the string that starts at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Whether the string ending before `end` is an object key (a `:` follows).
fn is_key(bytes: &[u8], end: usize) -> bool {
    bytes.get(skip_space(bytes, end)) == Some(&b':')
}

/// The index of the first byte from `i` on that is not JSON whitespace.
pub(super) fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\t' | b'\r') {
        i += 1;
    }
    i
}

/// The index just past the JSON value that starts at `start`.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i);
                if depth == 0 {
                    return i;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            // A scalar's end at the enclosing container's bracket.
            b'}' | b']' if depth == 0 => return i,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b',' | b' ' | b'\n' | b'\t' | b'\r' if depth == 0 && i > start => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// `{"data":<text with the joins' values in place>}`, compact, with `errors` (already
/// JSON) when there are some. `values` holds each join's values by key position; a key
/// without one (a null key part, a failed request) is null.
pub fn write(text: &str, sites: &[Site], joins: &[Join], values: &Values, errors: Option<&str>) -> String {
    let mut out = Vec::with_capacity(text.len() + 64);
    out.extend_from_slice(b"{\"data\":");
    let mut position = 0;
    for site in sites {
        compact_into(&text.as_bytes()[position..site.range.start], &mut out);
        let field = joins[site.join].path.last().map(String::as_str).unwrap_or_default();
        out.push(b'"');
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(b"\":");
        match site.key.and_then(|key| values.get(site.join, key)) {
            // The remote's text, compacted like the rest.
            Some((first, second)) => {
                compact_into(first.as_bytes(), &mut out);
                compact_into(second.as_bytes(), &mut out);
            }
            None => out.extend_from_slice(b"null"),
        }
        position = site.range.end;
    }
    compact_into(&text.as_bytes()[position..], &mut out);
    if let Some(errors) = errors {
        out.extend_from_slice(b",\"errors\":");
        out.extend_from_slice(errors.as_bytes());
    }
    out.push(b'}');
    // Only whole tokens and strings were copied: the result is UTF-8 as the text was.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `chunk` (whole tokens: it starts and ends outside strings) without the
/// whitespace between tokens.
fn compact_into(chunk: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + chunk.len(), 0);
    let written = crate::response::compact(chunk, &mut out[start..]);
    out.truncate(start + written);
}
