//! Join fields: a field of a table, remote object type or action output type whose
//! value comes from another source, found by the parent's key (its lhs fields).
//! The target is a remote schema's field (`to_remote_schema`) or the rows of a table
//! (`to_source`: this database or a source registered with `pg_add_source`).

use serde_json::Value;

use super::model::{Model, Table};
use super::remote::{named_type, RemoteModel};
use super::remote_join::RemoteRelationship;
use super::scalars::{ColumnType, ScalarKind};
use crate::metadata::document::{local_table, QualifiedTable, DEFAULT_SOURCE};
use crate::metadata::resolve::RelKind;

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

/// The lhs fields of a table, by column (SQL or GraphQL) name.
pub fn table_lhs(table: &Table, fields: &[String]) -> Result<Vec<Lhs>, String> {
    fields
        .iter()
        .map(|field| {
            let column = table
                .columns
                .iter()
                .find(|c| &c.sql_name == field || &c.field_name == field)
                .ok_or_else(|| format!("lhs field \"{field}\" is not a column of \"{}.{}\"", table.schema, table.name))?;
            Ok(Lhs { name: field.clone(), source: column.sql_name.clone(), ty: LhsType::Column(column.ty.clone(), column.sql_type.clone()) })
        })
        .collect()
}

/// The lhs fields of a remote object type (the remote's type name).
pub fn remote_type_lhs(remote: &RemoteModel, type_name: &str, fields: &[String]) -> Result<Vec<Lhs>, String> {
    fields
        .iter()
        .map(|field| {
            let definition = remote
                .field(type_name, field)
                .ok_or_else(|| format!("lhs field \"{field}\" is not a field of remote type \"{type_name}\""))?;
            if definition.get("args").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
                return Err(format!("lhs field \"{field}\" takes arguments; a join field must not"));
            }
            let ty = &definition["type"];
            let named = named_type(ty).unwrap_or_default().to_string();
            let kind = remote.remote_types.get(&named).and_then(|t| t["kind"].as_str()).unwrap_or("SCALAR");
            if !matches!(kind, "SCALAR" | "ENUM") {
                return Err(format!("lhs field \"{field}\" is of object type {named}; a join key must be a scalar"));
            }
            Ok(Lhs { name: field.clone(), source: field.clone(), ty: LhsType::Field { type_name: named, is_list: type_is_list(ty) } })
        })
        .collect()
}

/// Whether an introspected type reference is a list (under an optional NON_NULL).
pub fn type_is_list(ty: &Value) -> bool {
    let inner = if ty["kind"].as_str() == Some("NON_NULL") { &ty["ofType"] } else { ty };
    inner["kind"].as_str() == Some("LIST")
}

/// A `to_source` definition: `{source, table, relationship_type, field_mapping}`.
pub struct SourceDefinition {
    pub source: String,
    pub table: QualifiedTable,
    pub kind: RelKind,
    /// (lhs field, target column), in the body's order.
    pub mapping: Vec<(String, String)>,
}

/// Reads `definition.to_source`.
pub fn source_definition(to: &Value) -> Result<SourceDefinition, String> {
    let source = to.get("source").and_then(Value::as_str).unwrap_or(DEFAULT_SOURCE).to_string();
    let table: QualifiedTable = to
        .get("table")
        .cloned()
        .ok_or("\"to_source.table\" is required")
        .and_then(|t| serde_json::from_value(t).map_err(|_| "\"to_source.table\" must be a name or {\"schema\", \"name\"}"))?;
    let kind = match to.get("relationship_type").and_then(Value::as_str) {
        Some("object") => RelKind::Object,
        Some("array") => RelKind::Array,
        _ => return Err("\"to_source.relationship_type\" must be \"object\" or \"array\"".into()),
    };
    let mapping = field_mapping(to.get("field_mapping")).map_err(|e| format!("\"to_source.{e}"))?;
    Ok(SourceDefinition { source, table, kind, mapping })
}

/// A `field_mapping` {lhs field: column}, in the body's order; every value a name.
pub fn field_mapping(value: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    let given = value.and_then(Value::as_object).map(|m| m.len()).unwrap_or(0);
    let mapping: Vec<(String, String)> = value
        .and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default();
    if mapping.is_empty() || mapping.len() != given {
        return Err("field_mapping\" must map each lhs field to a column name".into());
    }
    Ok(mapping)
}

/// Resolves a `to_source` relationship named `name` from parents with these lhs
/// fields (every mapped lhs must be among them).
pub fn resolve_table_join(model: &Model, name: &str, lhs: &[Lhs], def: &SourceDefinition) -> Result<TableJoin, String> {
    let target = local_table(&def.source, &def.table);
    let index = model
        .tables
        .iter()
        .position(|t| t.schema == target.schema && t.name == target.name)
        .ok_or_else(|| {
            if def.source == DEFAULT_SOURCE {
                format!("table \"{target}\" is not exposed (or not readable)")
            } else {
                format!("table \"{}\" of source \"{}\" is not available (as \"{target}\")", def.table.name, def.source)
            }
        })?;
    let table = &model.tables[index];
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    for (field, column) in &def.mapping {
        let lhs = lhs.iter().find(|l| &l.name == field).ok_or_else(|| format!("\"{field}\" is not a field of the parent"))?;
        if lhs.is_list() {
            return Err(format!("{} is a list; a join key must be a scalar", lhs.describe()));
        }
        let target_column = table
            .columns
            .iter()
            .find(|c| &c.sql_name == column || &c.field_name == column)
            .ok_or_else(|| format!("column \"{column}\" does not exist in \"{target}\""))?;
        keys.push((lhs.name.clone(), lhs.source.clone()));
        columns.push(target_column.sql_name.clone());
    }
    let field_sdl = match def.kind {
        RelKind::Object => format!("{name}: {}", table.type_name),
        RelKind::Array => format!("{name}{}: [{}!]", super::sdl::list_arguments(&table.type_name), table.type_name),
    };
    Ok(TableJoin { name: name.to_string(), lhs: keys, table: index, kind: def.kind, columns, field_sdl })
}
