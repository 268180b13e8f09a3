//! Bind parameters: every value reaches SQL as `$n::<column type>` with its text form.

use serde_json::Value;

use crate::schema::scalars::{ColumnType, ScalarKind};

#[derive(Default)]
pub struct Params {
    values: Vec<Option<String>>,
}

impl Params {
    /// Adds `text` and returns the placeholder with its cast, e.g. `$3::integer`.
    pub fn bind(&mut self, text: String, sql_type: &str) -> String {
        self.values.push(Some(text));
        format!("${}::{}", self.values.len(), sql_type)
    }

    /// Adds SQL NULL of `sql_type`.
    pub fn bind_null(&mut self, sql_type: &str) -> String {
        self.values.push(None);
        format!("${}::{}", self.values.len(), sql_type)
    }

    /// Appends parameters bound elsewhere, keeping their numbers.
    pub fn extend(&mut self, values: Vec<Option<String>>) {
        self.values.extend(values);
    }

    /// The index (from 0) the next parameter bound will have.
    pub fn next_index(&self) -> usize {
        self.values.len()
    }

    pub fn into_values(self) -> Vec<Option<String>> {
        self.values
    }
}

pub const NUL_MESSAGE: &str = "a string may not contain the NUL character (\\u0000): PostgreSQL cannot store it";

/// The Postgres text form of one scalar input value of a column of type `ty`.
pub fn scalar_text(value: &Value, ty: &ColumnType) -> Result<String, String> {
    let text = scalar_text_unchecked(value, ty)?;
    if text.contains('\0') {
        return Err(NUL_MESSAGE.into());
    }
    Ok(text)
}

fn scalar_text_unchecked(value: &Value, ty: &ColumnType) -> Result<String, String> {
    match (value, ty.kind) {
        (Value::Null, _) => Err("null is not allowed here".into()),
        // json and jsonb take any JSON value, as JSON text.
        (v, ScalarKind::Json) => Ok(v.to_string()),
        (Value::String(s), _) => Ok(s.clone()),
        (Value::Number(n), _) => Ok(n.to_string()),
        (Value::Bool(b), _) => Ok(b.to_string()),
        (Value::Array(_) | Value::Object(_), _) => Err(format!("expected a {} value, got {value}", ty.scalar)),
    }
}

/// A Postgres array literal (`{"a","b",NULL}`) of scalar input values.
pub fn array_text(values: &[Value], ty: &ColumnType) -> Result<String, String> {
    let mut out = String::from("{");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if value.is_null() {
            out.push_str("NULL");
            continue;
        }
        let text = scalar_text(value, ty)?;
        out.push('"');
        for ch in text.chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('"');
    }
    out.push('}');
    Ok(out)
}

/// A list argument: GraphQL input coercion lets a single value stand for a list.
pub fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}
