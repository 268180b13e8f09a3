//! A stored relationship's target, read from its metadata: a remote schema's field
//! (`to_remote_schema`, or the legacy `remote_schema`/`hasura_fields`/`remote_field`) or
//! a table (`to_source`). Parsing only: no catalog, no composed schema.

use serde_json::Value;

use crate::metadata::document::{QualifiedTable, RelKind, DEFAULT_SOURCE};

/// The parts of a stored remote relationship (current or legacy form).
pub struct Definition<'a> {
    pub remote_schema: &'a str,
    pub lhs_fields: Vec<String>,
    pub remote_field: &'a Value,
    /// `batch` (our addition to Hasura's body, kept by export): a remote field that
    /// takes every key of a level at once.
    pub batch: Option<&'a Value>,
}

/// What a stored relationship joins to.
pub enum Target<'a> {
    Remote(Definition<'a>),
    Source(SourceDefinition),
}

/// Reads a relationship's target: `to_source`, or `to_remote_schema` in either form.
pub fn target(entry: &Value) -> Result<Target<'_>, String> {
    let def = entry.get("definition").unwrap_or(entry);
    match def.get("to_source") {
        Some(to) => source_definition(to).map(Target::Source),
        None => definition(entry).map(Target::Remote),
    }
}

/// Reads either form: `definition.to_remote_schema {remote_schema, lhs_fields,
/// remote_field}` or legacy `{hasura_fields, remote_schema, remote_field}`.
pub fn definition(entry: &Value) -> Result<Definition<'_>, String> {
    let def = entry.get("definition").unwrap_or(entry);
    let (remote_schema, lhs, remote_field, batch) = if let Some(to) = def.get("to_remote_schema") {
        (to.get("remote_schema"), to.get("lhs_fields"), to.get("remote_field"), to.get("batch"))
    } else if def.get("to_source").is_some() {
        return Err("a to_source relationship has no remote schema".into());
    } else {
        (def.get("remote_schema"), def.get("hasura_fields"), def.get("remote_field"), def.get("batch"))
    };
    let remote_schema = remote_schema.and_then(Value::as_str).ok_or("\"remote_schema\" is required")?;
    let lhs_fields: Option<Vec<String>> = lhs
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_str().map(String::from)).collect::<Option<Vec<_>>>())
        .unwrap_or(None);
    // An empty list is allowed (Hasura accepts it): the arguments are all literals, and
    // every parent gets the answer of the one request of its level.
    let lhs_fields = lhs_fields.ok_or("\"lhs_fields\" must be a list of field names")?;
    let remote_field = remote_field.filter(|r| r.is_object()).ok_or("\"remote_field\" must be an object")?;
    Ok(Definition { remote_schema, lhs_fields, remote_field, batch: batch.filter(|b| !b.is_null()) })
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
