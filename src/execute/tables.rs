//! A query whose root fields are all table fields runs as ONE statement: one parse,
//! plan and execution for the whole document, and, when nothing below it joins, the
//! response itself built by Postgres and returned as is (no jsonb ↔ text ↔ tree).
//!
//! When that statement fails, the caller runs the document field by field as before,
//! so that each failed field gets its own error and path and the others their data.

use serde_json::{Map, Value};

use crate::plan;
use crate::query::normalize::Field;
use crate::response::JsonbDatum;
use crate::schema::cache::Composed;
use crate::spi;

pub enum Outcome {
    /// No join below the root fields: the statement built `{"data": …}` whole.
    Whole(JsonbDatum),
    /// The root fields' data, and the joins below them still to run.
    Data(Map<String, Value>, Vec<plan::Join>),
}

/// `None` when a root field is not a table field (introspection, `__typename`, a
/// remote root field, an action) or when planning or the statement failed.
pub fn run(composed: &Composed, root_fields: &[Field]) -> Option<Outcome> {
    if root_fields.is_empty() {
        return None;
    }
    let mut roots = Vec::with_capacity(root_fields.len());
    for field in root_fields {
        let name = field.name.as_str();
        if composed.remote_roots.contains_key(name) || composed.actions.contains_key(name) {
            return None;
        }
        roots.push((*composed.model.roots.get(name)?, field));
    }
    let statement = plan::document_statement(&composed.model, &roots).ok()?;
    if statement.joins.is_empty() {
        let sql = format!("select jsonb_build_object('data', ({}))", statement.sql);
        return match spi::select_jsonb_datum(&sql, &statement.params) {
            Ok(Some(datum)) => Some(Outcome::Whole(datum)),
            Ok(None) | Err(_) => None,
        };
    }
    match spi::select_json(&statement.sql, &statement.params) {
        Ok(Some(Value::Object(data))) => Some(Outcome::Data(data, statement.joins)),
        _ => None,
    }
}
