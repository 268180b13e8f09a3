//! Join fields: a field of a table, remote object type or action output type whose
//! value comes from another source, found by the parent's key (its lhs fields).
//! The target is a remote schema's field (`to_remote_schema`) or the rows of a table
//! (`to_source`: this database or a source registered with `pg_add_source`). How one
//! is resolved from its metadata: `join_resolve`.

use super::remote_join::RemoteRelationship;
use crate::metadata::document::RelKind;

/// Where a join field's value comes from.
#[derive(Debug, Clone)]
pub enum JoinField {
    Remote(RemoteRelationship),
    Table(TableJoin),
}

/// A join to the rows of a table: ONE statement per (relationship, level) over the
/// distinct keys of the parents.
#[derive(Debug, Clone)]
pub struct TableJoin {
    pub name: String,
    /// (lhs field name, where the parent carries it: a column or an object field).
    pub lhs: Vec<(String, String)>,
    /// Index into `Model::tables`.
    pub table: usize,
    pub kind: RelKind,
    /// The target's SQL columns, in `lhs` order.
    pub columns: Vec<String>,
    pub field_sdl: String,
}

impl JoinField {
    pub fn name(&self) -> &str {
        match self {
            JoinField::Remote(r) => &r.name,
            JoinField::Table(t) => &t.name,
        }
    }

    /// (lhs field name, where the parent carries it), in key order.
    pub fn lhs(&self) -> &[(String, String)] {
        match self {
            JoinField::Remote(r) => &r.lhs,
            JoinField::Table(t) => &t.lhs,
        }
    }

    /// Input types the field's arguments need (generated for a remote relationship).
    pub fn input_types(&self) -> &[(String, String)] {
        match self {
            JoinField::Remote(r) => &r.input_types,
            JoinField::Table(_) => &[],
        }
    }

    pub fn field_sdl(&self) -> &str {
        match self {
            JoinField::Remote(r) => &r.field_sdl,
            JoinField::Table(t) => &t.field_sdl,
        }
    }
}
