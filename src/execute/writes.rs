//! Runs a table mutation root field: each write (a statement, or a nested insert row by
//! row), the check of its permission over the rows it wrote, then the statement shaping
//! its answer from those rows.

use serde_json::Value;

use super::sql_error;
use crate::error::{code, GraphqlError, PathSegment};
use crate::plan::mutation::{TableWrite, Write, WriteStep};
use crate::plan::nested_insert::{RowInsert, Source};
use crate::plan::{Join, Statement};
use crate::spi;

/// The field's answer and the joins below it (remote relationships in `returning`).
pub fn run(planned: TableWrite, key: &str) -> Result<(Value, Vec<Join>), GraphqlError> {
    let path = [PathSegment::Key(key.to_string())];
    let mut answers = Vec::with_capacity(planned.writes.len());
    let mut joins = Vec::new();
    for (i, write) in planned.writes.into_iter().enumerate() {
        let (answer, write_joins) = match write {
            Write::Answered(statement) => {
                let mut outcome = execute(&statement, &path)?;
                (outcome.get_mut("answer").map(Value::take).unwrap_or(Value::Null), statement.joins)
            }
            Write::Shaped { write, mut shape, counted } => {
                let (rows, count) = written_rows(write, &path)?;
                if let Some(slot) = shape.params.get_mut(0) {
                    *slot = Some(Value::Array(rows).to_string());
                }
                if counted {
                    if let Some(slot) = shape.params.get_mut(1) {
                        *slot = Some(count.to_string());
                    }
                }
                // Not read-only: this statement must see the rows just written.
                let answer = spi::write_json_kept(&shape.sql, &shape.params, shape.jsonb).map_err(|e| sql_error(e, &path))?;
                (answer.unwrap_or(Value::Null), shape.joins)
            }
        };
        answers.push(answer);
        // update_many: every answer has the same selection; the joins of the first walk them all.
        if i == 0 {
            joins = write_joins;
        }
    }
    let value = if planned.many { Value::Array(answers) } else { answers.pop().unwrap_or(Value::Null) };
    Ok((value, joins))
}

/// The rows a shaped write wrote, and how many rows it wrote in all (a nested insert
/// writes more than it answers with).
fn written_rows(write: WriteStep, path: &[PathSegment]) -> Result<(Vec<Value>, usize), GraphqlError> {
    match write {
        WriteStep::Statement(statement) => {
            let rows = rows_of(execute(&statement, path)?);
            let count = rows.len();
            Ok((rows, count))
        }
        WriteStep::Rows(inserts) => {
            let mut rows = Vec::with_capacity(inserts.len());
            let mut count = 0;
            for insert in inserts {
                let (row, written) = run_row(insert, None, path)?;
                rows.extend(row);
                count += written;
            }
            Ok((rows, count))
        }
    }
}

fn rows_of(outcome: Value) -> Vec<Value> {
    match outcome {
        Value::Object(mut fields) => match fields.remove("rows") {
            Some(Value::Array(rows)) => rows,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Runs a write statement: its outcome, or the error of a failed check.
fn execute(statement: &Statement, path: &[PathSegment]) -> Result<Value, GraphqlError> {
    let outcome =
        spi::write_json_kept(&statement.sql, &statement.params, statement.jsonb).map_err(|e| sql_error(e, path))?.unwrap_or(Value::Null);
    if outcome["violations"].as_i64().unwrap_or(0) > 0 {
        return Err(check_failed(path));
    }
    Ok(outcome)
}

/// Hasura's message, whichever permission's check failed.
fn check_failed(path: &[PathSegment]) -> GraphqlError {
    GraphqlError::new(code::PERMISSION_ERROR, "check constraint of an insert/update permission has failed").at(path)
}

/// The answer of a mutation field that is ONE statement writing and answering
/// (`Write::Answered`), as the statement's json text: for joins spliced into the text
/// (`joins::text`), with no tree of the answer at all. Runs in the caller's unit, which
/// it leaves to be rolled back on `Err`.
pub fn run_text(statement: &Statement, key: &str) -> Result<String, GraphqlError> {
    let path = [PathSegment::Key(key.to_string())];
    // In the unit only (its one statement): a subtransaction of its own would cost a
    // second transaction id for the same rows.
    let text = spi::write_json_text_in_unit(&statement.sql, &statement.params, statement.jsonb).map_err(|e| sql_error(e, &path))?;
    let (violations, answer) = text.as_deref().and_then(split_answer).unwrap_or((0, "null"));
    if violations > 0 {
        return Err(check_failed(&path));
    }
    Ok(answer.to_string())
}

/// `{"violations" : n, "answer" : …}` as `json_build_object` writes it: the count, and
/// the answer's text.
fn split_answer(text: &str) -> Option<(u64, &str)> {
    let rest = text.strip_prefix("{\"violations\" : ")?;
    let (count, rest) = rest.split_once(", \"answer\" : ")?;
    Some((count.parse().ok()?, rest.strip_suffix('}')?))
}

/// One row of a nested insert: the rows it depends on, itself (its key columns filled
/// from them or from `parent`), then the rows depending on it. Its row (None when
/// `on_conflict` did nothing) and how many rows were written in all.
fn run_row(insert: RowInsert, parent: Option<&Value>, path: &[PathSegment]) -> Result<(Option<Value>, usize), GraphqlError> {
    let mut count = 0;
    let mut before = Vec::with_capacity(insert.before.len());
    for dependency in insert.before {
        let (row, written) = run_row(dependency, None, path)?;
        // Hasura's rule: a related row that `on_conflict` did not write leaves no key.
        let Some(row) = row else { return Err(zero_rows(path)) };
        before.push(row);
        count += written;
    }
    let mut statement = insert.statement;
    for fill in &insert.fills {
        let source = match fill.from {
            Source::Before(i) => before.get(i),
            Source::Parent => parent,
        };
        let value = source.and_then(|row| row.get(&fill.column)).filter(|v| !v.is_null());
        if let Some(slot) = statement.params.get_mut(fill.param) {
            *slot = value.map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
    }
    let row = rows_of(execute(&statement, path)?).into_iter().next();
    count += usize::from(row.is_some());
    if !insert.after.is_empty() {
        let Some(parent) = &row else { return Err(zero_rows(path)) };
        for dependent in insert.after {
            count += run_row(dependent, Some(parent), path)?.1;
        }
    }
    Ok((row, count))
}

/// A nested insert whose row `on_conflict` did not write, with rows depending on it.
fn zero_rows(path: &[PathSegment]) -> GraphqlError {
    GraphqlError::new(code::VALIDATION_FAILED, "cannot proceed to insert the related rows: an insert affected zero rows (on_conflict)").at(path)
}

/// Why tables cannot be written now, if they cannot: a hot standby, or a read-only
/// transaction (Postgres' own error would name the statement, not the reason).
pub fn read_only_reason() -> Option<&'static str> {
    // SAFETY: read on the backend thread inside a transaction: what
    // pg_is_in_recovery() and the transaction_read_only setting read.
    let (in_recovery, read_only) = unsafe { (pgrx::pg_sys::RecoveryInProgress(), pgrx::pg_sys::XactReadOnly) };
    if in_recovery {
        Some("cannot write to tables on a hot standby (run mutations on the primary)")
    } else if read_only {
        Some("cannot write to tables in a read-only transaction")
    } else {
        None
    }
}
