//! Resolves a relationship's `using` clause against the catalog: which table it
//! reaches and through which columns. Used when metadata is written (to reject bad
//! bodies) and when the schema is built (to drop what DDL has since made inconsistent).

use serde_json::Value;

use crate::metadata::document::{QualifiedTable, RelKind, RelationshipDef};
use super::reflect::Relation;

#[derive(Debug, Clone)]
pub struct ResolvedRelationship {
    pub name: String,
    pub target: QualifiedTable,
    /// (column of this table, column of the target)
    pub mapping: Vec<(String, String)>,
    /// The foreign key it follows, when it follows one.
    pub foreign_key: Option<String>,
}

/// Resolves `def` on `table`; `lookup` finds other relations by name. The error says
/// what is wrong, without the "relationship x on table y" prefix the caller adds.
pub fn resolve(
    table: &Relation,
    def: &RelationshipDef,
    kind: RelKind,
    lookup: &dyn Fn(&QualifiedTable) -> Option<Relation>,
) -> Result<ResolvedRelationship, String> {
    let using = def.using.as_object().ok_or("\"using\" must be an object")?;
    let this = QualifiedTable { schema: table.schema.clone(), name: table.name.clone() };
    if let Some(fk_on) = using.get("foreign_key_constraint_on") {
        return resolve_foreign_key(table, &this, def, kind, fk_on, lookup);
    }
    if let Some(manual) = using.get("manual_configuration") {
        return resolve_manual(table, def, manual, lookup);
    }
    Err("\"using\" needs \"foreign_key_constraint_on\" or \"manual_configuration\"".into())
}

fn resolve_foreign_key(
    table: &Relation,
    this: &QualifiedTable,
    def: &RelationshipDef,
    kind: RelKind,
    fk_on: &Value,
    lookup: &dyn Fn(&QualifiedTable) -> Option<Relation>,
) -> Result<ResolvedRelationship, String> {
    // Either columns of this table (the FK is ours: object relationship), or a table
    // and its columns (the FK is theirs and points at us).
    let (remote_table, columns) = match fk_on {
        Value::String(c) => (None, vec![c.clone()]),
        Value::Array(_) => (None, string_list(fk_on, "foreign_key_constraint_on")?),
        Value::Object(o) => {
            let columns = match (o.get("column"), o.get("columns")) {
                (Some(Value::String(c)), None) => vec![c.clone()],
                (None, Some(cs)) => string_list(cs, "columns")?,
                _ => return Err("foreign_key_constraint_on needs \"column\" or \"columns\"".into()),
            };
            let remote = match o.get("table") {
                Some(t) => Some(
                    serde_json::from_value::<QualifiedTable>(t.clone()).map_err(|e| e.to_string())?,
                ),
                None => None,
            };
            (remote, columns)
        }
        _ => return Err("foreign_key_constraint_on must be a column, a list of columns or an object".into()),
    };
    match remote_table {
        None => {
            if kind == RelKind::Array {
                return Err("an array relationship's foreign_key_constraint_on names the other table: {\"table\": …, \"column\": …}".into());
            }
            for c in &columns {
                if !table.columns.iter().any(|col| &col.name == c) {
                    return Err(format!("column \"{c}\" does not exist"));
                }
            }
            let fk = table
                .foreign_keys
                .iter()
                .find(|fk| fk.columns == columns)
                .ok_or_else(|| format!("no foreign key constraint on column(s) {}", columns.join(", ")))?;
            Ok(ResolvedRelationship {
                name: def.name.clone(),
                target: QualifiedTable { schema: fk.ref_schema.clone(), name: fk.ref_table.clone() },
                mapping: fk.columns.iter().cloned().zip(fk.ref_columns.iter().cloned()).collect(),
                foreign_key: Some(fk.name.clone()),
            })
        }
        Some(remote) => {
            let other = lookup(&remote).ok_or_else(|| format!("table \"{remote}\" does not exist"))?;
            for c in &columns {
                if !other.columns.iter().any(|col| &col.name == c) {
                    return Err(format!("column \"{c}\" does not exist in table \"{remote}\""));
                }
            }
            let fk = other
                .foreign_keys
                .iter()
                .find(|fk| {
                    fk.columns == columns && fk.ref_schema == this.schema && fk.ref_table == this.name
                })
                .ok_or_else(|| {
                    format!(
                        "no foreign key constraint on \"{remote}\" ({}) that references \"{this}\"",
                        columns.join(", ")
                    )
                })?;
            Ok(ResolvedRelationship {
                name: def.name.clone(),
                target: remote,
                mapping: fk.ref_columns.iter().cloned().zip(fk.columns.iter().cloned()).collect(),
                foreign_key: Some(fk.name.clone()),
            })
        }
    }
}

fn resolve_manual(
    table: &Relation,
    def: &RelationshipDef,
    manual: &Value,
    lookup: &dyn Fn(&QualifiedTable) -> Option<Relation>,
) -> Result<ResolvedRelationship, String> {
    let manual = manual.as_object().ok_or("manual_configuration must be an object")?;
    let remote: QualifiedTable = serde_json::from_value(
        manual.get("remote_table").cloned().ok_or("manual_configuration needs \"remote_table\"")?,
    )
    .map_err(|e| format!("remote_table: {e}"))?;
    let mapping = manual
        .get("column_mapping")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .ok_or("manual_configuration needs a non-empty \"column_mapping\" object")?;
    let other = lookup(&remote).ok_or_else(|| format!("table \"{remote}\" does not exist"))?;
    let mut pairs = Vec::new();
    for (local, remote_col) in mapping {
        let remote_col = remote_col.as_str().ok_or("column_mapping values must be column names")?;
        if !table.columns.iter().any(|c| &c.name == local) {
            return Err(format!("column \"{local}\" does not exist"));
        }
        if !other.columns.iter().any(|c| c.name == remote_col) {
            return Err(format!("column \"{remote_col}\" does not exist in table \"{remote}\""));
        }
        pairs.push((local.clone(), remote_col.to_string()));
    }
    Ok(ResolvedRelationship { name: def.name.clone(), target: remote, mapping: pairs, foreign_key: None })
}

fn string_list(value: &Value, what: &str) -> Result<Vec<String>, String> {
    let items = value.as_array().ok_or_else(|| format!("{what} must be a list of column names"))?;
    let list: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(String::from)).collect();
    match list {
        Some(l) if !l.is_empty() => Ok(l),
        _ => Err(format!("{what} must be a non-empty list of column names")),
    }
}
