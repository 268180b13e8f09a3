//! A join's lhs fields: the parent's fields whose values make the join key, with their
//! types, to check them against the arguments or columns they fill.

use super::scalars::{ColumnType, ScalarKind};

/// The type of a parent's lhs field, for checking it against what it fills.
#[derive(Debug, Clone)]
pub enum LhsType {
    /// A table column: its GraphQL shape and SQL type.
    Column(ColumnType, String),
    /// A field of a remote object or an action's output type: its named type (the
    /// remote's own name) and whether it is a list.
    Field { type_name: String, is_list: bool },
}

/// One lhs field of a parent: the name templates use, where it is read, its type.
#[derive(Debug, Clone)]
pub struct Lhs {
    pub name: String,
    pub source: String,
    pub ty: LhsType,
}

impl Lhs {
    pub fn is_list(&self) -> bool {
        match &self.ty {
            LhsType::Column(c, _) => c.is_list,
            LhsType::Field { is_list, .. } => *is_list,
        }
    }

    /// Whether the values fit a remote input type `type_name` of `kind`.
    pub fn fits(&self, type_name: &str, kind: &str) -> bool {
        match &self.ty {
            LhsType::Column(column, _) => column_fits(column, type_name, kind),
            LhsType::Field { type_name: ours, .. } => field_fits(ours, type_name, kind),
        }
    }

    pub fn describe(&self) -> String {
        match &self.ty {
            LhsType::Column(_, sql_type) => format!("column \"{}\" ({sql_type})", self.source),
            LhsType::Field { type_name, .. } => format!("field \"{}\" ({type_name})", self.source),
        }
    }
}

/// Whether a column's values fit a remote input type (named `type_name`, of `kind`).
fn column_fits(column: &ColumnType, type_name: &str, kind: &str) -> bool {
    match kind {
        "ENUM" => matches!(column.kind, ScalarKind::Text | ScalarKind::Ordered),
        "INPUT_OBJECT" => false,
        _ => match type_name {
            "Int" => column.scalar == "Int",
            "Float" => column.kind == ScalarKind::Numeric,
            "Boolean" => column.kind == ScalarKind::Boolean,
            "String" => matches!(column.kind, ScalarKind::Text | ScalarKind::Ordered),
            "ID" => matches!(column.scalar.as_str(), "Int" | "bigint" | "String" | "uuid"),
            // A custom scalar of the remote: its own rules, which we cannot know.
            _ => true,
        },
    }
}

/// Whether a remote field of type `ours` fits an argument of type `theirs`.
fn field_fits(ours: &str, theirs: &str, kind: &str) -> bool {
    if ours == theirs {
        return true;
    }
    match (ours, kind) {
        (_, "INPUT_OBJECT") => false,
        ("String" | "ID", "ENUM") => true,
        (_, "ENUM") => false,
        _ => match (ours, theirs) {
            ("Int", "Float" | "ID") | ("ID", "String") | ("String", "ID") => true,
            ("Int" | "Float" | "String" | "ID" | "Boolean", "Int" | "Float" | "String" | "ID" | "Boolean") => false,
            // A custom scalar on either side: its own rules, which we cannot know.
            _ => true,
        },
    }
}
