//! Joins to a table (remote -> table, action -> table, table -> source): ONE
//! statement per (relationship, level) over the deduplicated key set, run with the
//! caller's rights (privileges and row-level security hold), spliced back by key.

use serde_json::Value;
use std::collections::HashMap;

use super::{collect, splice_values};
use crate::error::{GraphqlError, PathSegment};
use crate::execute::sql_error;
use crate::metadata::document::RelKind;
use crate::plan::{self, Context, Join};
use crate::schema::join_field::JoinField;
use crate::spi;

/// Runs every table join of a level (the joins in their rows are planned below them).
pub fn run(joins: &[Join], tree: &mut Value, context: &Context, errors: &mut Vec<GraphqlError>) {
    for join in joins {
        let JoinField::Table(target) = &join.relationship else { continue };
        let keys = collect::collect(tree, &join.path);
        let mut answers = HashMap::new();
        if !keys.distinct.is_empty() {
            let first_parent = keys.distinct.values().next().map(|(_, p)| p.clone()).unwrap_or_default();
            let path = first_parent.field_path(join);
            let values: Vec<Vec<Value>> = keys.distinct.values().map(|(v, _)| v.clone()).collect();
            match fetch(context, target, join, &values, &path) {
                Ok(rows) => {
                    let empty = match target.kind {
                        RelKind::Object => Value::Null,
                        RelKind::Array => Value::Array(Vec::new()),
                    };
                    for (i, key_text) in keys.distinct.keys().enumerate() {
                        // `with ordinality` counts from 1.
                        let value = rows.get(&(i + 1).to_string()).cloned().unwrap_or_else(|| empty.clone());
                        answers.insert(key_text.clone(), value);
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        splice_values(tree, join, &answers);
    }
}

/// One statement for one join: rows by key index.
fn fetch(
    context: &Context,
    target: &crate::schema::join_field::TableJoin,
    join: &Join,
    keys: &[Vec<Value>],
    path: &[PathSegment],
) -> Result<serde_json::Map<String, Value>, GraphqlError> {
    let statement = plan::keyed_statement(&context.composed.model, context.session, target, &join.field, keys).map_err(|e| e.at(path))?;
    match spi::select_json(&statement.sql, &statement.params) {
        Ok(Some(Value::Object(rows))) => Ok(rows),
        Ok(_) => Ok(serde_json::Map::new()),
        Err(e) => Err(sql_error(e, path)),
    }
}
