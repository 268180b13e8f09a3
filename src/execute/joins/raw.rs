//! Remote answers kept as text (`joins::text`): each key's value is located in the
//! remote's own answer and copied from there into the response, no tree built. An
//! answer of aliased fields (`pgf_<i>`), and a batch field's list of objects (matched by
//! their key field, or in order), are read this way; any other answer (the relationship
//! more than one field deep, renamed types, the remote's errors in a batch) goes
//! through the tree (`splice::values`) and its values are written out once.

use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashMap;
use std::ops::Range;

use super::remote::{alias_name, alias_number, batch_key_text, Alias, JoinCall, Matching, BATCH_KEY};
use super::splice::{remote_errors_at_paths, values as tree_values};
use super::text::{skip_space, Piece, Values};
use crate::error::GraphqlError;
use crate::execute::remote::missing_value;
use crate::http::Failure;
use crate::plan::Join;
use crate::schema::join_field::JoinField;
use crate::schema::remote::RemoteModel;

/// The joins' values from their answers, by key position (`remote::Alias::position`);
/// remote failures become errors at the path of the first parent with the key.
pub fn values(
    document: &apollo_compiler::ExecutableDocument,
    remotes: &[RemoteModel],
    joins: &[Join],
    answers: Vec<(JoinCall, Result<String, Failure>)>,
    errors: &mut Vec<GraphqlError>,
) -> Values {
    let mut values = Values::new(joins.len());
    // The keys of the answers that need a tree, and their positions, by join.
    let mut positions: Vec<HashMap<String, usize>> = joins.iter().map(|_| HashMap::new()).collect();
    let mut trees = Vec::new();
    for (call, answer) in answers {
        let join = &joins[call.join];
        let JoinField::Remote(relationship) = &join.relationship else { continue };
        let remote = &remotes[relationship.remote];
        let as_written = relationship.path.len() == 1 && remote.renames.is_identity();
        let read = match &answer {
            Ok(text) if as_written => match &call.batched {
                None => aliased(text, &call, join, remote, errors),
                Some(matching) => batched(text, &call.aliases, matching),
            },
            _ => None,
        };
        match (read, answer) {
            (Some(pieces), Ok(text)) => {
                let number = values.keep(text);
                for (position, piece) in pieces {
                    values.set(call.join, position, number, piece);
                }
            }
            (_, answer) => {
                positions[call.join].extend(call.aliases.iter().map(|a| (a.key.clone(), a.position)));
                let answer = answer.and_then(|text| serde_json::from_str(&text).map_err(|e| Failure::InvalidJson(e.to_string())));
                trees.push((call, answer));
            }
        }
    }
    let trees = tree_values(document, remotes, joins, trees, errors);
    for (join, (tree, positions)) in trees.into_iter().zip(positions).enumerate() {
        for (key, value) in tree {
            let (Some(&position), Ok(text)) = (positions.get(&key), serde_json::to_string(&value)) else { continue };
            let length = text.len();
            let number = values.keep(text);
            values.set(join, position, number, (0..length, 0..0));
        }
    }
    values
}

/// An answer of aliased fields: each alias's value where it lies in `text`, by key
/// position; an alias without one is an error (unless the remote's errors explain it),
/// and so is each of the remote's errors. None (nothing reported) when `data` is not an
/// object of aliases.
fn aliased(text: &str, call: &JoinCall, join: &Join, remote: &RemoteModel, errors: &mut Vec<GraphqlError>) -> Option<Vec<(usize, Piece)>> {
    let answer = serde_json::from_str::<RawAnswer>(text).ok()?;
    let mut by_alias: Vec<Option<&RawValue>> = vec![None; call.aliases.len()];
    for (number, value) in answer.data.0 {
        if let Some(slot) = by_alias.get_mut(number) {
            *slot = Some(value);
        }
    }
    let mut pieces = Vec::with_capacity(call.aliases.len());
    for (number, (alias, value)) in call.aliases.iter().zip(by_alias).enumerate() {
        match value {
            Some(value) => pieces.push((alias.position, (range_in(text, value), 0..0))),
            None => errors.extend(missing_value(&remote.name, &answer.errors, &alias_name(number), &alias.parent.field_path(join))),
        }
    }
    remote_errors_at_paths(remote, join, call, 1, answer.errors, errors);
    Some(pieces)
}

/// A batch field's answer without errors: each object where it lies in `text` (its key
/// field of ours left out), for the aliases it answers; an alias whose key got no object
/// is null. None when the answer is another (the remote's errors must reach the keys'
/// parents: the tree does that), or an object is not laid out as expected.
fn batched(text: &str, aliases: &[Alias], matching: &Matching) -> Option<Vec<(usize, Piece)>> {
    let answer = serde_json::from_str::<RawBatchAnswer>(text).ok()?;
    if !answer.errors.is_empty() {
        return None;
    }
    let objects = answer.data.objects;
    let mut pieces = Vec::with_capacity(aliases.len());
    match matching {
        Matching::InOrder => {
            if objects.len() != aliases.len() {
                return None;
            }
            for (alias, object) in aliases.iter().zip(objects) {
                pieces.extend(object.map(|object| (alias.position, (range_in(text, object), 0..0))));
            }
        }
        Matching::ByKey(keys) => {
            // The first object of a key answers it; several aliases may share one.
            let mut found: HashMap<String, Piece> = HashMap::with_capacity(objects.len());
            for object in objects.into_iter().flatten() {
                let Some(key) = serde_json::from_str::<KeyField>(object.get()).ok()?.key else { continue };
                let key_text = batch_key_text(&serde_json::from_str::<Value>(key.get()).ok()?);
                let piece = without_member(text, range_in(text, object), range_in(text, key), BATCH_KEY)?;
                found.entry(key_text).or_insert(piece);
            }
            for (alias, key) in aliases.iter().zip(keys) {
                pieces.extend(found.get(key).map(|piece| (alias.position, piece.clone())));
            }
        }
    }
    Some(pieces)
}

/// Where `part` (borrowed from `text` by the parse) lies in `text`.
fn range_in(text: &str, part: &RawValue) -> Range<usize> {
    let start = part.get().as_ptr() as usize - text.as_ptr() as usize;
    start..start + part.get().len()
}

/// The object at `object` in `text` without its member `name` whose value is at `value`:
/// the text before the member and the text after it, a comma between members kept.
/// None when the text around the value is not `"name"` `:` with `{` or `,` before and
/// `,` or `}` after (whitespace allowed).
pub(crate) fn without_member(text: &str, object: Range<usize>, value: Range<usize>, name: &str) -> Option<Piece> {
    let bytes = text.as_bytes();
    let space_before = |mut i: usize| {
        while i > object.start && matches!(bytes[i - 1], b' ' | b'\n' | b'\t' | b'\r') {
            i -= 1;
        }
        i
    };
    let colon = space_before(value.start).checked_sub(1)?;
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    let name_end = space_before(colon);
    let member = name_end.checked_sub(name.len() + 2)?;
    let quoted = bytes.get(member..name_end)?;
    if quoted.first() != Some(&b'"') || quoted.last() != Some(&b'"') || &quoted[1..quoted.len() - 1] != name.as_bytes() {
        return None;
    }
    let before = space_before(member).checked_sub(1)?;
    let after = skip_space(bytes, value.end);
    match (bytes.get(before)?, bytes.get(after)?) {
        (b'{' | b',', b',') => Some((object.start..member, after + 1..object.end)),
        (b',', b'}') => Some((object.start..before, value.end..object.end)),
        (b'{', b'}') => Some((object.start..member, value.end..object.end)),
        _ => None,
    }
}

/// A batch field's answer: its objects kept as text.
#[derive(serde::Deserialize)]
struct RawBatchAnswer<'a> {
    #[serde(borrow)]
    data: RawBatch<'a>,
    #[serde(default)]
    errors: Vec<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct RawBatch<'a> {
    /// `remote::BATCH_FIELD`.
    #[serde(borrow, rename = "pgf_batch")]
    objects: Vec<Option<&'a RawValue>>,
}

/// An object's key field of ours (`remote::BATCH_KEY`), as written.
#[derive(serde::Deserialize)]
struct KeyField<'a> {
    #[serde(borrow, rename = "pgf_batch_key")]
    key: Option<&'a RawValue>,
}

/// A GraphQL answer whose `data` is an object, its aliases' values kept as the remote
/// wrote them.
#[derive(serde::Deserialize)]
struct RawAnswer<'a> {
    #[serde(borrow)]
    data: AliasValues<'a>,
    #[serde(default)]
    errors: Vec<Value>,
}

/// The values of the aliases `pgf_<i>` by number `i` (other keys left out): no map of
/// names, no copy.
struct AliasValues<'a>(Vec<(usize, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for AliasValues<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Aliases<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Aliases<'a> {
            type Value = AliasValues<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of aliased fields")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<AliasValues<'a>, M::Error> {
                let mut values = Vec::new();
                while let Some(AliasKey(number)) = map.next_key()? {
                    let value: &'de RawValue = map.next_value()?;
                    if let Some(number) = number {
                        values.push((number, value));
                    }
                }
                Ok(AliasValues(values))
            }
        }
        deserializer.deserialize_map(Aliases(std::marker::PhantomData))
    }
}

/// A key of `data`, read for its alias number only (no string kept).
struct AliasKey(Option<usize>);

impl<'de> serde::Deserialize<'de> for AliasKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Key;
        impl serde::de::Visitor<'_> for Key {
            type Value = AliasKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<AliasKey, E> {
                Ok(AliasKey(alias_number(key)))
            }
        }
        deserializer.deserialize_str(Key)
    }
}
