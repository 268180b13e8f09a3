//! What `graphql.resolve` returns: a response tree built here, or a jsonb datum a
//! statement built whole, passed through untouched.
//!
//! pgrx's `JsonB` goes through text both ways (`jsonb_out` then serde to read a
//! statement's result, serde then `jsonb_in` to return one); for a document that is
//! answered by one statement, that was half of `resolve`'s time on a 1,000-row list.

use pgrx::callconv::{BoxRet, FcInfo};
use pgrx::datum::Datum;
use pgrx::pg_sys;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::IntoDatum;
use serde_json::Value;

/// A `jsonb` datum allocated in the memory context of the function call (copied
/// out of SPI's by `spi::select_jsonb_datum`), so it lives until the call returns.
pub struct JsonbDatum(pub(crate) pg_sys::Datum);

pub enum Response {
    Tree(Value),
    Datum(JsonbDatum),
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
            // SAFETY: the datum is a valid jsonb varlena in a live memory context.
            Response::Datum(JsonbDatum(datum)) => unsafe {
                <pgrx::JsonB as pgrx::FromDatum>::from_datum(datum, false).map(|j| j.0).unwrap_or(Value::Null)
            },
        }
    }
}

// SAFETY: returns a jsonb datum (or jsonb made from the tree), as the SQL says.
unsafe impl BoxRet for Response {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> Datum<'fcx> {
        let datum = match self {
            Response::Datum(JsonbDatum(datum)) => Some(datum),
            Response::Tree(value) => pgrx::JsonB(value).into_datum(),
        };
        match datum {
            // SAFETY: a jsonb datum valid for the rest of the call.
            Some(datum) => unsafe { fcinfo.return_raw_datum(datum) },
            None => fcinfo.return_null(),
        }
    }
}

// SAFETY: the SQL type is jsonb, as for pgrx's JsonB.
unsafe impl SqlTranslatable for Response {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(Response);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("jsonb"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> = Ok(ReturnsRef::One(SqlMappingRef::literal("jsonb")));
}
