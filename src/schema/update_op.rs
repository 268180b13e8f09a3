//! The operators of Hasura's updates (`_set`, `_inc`, the jsonb ones): one list serves
//! the schema's input types (`mutation_sdl`) and the SQL (`plan::mutation`), as
//! `filter_op` does for comparisons.

use super::scalars::{ColumnType, ScalarKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOp {
    Set,
    Inc,
    Append,
    Prepend,
    DeleteKey,
    DeleteElem,
    DeleteAtPath,
}

use UpdateOp::*;

impl UpdateOp {
    pub const ALL: [UpdateOp; 7] = [Set, Inc, Append, Prepend, DeleteKey, DeleteElem, DeleteAtPath];

    /// The argument of `update_<t>` (and of `<t>_updates`).
    pub fn argument(self) -> &'static str {
        match self {
            Set => "_set",
            Inc => "_inc",
            Append => "_append",
            Prepend => "_prepend",
            DeleteKey => "_delete_key",
            DeleteElem => "_delete_elem",
            DeleteAtPath => "_delete_at_path",
        }
    }

    /// Its input type is `<t>_<suffix>`.
    pub fn suffix(self) -> &'static str {
        match self {
            Set => "set_input",
            Inc => "inc_input",
            Append => "append_input",
            Prepend => "prepend_input",
            DeleteKey => "delete_key_input",
            DeleteElem => "delete_elem_input",
            DeleteAtPath => "delete_at_path_input",
        }
    }

    /// Whether a column of type `ty` takes it: `_inc` numbers, the jsonb operators jsonb.
    pub fn applies(self, ty: &ColumnType) -> bool {
        let jsonb = !ty.is_list && ty.kind == ScalarKind::Json && ty.scalar == "jsonb";
        match self {
            Set => true,
            Inc => !ty.is_list && ty.kind == ScalarKind::Numeric,
            Append | Prepend | DeleteKey | DeleteElem | DeleteAtPath => jsonb,
        }
    }

    /// The GraphQL type of its value for a column of type `ty`.
    pub fn value_type(self, ty: &ColumnType) -> String {
        match self {
            Set | Inc if ty.is_list => format!("[{}]", ty.scalar),
            Set | Inc => ty.scalar.clone(),
            Append | Prepend => "jsonb".into(),
            DeleteKey => "String".into(),
            DeleteElem => "Int".into(),
            DeleteAtPath => "[String!]".into(),
        }
    }
}
