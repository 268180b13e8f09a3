//! What `graphql.resolve` returns: `json`, its keys in the order of the selection set
//! (as GraphQL asks; `jsonb` would sort them), compact. Either a response tree built
//! here, or the json datum a statement built whole, passed through without a tree.
//!
//! Going through a tree costs: for a document answered by one statement, that was half
//! of `resolve`'s time on a 1,000-row list.

use pgrx::callconv::{BoxRet, FcInfo};
use pgrx::datum::Datum;
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::IntoDatum;
use serde_json::Value;

/// A compact `json` datum allocated in the memory context of the function call (made by
/// `compact_copy` from a statement's result), so it lives until the call returns.
pub struct JsonDatum(pg_sys::Datum);

impl JsonDatum {
    /// Copies a json datum of an SPI result into the context that was current at
    /// SPI_connect (the function call's), without the whitespace `json_build_object`
    /// and `json_agg` put between tokens (`{"a" : 1}`, `[1, \n 2]`).
    ///
    /// # Safety
    /// `datum` must be a valid json (text varlena) datum, and SPI connected.
    pub unsafe fn compact_copy(datum: pg_sys::Datum) -> JsonDatum {
        // SAFETY: the caller's contract: a valid varlena.
        unsafe {
            let varlena = pg_sys::pg_detoast_datum_packed(datum.cast_mut_ptr());
            let len = pgrx::varlena::varsize_any_exhdr(varlena);
            let source = std::slice::from_raw_parts(pgrx::varlena::vardata_any(varlena) as *const u8, len);
            let copy = pg_sys::SPI_palloc(pg_sys::VARHDRSZ + len) as *mut u8;
            // Initialised before a slice is made over it.
            std::ptr::write_bytes(copy, 0, pg_sys::VARHDRSZ + len);
            let target = std::slice::from_raw_parts_mut(copy.add(pg_sys::VARHDRSZ), len);
            let written = compact(source, target);
            pgrx::varlena::set_varsize_4b(copy as *mut pg_sys::varlena, (pg_sys::VARHDRSZ + written) as i32);
            JsonDatum(pg_sys::Datum::from(copy))
        }
    }

    fn text(&self) -> String {
        // SAFETY: a json datum made by `compact_copy`: a valid varlena.
        unsafe { varlena_text(self.0) }
    }
}

/// The text of a text or json datum, copied.
///
/// # Safety
/// `datum` must be a valid text-like varlena datum.
pub unsafe fn varlena_text(datum: pg_sys::Datum) -> String {
    // SAFETY: the caller's contract.
    unsafe {
        let varlena = pg_sys::pg_detoast_datum_packed(datum.cast_mut_ptr());
        let len = pgrx::varlena::varsize_any_exhdr(varlena);
        let bytes = std::slice::from_raw_parts(pgrx::varlena::vardata_any(varlena) as *const u8, len);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Copies JSON text `source` into `target` (at least as long) without the whitespace
/// between tokens; returns the length written. Strings are copied as they are.
pub(crate) fn compact(source: &[u8], target: &mut [u8]) -> usize {
    let mut written = 0;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in source {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
            continue;
        } else if byte == b'"' {
            in_string = true;
        }
        target[written] = byte;
        written += 1;
    }
    written
}

pub enum Response {
    Tree(Value),
    Datum(JsonDatum),
    /// Compact JSON text built without a tree (`joins::text`).
    Text(String),
}

impl From<Value> for Response {
    fn from(value: Value) -> Self {
        Response::Tree(value)
    }
}

impl Response {
    /// The response as a tree (graphql.explain, and tests).
    pub fn into_value(self) -> Value {
        match self {
            Response::Tree(value) => value,
            Response::Datum(datum) => serde_json::from_str(&datum.text()).unwrap_or(Value::Null),
            Response::Text(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }
}

// SAFETY: returns a json datum (or json text made from the tree), as the SQL says.
unsafe impl BoxRet for Response {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> Datum<'fcx> {
        let datum = match self {
            Response::Datum(JsonDatum(datum)) => Some(datum),
            // serde writes compact JSON, keys in the tree's (the selection's) order.
            Response::Tree(value) => pgrx::Json(value).into_datum(),
            // json's form is text's.
            Response::Text(text) => text.into_datum(),
        };
        match datum {
            // SAFETY: a json datum valid for the rest of the call.
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}

// SAFETY: the SQL type is json, as for pgrx's Json.
unsafe impl SqlTranslatable for Response {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(Response);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("json"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = Ok(ReturnsRef::One(SqlMappingRef::literal("json")));
}
