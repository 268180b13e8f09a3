//! A query whose root fields are all table fields runs as ONE statement: one parse,
//! plan and execution for the whole document, and, when nothing below it joins, the
//! response itself built by Postgres and returned as is (no json ↔ tree).
//!
//! When that statement fails, the caller runs the document field by field as before,
//! so that each failed field gets its own error and path and the others their data.

use serde_json::{Map, Value};

use crate::plan;
use crate::response::JsonDatum;
use crate::spi;

pub enum Outcome {
    /// No join below the root fields: the statement built `{"data": …}` whole.
    Whole(JsonDatum),
    /// The root fields' data as json text with the joins' hidden keys in it, for joins
    /// spliced into the text (`joins::fit_text`).
    Text(String),
    /// The root fields' data; the statement's joins are still to run.
    Data(Map<String, Value>),
}

/// Runs the one statement of a document of table fields (`plan::operation`); `None` when it
/// failed (the caller then runs the document field by field). `as_text`: its joins are
/// to be spliced into its text.
pub fn run(statement: &plan::Statement, as_text: bool) -> Option<Outcome> {
    if statement.joins.is_empty() {
        let sql = format!("select json_build_object('data', ({}))", statement.sql);
        return match spi::select_json_datum(&sql, &statement.params) {
            Ok(Some(datum)) => Some(Outcome::Whole(datum)),
            Ok(None) | Err(_) => None,
        };
    }
    if as_text {
        return match spi::select_json_text(&statement.sql, &statement.params) {
            Ok(Some(text)) => Some(Outcome::Text(text)),
            Ok(None) | Err(_) => None,
        };
    }
    match spi::select_json(&statement.sql, &statement.params) {
        Ok(Some(Value::Object(data))) => Some(Outcome::Data(data)),
        _ => None,
    }
}
