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
use std::collections::HashMap;
use std::ops::Range;

use super::collect::{key_text, Keys};
use crate::error::PathSegment;
use crate::plan::{Join, HIDDEN_KEY_PREFIX};

/// Where a join's hidden key stands in the text: `"pgf:<field>":[…]`.
pub struct Site {
    join: usize,
    range: Range<usize>,
    /// The key's text (`collect::key_text`), None when a part of it is null.
    key: Option<String>,
}

/// The hidden keys of `joins` in `text`, in text order, and each join's distinct keys
/// with the path of their first parent. A `pgf:` key at no join's path (a json column's
/// content) is left as it is.
pub fn locate(text: &str, joins: &[Join]) -> (Vec<Site>, Vec<Keys>) {
    let mut sites = Vec::new();
    let mut keys: Vec<Keys> = joins.iter().map(|_| Keys { distinct: IndexMap::new() }).collect();
    let bytes = text.as_bytes();
    // The path to the value being read: object keys and array indices; `names` has the
    // object keys alone, as a join's path does.
    let mut path: Vec<PathSegment> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    // Open containers: Some(index) for an array, None for an object.
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut buffer = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                open.push(None);
                i += 1;
                // The first key, if any, is read by the `"` arm below.
            }
            b'[' => {
                open.push(Some(0));
                path.push(PathSegment::Index(0));
                i += 1;
            }
            b'}' | b']' => {
                if bytes[i] == b']' {
                    path.pop();
                }
                open.pop();
                i += 1;
                end_of_value(&mut open, &mut path, &mut names);
            }
            b',' => {
                if let Some(Some(index)) = open.last_mut() {
                    *index += 1;
                    if let Some(PathSegment::Index(last)) = path.last_mut() {
                        *last = *index;
                    }
                }
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                let in_object_expecting_key = matches!(open.last(), Some(None)) && is_key(bytes, end);
                if !in_object_expecting_key {
                    // A string value.
                    i = end;
                    end_of_value(&mut open, &mut path, &mut names);
                    continue;
                }
                let name = &text[i + 1..end - 1];
                let colon = skip_space(bytes, end);
                let value_start = skip_space(bytes, colon + 1);
                if let Some(field) = name.strip_prefix(HIDDEN_KEY_PREFIX) {
                    let joined = joins.iter().position(|join| {
                        join.path.split_last().is_some_and(|(last, parents)| last == field && parents == names.as_slice())
                    });
                    if let Some(index) = joined {
                        let value_end = value_end(bytes, value_start);
                        // A relationship without lhs fields has the key `[]`: one answer for all.
                        let values = serde_json::from_str::<Vec<Value>>(&text[value_start..value_end]).ok();
                        let key = values
                            .as_ref()
                            .filter(|values| !values.iter().any(Value::is_null))
                            .and_then(|values| key_text(values, &mut buffer).map(str::to_string));
                        if let (Some(key), Some(values)) = (&key, values) {
                            keys[index].distinct.entry(key.clone()).or_insert_with(|| (values, path.clone()));
                        }
                        sites.push(Site { join: index, range: i..value_end, key });
                        i = value_end;
                        continue;
                    }
                }
                path.push(PathSegment::Key(name.to_string()));
                names.push(name.to_string());
                i = value_start;
            }
            b' ' | b'\n' | b'\t' | b'\r' | b':' => i += 1,
            _ => {
                // A number, true, false or null.
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r') {
                    i += 1;
                }
                end_of_value(&mut open, &mut path, &mut names);
            }
        }
    }
    (sites, keys)
}

/// A value ended: in an object, its key leaves the path.
fn end_of_value(open: &mut [Option<usize>], path: &mut Vec<PathSegment>, names: &mut Vec<String>) {
    if let Some(None) = open.last() {
        path.pop();
        names.pop();
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

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
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
            b'}' | b']' => {
                if depth <= 1 {
                    return i + 1;
                }
                depth -= 1;
            }
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// `{"data":<text with the joins' values in place>}`, compact, with `errors` (already
/// JSON) when there are some. `values[j]` holds join `j`'s value by key text; a key
/// without one (a null key part, a failed request) is null.
pub fn write(text: &str, sites: &[Site], joins: &[Join], values: &[HashMap<String, Value>], errors: Option<&str>) -> String {
    let mut out = Vec::with_capacity(text.len() + 64);
    out.extend_from_slice(b"{\"data\":");
    // Each distinct answer is written once, then copied for every row with its key.
    let mut written: HashMap<(usize, &str), Vec<u8>> = HashMap::new();
    let mut position = 0;
    for site in sites {
        compact_into(&text.as_bytes()[position..site.range.start], &mut out);
        let field = joins[site.join].path.last().map(String::as_str).unwrap_or_default();
        out.push(b'"');
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(b"\":");
        match site.key.as_deref().and_then(|key| values[site.join].get(key).map(|value| (key, value))) {
            Some((key, value)) => {
                let json = written
                    .entry((site.join, key))
                    .or_insert_with(|| serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec()));
                out.extend_from_slice(json);
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
