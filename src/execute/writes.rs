//! Runs a table mutation root field: each write, the check of its permission over the
//! rows it wrote, then the statement shaping its answer from those rows.

use serde_json::Value;

use super::sql_error;
use crate::error::{code, GraphqlError, PathSegment};
use crate::plan::mutation::TableWrite;
use crate::plan::Join;
use crate::spi;

/// The field's answer and the joins below it (remote relationships in `returning`).
pub fn run(planned: TableWrite, key: &str) -> Result<(Value, Vec<Join>), GraphqlError> {
    let path = [PathSegment::Key(key.to_string())];
    let mut answers = Vec::with_capacity(planned.writes.len());
    let mut joins = Vec::new();
    for (i, mut write) in planned.writes.into_iter().enumerate() {
        let outcome = spi::write_json(&write.write.sql, &write.write.params).map_err(|e| sql_error(e, &path))?.unwrap_or(Value::Null);
        if outcome["violations"].as_i64().unwrap_or(0) > 0 {
            let message = format!("check constraint of an {} permission has failed", planned.checked);
            return Err(GraphqlError::new(code::PERMISSION_ERROR, message).at(&path));
        }
        let rows = outcome.get("rows").cloned().unwrap_or_else(|| Value::Array(Vec::new()));
        let count = rows.as_array().map_or(0, Vec::len);
        if let Some(slot) = write.shape.params.get_mut(0) {
            *slot = Some(rows.to_string());
        }
        if write.counted {
            if let Some(slot) = write.shape.params.get_mut(1) {
                *slot = Some(count.to_string());
            }
        }
        // Not read-only: this statement must see the rows just written.
        let answer = spi::write_json(&write.shape.sql, &write.shape.params).map_err(|e| sql_error(e, &path))?;
        answers.push(answer.unwrap_or(Value::Null));
        // update_many: every answer has the same selection; the joins of the first walk them all.
        if i == 0 {
            joins = write.shape.joins;
        }
    }
    let value = if planned.many { Value::Array(answers) } else { answers.pop().unwrap_or(Value::Null) };
    Ok((value, joins))
}

/// Why tables cannot be written now, if they cannot: a hot standby, or a read-only
/// transaction (Postgres' own error would name the statement, not the reason).
pub fn read_only_reason() -> Option<&'static str> {
    let state = spi::catalog_json_kept(
        "select jsonb_build_array(pg_catalog.pg_is_in_recovery(), pg_catalog.current_setting('transaction_read_only'))",
        &[],
    );
    if state.get(0) == Some(&Value::Bool(true)) {
        Some("cannot write to tables on a hot standby (run mutations on the primary)")
    } else if state.get(1).and_then(Value::as_str) == Some("on") {
        Some("cannot write to tables in a read-only transaction")
    } else {
        None
    }
}
