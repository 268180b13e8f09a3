//! U+0000, which no PostgreSQL text or jsonb can hold: finding it in a JSON value
//! (metadata bodies refuse it by name; remote answers holding it are errors).

use serde_json::Value;

/// The path of an object's field, for naming where a bad string sits.
fn key_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path (`args.table.name`, `args[0].name`) of the first string, object key
/// included, that holds a NUL character; `Some("")` when `value` itself is one.
/// Iterative, so a deeply nested body cannot exhaust the stack.
pub fn nul_path(value: &Value) -> Option<String> {
    let mut pending = vec![(value, String::new())];
    while let Some((value, path)) = pending.pop() {
        match value {
            Value::String(s) if s.contains('\0') => return Some(path),
            Value::Array(items) => {
                pending.extend(items.iter().enumerate().rev().map(|(i, v)| (v, format!("{path}[{i}]"))));
            }
            Value::Object(fields) => {
                // The key is shown with its NUL escaped, so the message stays whole.
                let key_text = |k: &str| k.replace('\0', "\\u0000");
                if let Some(key) = fields.keys().find(|k| k.contains('\0')) {
                    return Some(key_path(&path, &key_text(key)));
                }
                let children: Vec<_> = fields.iter().map(|(k, v)| (v, key_path(&path, k))).collect();
                pending.extend(children.into_iter().rev());
            }
            _ => {}
        }
    }
    None
}
