//! Resolving join fields against the model and the remote schemas: a parent's lhs
//! fields (table columns or remote object fields) and a `to_source` relationship's
//! target table.

use serde_json::Value;

use super::join_definition::SourceDefinition;
use super::join_field::TableJoin;
use super::join_lhs::{Lhs, LhsType};
use super::model::{Model, Table};
use super::remote::{named_type, RemoteModel};
use crate::metadata::document::{local_table, RelKind, DEFAULT_SOURCE};

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
        // A column the role may not select may still key the join.
        let target_column = table
            .columns
            .iter()
            .find(|c| c.computed.is_none() && &c.field_name == column)
            .or_else(|| table.key_column(column))
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
