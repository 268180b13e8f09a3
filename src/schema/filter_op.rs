//! The operators of `<type>_comparison_exp`: one list serves the schema's input types
//! (`sdl`) and the SQL (`plan::filter`), so what a client may write and what runs
//! cannot disagree.

use super::scalars::{ColumnType, ScalarKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Nin,
    IsNull,
    Contains,
    ContainedIn,
    HasKey,
    Like,
    Nlike,
    Ilike,
    Nilike,
    Similar,
    Nsimilar,
    Regex,
    Nregex,
    Iregex,
    Niregex,
}

use FilterOp::*;

impl FilterOp {
    pub const ALL: [FilterOp; 22] = [
        Eq, Neq, Gt, Gte, Lt, Lte, In, Nin, IsNull, Contains, ContainedIn, HasKey, Like, Nlike, Ilike, Nilike, Similar,
        Nsimilar, Regex, Nregex, Iregex, Niregex,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Eq => "_eq",
            Neq => "_neq",
            Gt => "_gt",
            Gte => "_gte",
            Lt => "_lt",
            Lte => "_lte",
            In => "_in",
            Nin => "_nin",
            IsNull => "_is_null",
            Contains => "_contains",
            ContainedIn => "_contained_in",
            HasKey => "_has_key",
            Like => "_like",
            Nlike => "_nlike",
            Ilike => "_ilike",
            Nilike => "_nilike",
            Similar => "_similar",
            Nsimilar => "_nsimilar",
            Regex => "_regex",
            Nregex => "_nregex",
            Iregex => "_iregex",
            Niregex => "_niregex",
        }
    }

    /// The operator `name` offered for a column of type `ty`, if it is one.
    pub fn for_column(name: &str, ty: &ColumnType) -> Option<FilterOp> {
        FilterOp::ALL.into_iter().find(|op| op.name() == name && op.applies(ty))
    }

    /// Whether a column of type `ty` offers the operator: lists compare as wholes and
    /// by containment; text matches patterns; jsonb tests containment and keys.
    pub fn applies(self, ty: &ColumnType) -> bool {
        let jsonb = ty.kind == ScalarKind::Json && ty.scalar == "jsonb";
        match self {
            Eq | Neq | IsNull => true,
            Contains | ContainedIn => ty.is_list || jsonb,
            _ if ty.is_list => false,
            Gt | Gte | Lt | Lte | In | Nin => true,
            HasKey => jsonb,
            Like | Nlike | Ilike | Nilike | Similar | Nsimilar | Regex | Nregex | Iregex | Niregex => {
                ty.kind == ScalarKind::Text
            }
        }
    }

    /// The operand's GraphQL type for a column of type `ty`.
    pub fn operand_type(self, ty: &ColumnType) -> String {
        let s = &ty.scalar;
        match self {
            IsNull => "Boolean".into(),
            _ if ty.is_list => format!("[{s}]"),
            In | Nin => format!("[{s}!]"),
            HasKey | Like | Nlike | Ilike | Nilike | Similar | Nsimilar | Regex | Nregex | Iregex | Niregex => {
                "String".into()
            }
            Eq | Neq | Gt | Gte | Lt | Lte | Contains | ContainedIn => s.clone(),
        }
    }
}
