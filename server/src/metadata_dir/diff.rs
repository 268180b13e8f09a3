//! What `metadata apply` would change: the objects of the directory's document against
//! the database's, one line each (`+` added, `-` removed, `~` changed and which keys).

use serde_json::{Map, Value};

/// The changes from `current` to `wanted`, in a stable order; empty when they agree.
pub fn changes(current: &Value, wanted: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let sources_now = by_name(current.get("sources"), |s| text(s.get("name")));
    let sources_then = by_name(wanted.get("sources"), |s| text(s.get("name")));
    compare("source", &sources_now, &sources_then, &["tables", "functions"], &mut out);
    for (name, then) in &sources_then {
        let now = sources_now.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
        for (part, key) in [("tables", "table"), ("functions", "function")] {
            let qualified = |entry: &Value| format!("{name}.{}", qualified(entry.get(key)));
            let before = by_name(now.and_then(|s| s.get(part)), qualified);
            let after = by_name(then.get(part), qualified);
            compare(key, &before, &after, &[], &mut out);
        }
    }
    for (kind, label) in [("remote_schemas", "remote schema"), ("actions", "action")] {
        compare(label, &by_name(current.get(kind), |e| text(e.get("name"))), &by_name(wanted.get(kind), |e| text(e.get("name"))), &[], &mut out);
    }
    for kind in ["enums", "input_objects", "objects", "scalars"] {
        let of = |doc: &Value| doc.get("custom_types").and_then(|t| t.get(kind)).cloned();
        let (now, then) = (of(current), of(wanted));
        let label = format!("custom type ({kind})");
        compare(&label, &by_name(now.as_ref(), |e| text(e.get("name"))), &by_name(then.as_ref(), |e| text(e.get("name"))), &[], &mut out);
    }
    let empty = Map::new();
    let keys_now = current.as_object().unwrap_or(&empty);
    let keys_then = wanted.as_object().unwrap_or(&empty);
    let mut others: Vec<&String> = keys_now.keys().chain(keys_then.keys()).collect();
    others.sort();
    others.dedup();
    for key in others {
        if matches!(key.as_str(), "version" | "sources" | "remote_schemas" | "actions" | "custom_types") {
            continue;
        }
        if !same(keys_now.get(key), keys_then.get(key)) {
            out.push(format!("~ {key}"));
        }
    }
    out
}

fn compare(label: &str, before: &[(String, &Value)], after: &[(String, &Value)], skip: &[&str], out: &mut Vec<String>) {
    for (name, then) in after {
        match before.iter().find(|(n, _)| n == name) {
            None => out.push(format!("+ {label} {name}")),
            Some((_, now)) => {
                let changed = changed_keys(now, then, skip);
                if !changed.is_empty() {
                    out.push(format!("~ {label} {name}: {}", changed.join(", ")));
                }
            }
        }
    }
    for (name, _) in before {
        if !after.iter().any(|(n, _)| n == name) {
            out.push(format!("- {label} {name}"));
        }
    }
}

fn changed_keys(now: &Value, then: &Value, skip: &[&str]) -> Vec<String> {
    let empty = Map::new();
    let (a, b) = (now.as_object().unwrap_or(&empty), then.as_object().unwrap_or(&empty));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).filter(|k| !skip.contains(&k.as_str())).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().filter(|k| !same(a.get(*k), b.get(*k))).map(|k| k.to_string()).collect()
}

/// Equal, counting an absent key and nothing (`layout::is_nothing`) as the same.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let nothing = |v: Option<&Value>| v.is_none_or(super::layout::is_nothing);
    (nothing(a) && nothing(b)) || a == b
}

fn by_name(list: Option<&Value>, name: impl Fn(&Value) -> String) -> Vec<(String, &Value)> {
    list.and_then(Value::as_array).into_iter().flatten().map(|e| (name(e), e)).collect()
}

fn text(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_string()
}

fn qualified(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(name)) => format!("public.{name}"),
        Some(other) => format!("{}.{}", text(other.get("schema")), text(other.get("name"))),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_added_removed_and_changed_objects() {
        let now = json!({"version": 3, "sources": [{"name": "default", "tables": [
            {"table": {"schema": "public", "name": "a"}},
            {"table": {"schema": "public", "name": "b"}, "select_permissions": [{"role": "r"}]}]}],
            "remote_schemas": [{"name": "old"}]});
        let then = json!({"version": 3, "sources": [{"name": "default", "tables": [
            {"table": {"schema": "public", "name": "b"}},
            {"table": {"schema": "public", "name": "c"}, "array_relationships": []}]}],
            "remote_schemas": [], "allowlist": [{"collection": "x"}]});
        assert_eq!(changes(&now, &then), vec![
            "~ table default.public.b: select_permissions",
            "+ table default.public.c",
            "- table default.public.a",
            "- remote schema old",
            "~ allowlist",
        ]);
        assert!(changes(&now, &now).is_empty());
    }
}
