//! jsonb datums to serde trees and back, through Postgres' own jsonb iterator and
//! builder instead of text. pgrx's `JsonB` prints the jsonb (`jsonb_out`), serde lexes
//! the text, and the way back serde prints and `jsonb_in` lexes again: for a response
//! with a join, which must be edited as a tree, that was the larger part of the
//! engine's own time. Numbers keep their exact digits both ways (`numeric_out`, and
//! `numeric_in` on serde's arbitrary-precision text), as the text path did.
//!
//! Both walks are iterative: a remote controls the depth of what it answers.

use pgrx::pg_sys;
use pgrx::pg_sys::JsonbIteratorToken::{
    WJB_BEGIN_ARRAY, WJB_BEGIN_OBJECT, WJB_DONE, WJB_ELEM, WJB_END_ARRAY, WJB_END_OBJECT, WJB_KEY, WJB_VALUE,
};
use pgrx::pg_sys::jbvType;
use serde_json::{Map, Number, Value};
use std::ffi::{CStr, CString};

/// A container being filled while the iterator walks a jsonb.
enum Open {
    Object(Map<String, Value>, Option<String>),
    /// The items, and whether this is the wrapper of a lone scalar.
    Array(Vec<Value>, bool),
}

/// The serde tree of a jsonb datum.
///
/// # Safety
/// `datum` must be a valid (possibly toasted) jsonb datum.
pub unsafe fn to_value(datum: pg_sys::Datum) -> Value {
    unsafe {
        let jsonb = pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) as *mut pg_sys::Jsonb;
        let mut iterator = pg_sys::JsonbIteratorInit(&mut (*jsonb).root);
        let mut token_value: pg_sys::JsonbValue = std::mem::zeroed();
        let mut open: Vec<Open> = Vec::new();
        let mut result = Value::Null;
        loop {
            let token = pg_sys::JsonbIteratorNext(&mut iterator, &mut token_value, false);
            let finished = match token {
                WJB_DONE => break,
                WJB_BEGIN_OBJECT => {
                    open.push(Open::Object(Map::new(), None));
                    None
                }
                WJB_BEGIN_ARRAY => {
                    open.push(Open::Array(Vec::new(), token_value.val.array.rawScalar));
                    None
                }
                WJB_KEY => {
                    if let Some(Open::Object(_, key)) = open.last_mut() {
                        *key = Some(string_of(&token_value));
                    }
                    None
                }
                WJB_VALUE | WJB_ELEM => Some(scalar_of(&token_value)),
                WJB_END_OBJECT | WJB_END_ARRAY => match open.pop() {
                    Some(Open::Object(map, _)) => Some(Value::Object(map)),
                    // A lone scalar is stored as a one-element "raw scalar" array.
                    Some(Open::Array(mut items, true)) if items.len() == 1 => items.pop(),
                    Some(Open::Array(items, _)) => Some(Value::Array(items)),
                    None => None,
                },
                _ => None,
            };
            if let Some(value) = finished {
                match open.last_mut() {
                    Some(Open::Object(map, key)) => {
                        if let Some(key) = key.take() {
                            map.insert(key, value);
                        }
                    }
                    Some(Open::Array(items, _)) => items.push(value),
                    None => result = value,
                }
            }
        }
        result
    }
}

/// A jsonb string's text (jsonb strings are valid UTF-8 in the server encoding).
unsafe fn string_of(value: &pg_sys::JsonbValue) -> String {
    unsafe {
        let string = value.val.string;
        let bytes = std::slice::from_raw_parts(string.val as *const u8, string.len.max(0) as usize);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

unsafe fn scalar_of(value: &pg_sys::JsonbValue) -> Value {
    unsafe {
        match value.type_ {
            jbvType::jbvString => Value::String(string_of(value)),
            jbvType::jbvBool => Value::Bool(value.val.boolean),
            jbvType::jbvNumeric => number_of(value.val.numeric),
            jbvType::jbvNull => Value::Null,
            // Containers come as tokens; nothing else can be in a stored jsonb.
            _ => Value::Null,
        }
    }
}

unsafe fn number_of(numeric: pg_sys::Numeric) -> Value {
    unsafe {
        let text = pgrx::direct_function_call_as_datum(pg_sys::numeric_out, &[Some(pg_sys::Datum::from(numeric))]);
        let Some(text) = text else { return Value::Null };
        let c_text = CStr::from_ptr(text.cast_mut_ptr::<std::ffi::c_char>());
        let number = c_text.to_str().ok().and_then(|s| s.parse::<Number>().ok());
        pg_sys::pfree(text.cast_mut_ptr());
        number.map_or(Value::Null, Value::Number)
    }
}

/// What is left to push of a container being written.
enum Pending<'a> {
    Object(serde_json::map::Iter<'a>),
    Array(std::slice::Iter<'a, Value>),
}

/// A jsonb datum (in the current memory context) holding `value`.
///
/// Strings are pointed at, not copied, until the jsonb is built: `value` outlives the
/// build. `None` when a string holds U+0000, which jsonb cannot store.
pub fn from_value(value: &Value) -> Option<pg_sys::Datum> {
    // SAFETY: every JsonbValue pushed points at memory that lives until
    // JsonbValueToJsonb has copied it (strings of `value`, numerics just built).
    unsafe {
        let mut state: *mut pg_sys::JsonbParseState = std::ptr::null_mut();
        let mut last: *mut pg_sys::JsonbValue;
        let mut pending: Vec<Pending> = Vec::new();
        match value {
            Value::Object(map) => {
                last = pg_sys::pushJsonbValue(&mut state, WJB_BEGIN_OBJECT, std::ptr::null_mut());
                pending.push(Pending::Object(map.iter()));
            }
            Value::Array(items) => {
                last = pg_sys::pushJsonbValue(&mut state, WJB_BEGIN_ARRAY, std::ptr::null_mut());
                pending.push(Pending::Array(items.iter()));
            }
            scalar => {
                // A lone scalar is stored as a one-element "raw scalar" array.
                let mut raw: pg_sys::JsonbValue = std::mem::zeroed();
                raw.type_ = pg_sys::jbvType::jbvArray;
                raw.val.array.rawScalar = true;
                pg_sys::pushJsonbValue(&mut state, WJB_BEGIN_ARRAY, &mut raw);
                let mut element = scalar_value(scalar)?;
                pg_sys::pushJsonbValue(&mut state, WJB_ELEM, &mut element);
                last = pg_sys::pushJsonbValue(&mut state, WJB_END_ARRAY, std::ptr::null_mut());
            }
        }
        while let Some(top) = pending.last_mut() {
            let (key, item, in_object) = match top {
                Pending::Object(entries) => match entries.next() {
                    Some((key, item)) => (Some(key), item, true),
                    None => {
                        pending.pop();
                        last = pg_sys::pushJsonbValue(&mut state, WJB_END_OBJECT, std::ptr::null_mut());
                        continue;
                    }
                },
                Pending::Array(items) => match items.next() {
                    Some(item) => (None, item, false),
                    None => {
                        pending.pop();
                        last = pg_sys::pushJsonbValue(&mut state, WJB_END_ARRAY, std::ptr::null_mut());
                        continue;
                    }
                },
            };
            if let Some(key) = key {
                let mut key_value = string_value(key)?;
                pg_sys::pushJsonbValue(&mut state, WJB_KEY, &mut key_value);
            }
            match item {
                Value::Object(map) => {
                    pg_sys::pushJsonbValue(&mut state, WJB_BEGIN_OBJECT, std::ptr::null_mut());
                    pending.push(Pending::Object(map.iter()));
                }
                Value::Array(items) => {
                    pg_sys::pushJsonbValue(&mut state, WJB_BEGIN_ARRAY, std::ptr::null_mut());
                    pending.push(Pending::Array(items.iter()));
                }
                scalar => {
                    let mut element = scalar_value(scalar)?;
                    let token = if in_object { WJB_VALUE } else { WJB_ELEM };
                    pg_sys::pushJsonbValue(&mut state, token, &mut element);
                }
            }
        }
        let jsonb = pg_sys::JsonbValueToJsonb(last);
        Some(pg_sys::Datum::from(jsonb))
    }
}

/// A string JsonbValue pointing at `text`.
unsafe fn string_value(text: &str) -> Option<pg_sys::JsonbValue> {
    if text.contains('\0') {
        return None;
    }
    unsafe {
        let mut value: pg_sys::JsonbValue = std::mem::zeroed();
        value.type_ = jbvType::jbvString;
        value.val.string.len = i32::try_from(text.len()).ok()?;
        value.val.string.val = text.as_ptr() as *mut std::ffi::c_char;
        Some(value)
    }
}

unsafe fn scalar_value(scalar: &Value) -> Option<pg_sys::JsonbValue> {
    unsafe {
        let mut value: pg_sys::JsonbValue = std::mem::zeroed();
        match scalar {
            Value::Null => value.type_ = jbvType::jbvNull,
            Value::Bool(b) => {
                value.type_ = jbvType::jbvBool;
                value.val.boolean = *b;
            }
            Value::Number(n) => {
                let text = CString::new(n.to_string()).ok()?;
                let numeric = pgrx::direct_function_call_as_datum(
                    pg_sys::numeric_in,
                    &[Some(pg_sys::Datum::from(text.as_ptr())), Some(pg_sys::Datum::from(pg_sys::InvalidOid)), Some(pg_sys::Datum::from(-1i32))],
                )?;
                value.type_ = jbvType::jbvNumeric;
                value.val.numeric = numeric.cast_mut_ptr();
            }
            Value::String(s) => return string_value(s),
            // Containers are pushed by the caller.
            Value::Array(_) | Value::Object(_) => return None,
        }
        Some(value)
    }
}

/// `value` with every U+0000 in its strings and keys replaced by U+FFFD, for the rare
/// response that quotes one (jsonb cannot store it).
pub fn without_nul(value: Value) -> Value {
    match value {
        Value::String(s) if s.contains('\0') => Value::String(s.replace('\0', "\u{FFFD}")),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nul).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k.replace('\0', "\u{FFFD}"), without_nul(v))).collect()),
        other => other,
    }
}
