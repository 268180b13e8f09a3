//! A `jsonb` argument read where Postgres keeps it, instead of pgrx's `JsonB` (which
//! writes the whole value out as text and parses that into a tree).
//!
//! `graphql.resolve`'s variables come as jsonb. A list of a thousand rows to insert
//! went jsonb → text → tree → apollo's tree → tree → text → jsonb again before it
//! reached its `INSERT`: most of the call's time. Read in place, such a list is
//! checked where it lies and handed to the statement as the jsonb it already is
//! (`query::bulk`); the other variables become trees one by one.

use pgrx::callconv::{Arg, ArgAbi};
use pgrx::nullable::Nullable;
use pgrx::pg_sys;
use pgrx::FromDatum;
use serde_json::Value;
use std::ffi::CStr;
use std::marker::PhantomData;

/// A `jsonb` argument of the current function call, detoasted: valid until the call
/// returns.
pub struct JsonbArg {
    jsonb: *mut pg_sys::Jsonb,
}

impl FromDatum for JsonbArg {
    unsafe fn from_polymorphic_datum(datum: pg_sys::Datum, is_null: bool, _: pg_sys::Oid) -> Option<JsonbArg> {
        if is_null {
            return None;
        }
        // SAFETY: a jsonb datum of this call (the argument's declared type). Detoasted
        // whole (not packed): the container's entries must be aligned to be read.
        let jsonb = unsafe { pg_sys::pg_detoast_datum(datum.cast_mut_ptr()) } as *mut pg_sys::Jsonb;
        Some(JsonbArg { jsonb })
    }
}

// SAFETY: unboxed through FromDatum, as pgrx does for its own types.
unsafe impl<'fcx> ArgAbi<'fcx> for JsonbArg {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        let index = arg.index();
        // SAFETY: the caller's contract (a non-null jsonb argument).
        unsafe { arg.unbox_arg_using_from_datum() }.unwrap_or_else(|| panic!("argument {index} must not be null"))
    }

    unsafe fn unbox_nullable_arg(arg: Arg<'_, 'fcx>) -> Nullable<Self> {
        // SAFETY: the caller's contract (a jsonb argument).
        unsafe { arg.unbox_arg_using_from_datum::<JsonbArg>() }.into()
    }
}

pgrx::impl_sql_translatable!(JsonbArg, arg_only = "jsonb");

impl JsonbArg {
    /// The value's top level.
    pub fn root(&self) -> Container<'_> {
        // SAFETY: `jsonb` is a detoasted jsonb datum of the call, which outlives `self`.
        unsafe {
            let bytes = pgrx::varlena::varsize_any_exhdr(self.jsonb as *const pg_sys::varlena);
            Container { ptr: std::ptr::addr_of_mut!((*self.jsonb).root), bytes, _call: PhantomData }
        }
    }

    /// The whole value as a tree (what pgrx's `JsonB` gives).
    pub fn to_value(&self) -> Result<Value, String> {
        let root = self.root();
        if root.is_scalar() {
            // A top-level scalar is stored as a one-element array.
            return root.elements().next().map_or(Ok(Value::Null), |item| item.to_value());
        }
        root.to_value()
    }
}

/// A container (array or object) inside a jsonb value of the call.
#[derive(Clone, Copy)]
pub struct Container<'a> {
    ptr: *mut pg_sys::JsonbContainer,
    /// Its size in bytes.
    bytes: usize,
    _call: PhantomData<&'a JsonbArg>,
}

/// One value inside a jsonb value: a scalar, or a container read in place.
pub enum Item<'a> {
    Null,
    Bool(bool),
    /// A number: its text (as `numeric_out` writes it) is read on demand.
    Number(pg_sys::Numeric),
    /// A string's bytes: UTF-8 in a UTF-8 database (`as_str` says).
    String(&'a [u8]),
    Array(Container<'a>),
    Object(Container<'a>),
}

impl<'a> Container<'a> {
    fn header(&self) -> u32 {
        // SAFETY: a container of a detoasted jsonb of the call.
        unsafe { (*self.ptr).header }
    }

    pub fn is_object(&self) -> bool {
        self.header() & pg_sys::JB_FOBJECT != 0
    }

    fn is_scalar(&self) -> bool {
        self.header() & pg_sys::JB_FSCALAR != 0
    }

    /// How many elements (array) or pairs (object) it holds.
    pub fn len(&self) -> usize {
        (self.header() & pg_sys::JB_CMASK) as usize
    }

    /// An array's elements, in order (nothing for an object).
    pub fn elements(self) -> impl Iterator<Item = Item<'a>> {
        self.tokens().filter(|(token, _)| *token == pg_sys::JsonbIteratorToken::WJB_ELEM).map(|(_, item)| item)
    }

    /// An object's pairs (nothing for an array), in jsonb's order: by key length, then bytes.
    pub fn entries(self) -> impl Iterator<Item = (&'a [u8], Item<'a>)> {
        let mut tokens = self.tokens();
        std::iter::from_fn(move || loop {
            let (token, key) = tokens.next()?;
            if token != pg_sys::JsonbIteratorToken::WJB_KEY {
                continue;
            }
            let Item::String(key) = key else { continue };
            let (_, value) = tokens.next()?;
            return Some((key, value));
        })
    }

    /// The iterator's tokens one level down (nested containers come whole).
    fn tokens(self) -> impl Iterator<Item = (pg_sys::JsonbIteratorToken::Type, Item<'a>)> {
        // SAFETY: a container of a detoasted jsonb of the call; the iterator's state is
        // palloc'd in the current memory context and freed by Postgres at its end.
        let mut iterator = unsafe { pg_sys::JsonbIteratorInit(self.ptr) };
        std::iter::from_fn(move || {
            if iterator.is_null() {
                return None;
            }
            let mut value = pg_sys::JsonbValue { type_: pg_sys::jbvType::jbvNull, val: unsafe { std::mem::zeroed() } };
            // SAFETY: as above; skipNested keeps nested containers as binary values.
            let token = unsafe { pg_sys::JsonbIteratorNext(&mut iterator, &mut value, true) };
            if token == pg_sys::JsonbIteratorToken::WJB_DONE {
                return None;
            }
            Some((token, unsafe { Item::of(&value) }))
        })
    }

    /// The container as a jsonb datum of its own (a copy of its bytes, no parse), in
    /// the current memory context.
    pub fn to_datum(self) -> pg_sys::Datum {
        let mut value = pg_sys::JsonbValue { type_: pg_sys::jbvType::jbvBinary, val: unsafe { std::mem::zeroed() } };
        value.val.binary = pg_sys::JsonbValue__bindgen_ty_1__bindgen_ty_4 {
            len: i32::try_from(self.bytes).unwrap_or(i32::MAX),
            data: self.ptr,
        };
        // SAFETY: a binary value over a container of the call; JsonbValueToJsonb copies
        // its bytes into a new varlena.
        pg_sys::Datum::from(unsafe { pg_sys::JsonbValueToJsonb(&mut value) })
    }

    /// The container as a tree, through its text.
    pub fn to_value(self) -> Result<Value, String> {
        // SAFETY: as above; the text is palloc'd and copied out by the parse.
        let text = unsafe {
            let text = pg_sys::JsonbToCString(std::ptr::null_mut(), self.ptr, 64);
            CStr::from_ptr(text)
        };
        let text = text.to_str().map_err(|e| e.to_string())?;
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

impl<'a> Item<'a> {
    /// # Safety
    /// `value` must be what `JsonbIteratorNext` wrote for a jsonb of the call.
    unsafe fn of(value: &pg_sys::JsonbValue) -> Item<'a> {
        // SAFETY: the union's member is the one `type_` names.
        unsafe {
            match value.type_ {
                pg_sys::jbvType::jbvBool => Item::Bool(value.val.boolean),
                pg_sys::jbvType::jbvNumeric => Item::Number(value.val.numeric),
                pg_sys::jbvType::jbvString => {
                    Item::String(std::slice::from_raw_parts(value.val.string.val as *const u8, value.val.string.len as usize))
                }
                pg_sys::jbvType::jbvBinary => {
                    let bytes = usize::try_from(value.val.binary.len).unwrap_or_default();
                    let container = Container { ptr: value.val.binary.data, bytes, _call: PhantomData };
                    if container.is_object() {
                        Item::Object(container)
                    } else {
                        Item::Array(container)
                    }
                }
                _ => Item::Null,
            }
        }
    }


    /// Whether a number is an `Int`: written without a fraction (`1.0` is not) and in
    /// i32's range; what parsing its text as i32 says, without writing the text.
    pub fn is_i32(numeric: pg_sys::Numeric) -> bool {
        // SAFETY: a numeric of a jsonb of the call; numeric_scale answers NULL only for
        // NaN and infinities, and numeric_int4_opt_error reports through its flag.
        unsafe {
            let scale = pgrx::direct_function_call::<i32>(pg_sys::numeric_scale, &[Some(pg_sys::Datum::from(numeric))]);
            if scale != Some(0) {
                return false;
            }
            let mut out_of_range = false;
            pg_sys::numeric_int4_opt_error(numeric, &mut out_of_range);
            !out_of_range
        }
    }

    /// A number's text, as `numeric_out` writes it (`1.50` stays `1.50`).
    fn number_text(numeric: pg_sys::Numeric) -> Option<String> {
        // SAFETY: a numeric of a jsonb of the call; numeric_out never fails on one and
        // pallocs its text, freed once copied.
        unsafe {
            let text = pgrx::direct_function_call::<&CStr>(pg_sys::numeric_out, &[Some(pg_sys::Datum::from(numeric))])?;
            let copy = text.to_str().ok().map(str::to_string);
            pg_sys::pfree(text.as_ptr() as *mut std::ffi::c_void);
            copy
        }
    }

    /// The item as a tree.
    pub fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            Item::Null => Value::Null,
            Item::Bool(b) => Value::Bool(*b),
            Item::Number(n) => {
                let text = Item::number_text(*n).ok_or("a number could not be read")?;
                serde_json::from_str(&text).map_err(|e| format!("{text}: {e}"))?
            }
            Item::String(bytes) => Value::String(as_str(bytes)?.to_string()),
            Item::Array(c) | Item::Object(c) => c.to_value()?,
        })
    }
}

/// A jsonb string's text; an error names what is wrong with one that is not UTF-8 (a
/// database in another encoding).
pub fn as_str(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("a string is not UTF-8: {e}"))
}
