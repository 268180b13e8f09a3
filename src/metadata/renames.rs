//! Renames follow the catalog, as Hasura rewrites its metadata after `ALTER TABLE …
//! RENAME`: before an ALTER of a relation (`ddl_command_start`) the tables the document
//! names are noted with their oid and their columns by number; after it
//! (`ddl_command_end`) a table or column whose name changed is renamed in the document,
//! in the same transaction. Names are rewritten wherever the document holds them:
//! tracked entries, relationships (both ends), remote relationships (lhs fields, their
//! `$column` templates, `to_source` targets and mappings) and column customisations.

use serde_json::{json, Value};
use std::cell::RefCell;

use super::document::{Metadata, QualifiedTable, DEFAULT_SOURCE};
use super::store;
use crate::spi;

/// A relation as noted before the ALTER: its oid, name and (attnum, column name)s.
#[derive(Debug, Clone, serde::Deserialize)]
struct Noted {
    oid: i64,
    schema: String,
    name: String,
    columns: Vec<(i64, String)>,
}

thread_local! {
    /// What `note` saw; taken by `follow`. Event triggers run in the backend that runs
    /// the DDL, so a backend-local value is enough; a failed ALTER leaves it for the
    /// next `note` to replace.
    static NOTED: RefCell<Option<Vec<Noted>>> = const { RefCell::new(None) };
}

/// The relation rows (oid, name, columns) of these tables, as the catalog has them now.
fn relations(filter: &str, param: String) -> Vec<Noted> {
    let query = format!(
        "select coalesce(jsonb_agg(jsonb_build_object('oid', c.oid::bigint, 'schema', n.nspname, 'name', c.relname,
                 'columns', (select coalesce(jsonb_agg(jsonb_build_array(a.attnum, a.attname) order by a.attnum), '[]')
                               from pg_catalog.pg_attribute a
                              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped))), '[]')
           from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where {filter}"
    );
    let value = spi::catalog_json(&query, &[Some(param)]);
    serde_json::from_value(value).unwrap_or_default()
}

/// Every table of this database the document names: tracked, untracked, or the target
/// of a relationship.
fn named_tables(document: &Value) -> Vec<QualifiedTable> {
    let mut out = Vec::new();
    walk_tables(document, &mut |table| {
        if !out.contains(table) {
            out.push(table.clone());
        }
    });
    out
}

/// ddl_command_start of an ALTER on a relation or a schema.
pub fn note() {
    // An unreadable document: `follow` has nothing to compare, and says so.
    let Ok(metadata) = store::load() else {
        NOTED.with(|n| *n.borrow_mut() = None);
        return;
    };
    let tables = named_tables(&metadata.to_value());
    let noted = if tables.is_empty() {
        Vec::new()
    } else {
        let pairs: Vec<Value> = tables.iter().map(|t| json!({"schema": t.schema, "name": t.name})).collect();
        relations(
            "(n.nspname, c.relname) in (select x.schema, x.name from pg_catalog.jsonb_to_recordset($1::jsonb) as x(schema text, name text))",
            Value::Array(pairs).to_string(),
        )
    };
    NOTED.with(|n| *n.borrow_mut() = Some(noted));
}

/// ddl_command_end of an ALTER on a relation: renames what changed name.
pub fn follow() {
    let Some(noted) = NOTED.with(|n| n.borrow_mut().take()) else { return };
    if noted.is_empty() {
        return;
    }
    let oids: Vec<String> = noted.iter().map(|n| n.oid.to_string()).collect();
    let now = relations("c.oid = any($1::oid[])", format!("{{{}}}", oids.join(",")));
    let mut table_renames = Vec::new();
    let mut column_renames = Vec::new();
    for before in &noted {
        let Some(after) = now.iter().find(|a| a.oid == before.oid) else { continue };
        let table = QualifiedTable { schema: after.schema.clone(), name: after.name.clone() };
        if (before.schema.as_str(), before.name.as_str()) != (after.schema.as_str(), after.name.as_str()) {
            table_renames.push((QualifiedTable { schema: before.schema.clone(), name: before.name.clone() }, table.clone()));
        }
        for (attnum, old) in &before.columns {
            if let Some((_, new)) = after.columns.iter().find(|(n, name)| n == attnum && name != old) {
                column_renames.push((table.clone(), old.clone(), new.clone()));
            }
        }
    }
    if table_renames.is_empty() && column_renames.is_empty() {
        return;
    }
    // A table whose schema changed name while the old schema is gone: the schema was
    // renamed, and the functions the document names in it moved with it.
    let mut schema_renames: Vec<(String, String)> = Vec::new();
    for (old, new) in &table_renames {
        let moved = (old.schema.clone(), new.schema.clone());
        if old.schema != new.schema && !schema_renames.contains(&moved) && !schema_exists(&old.schema) {
            schema_renames.push(moved);
        }
    }
    let metadata = match store::load() {
        Ok(metadata) => metadata,
        Err(e) => return pgrx::warning!("pg_federation: renames not followed in the metadata: {}", e.message),
    };
    let mut document = metadata.to_value();
    for (old, new) in &table_renames {
        rename_table(&mut document, old, new);
    }
    for (table, old, new) in &column_renames {
        rename_column(&mut document, table, old, new);
    }
    for (old, new) in &schema_renames {
        rename_function_schema(&mut document, old, new);
    }
    match Metadata::from_value(&document) {
        Ok(renamed) => store::save(&renamed),
        Err(e) => pgrx::warning!("pg_federation: renames not followed in the metadata: {e}"),
    }
}

fn schema_exists(name: &str) -> bool {
    spi::catalog_json(
        "select to_jsonb(exists(select from pg_catalog.pg_namespace where nspname = $1))",
        &[Some(name.to_string())],
    ) == Value::Bool(true)
}

/// Points the functions of computed fields and tracked functions that lived in schema
/// `old` at schema `new`.
fn rename_function_schema(document: &mut Value, old: &str, new: &str) {
    let Some(sources) = document.get_mut("sources").and_then(Value::as_array_mut) else { return };
    let rename = |name: &mut Value| {
        if let Some(function) = as_table(name).filter(|f| f.schema == old) {
            *name = json!({"schema": new, "name": function.name});
        }
    };
    for source in sources.iter_mut().filter(|s| s["name"].as_str() == Some(DEFAULT_SOURCE)) {
        for function in source.get_mut("functions").and_then(Value::as_array_mut).into_iter().flatten() {
            function.get_mut("function").map(rename);
        }
        for entry in source.get_mut("tables").and_then(Value::as_array_mut).into_iter().flatten() {
            for computed in entry.get_mut("computed_fields").and_then(Value::as_array_mut).into_iter().flatten() {
                computed.pointer_mut("/definition/function").map(rename);
            }
        }
    }
}

fn as_table(value: &Value) -> Option<QualifiedTable> {
    serde_json::from_value(value.clone()).ok()
}

fn is_default(source: Option<&Value>) -> bool {
    source.and_then(Value::as_str).unwrap_or(DEFAULT_SOURCE) == DEFAULT_SOURCE
}

/// Calls `f` on every place the document names a table of this database, mutably:
/// the default source's tracked and untracked tables, then the targets of relationships.
fn walk_tables_mut(document: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let Some(map) = document.as_object_mut() else { return };
    for (key, value) in map.iter_mut() {
        if key != "sources" {
            walk_targets(value, false, f);
            continue;
        }
        for source in value.as_array_mut().into_iter().flatten() {
            let in_default = source.get("name").and_then(Value::as_str) == Some(DEFAULT_SOURCE);
            if in_default {
                for entry in source.get_mut("tables").and_then(Value::as_array_mut).into_iter().flatten() {
                    if let Some(t) = entry.get_mut("table") {
                        f(t);
                    }
                }
                for t in source.get_mut("untracked_tables").and_then(Value::as_array_mut).into_iter().flatten() {
                    f(t);
                }
            }
            walk_targets(source, in_default, f);
        }
    }
}

/// The targets of relationships under `value`: `manual_configuration.remote_table`,
/// `foreign_key_constraint_on.table` and a permission's `_exists._table` (tables of the
/// same source, so only when that is the default one), a `to_source` table and a custom
/// type relationship's `remote_table` (which name their source).
fn walk_targets(value: &mut Value, in_default: bool, f: &mut dyn FnMut(&mut Value)) {
    match value {
        Value::Object(map) => {
            if in_default {
                if let Some(t) = map.get_mut("manual_configuration").and_then(|m| m.get_mut("remote_table")) {
                    f(t);
                }
                if let Some(t) = map.get_mut("foreign_key_constraint_on").and_then(|m| m.get_mut("table")) {
                    f(t);
                }
                // A permission's `_exists` over a table of the same source.
                if let Some(t) = map.get_mut("_exists").and_then(|m| m.get_mut("_table")) {
                    f(t);
                }
            }
            if let Some(to) = map.get_mut("to_source") {
                if is_default(to.get("source")) {
                    if let Some(t) = to.get_mut("table") {
                        f(t);
                    }
                }
            }
            if map.contains_key("remote_table") && map.contains_key("field_mapping") && is_default(map.get("source")) {
                if let Some(t) = map.get_mut("remote_table") {
                    f(t);
                }
            }
            for (key, child) in map.iter_mut() {
                if !matches!(key.as_str(), "manual_configuration" | "to_source" | "untracked_tables") {
                    walk_targets(child, in_default, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk_targets(v, in_default, f)),
        _ => {}
    }
}

fn walk_tables(value: &Value, f: &mut dyn FnMut(&QualifiedTable)) {
    let mut copy = value.clone();
    walk_tables_mut(&mut copy, &mut |t| {
        if let Some(table) = as_table(t) {
            f(&table);
        }
    });
}

fn rename_table(document: &mut Value, old: &QualifiedTable, new: &QualifiedTable) {
    walk_tables_mut(document, &mut |t| {
        if as_table(t).as_ref() == Some(old) {
            *t = json!({"schema": new.schema, "name": new.name});
        }
    });
}

fn rename_in_list(list: Option<&mut Value>, old: &str, new: &str) {
    if let Some(Value::Array(items)) = list {
        for item in items.iter_mut().filter(|i| i.as_str() == Some(old)) {
            *item = Value::String(new.to_string());
        }
    }
}

fn rename_key(map: Option<&mut Value>, old: &str, new: &str) {
    if let Some(Value::Object(m)) = map {
        if let Some(v) = m.remove(old) {
            m.insert(new.to_string(), v);
        }
    }
}

fn rename_values(map: Option<&mut Value>, old: &str, new: &str) {
    if let Some(Value::Object(m)) = map {
        for v in m.values_mut().filter(|v| v.as_str() == Some(old)) {
            *v = Value::String(new.to_string());
        }
    }
}

/// `$old` in a remote_field template names the lhs field `old`.
fn rename_template(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::String(s) if s.strip_prefix('$') == Some(old) => *s = format!("${new}"),
        Value::Array(items) => items.iter_mut().for_each(|v| rename_template(v, old, new)),
        Value::Object(m) => m.values_mut().for_each(|v| rename_template(v, old, new)),
        _ => {}
    }
}

/// A foreign_key_constraint_on naming columns: `"col"`, `{column}`, `{columns}`.
fn rename_fk_columns(fk: &mut Value, old: &str, new: &str) {
    match fk {
        Value::String(s) if s == old => *s = new.to_string(),
        Value::Object(m) => {
            if m.get("column").and_then(Value::as_str) == Some(old) {
                m.insert("column".into(), Value::String(new.to_string()));
            }
            rename_in_list(m.get_mut("columns"), old, new);
        }
        _ => {}
    }
}

fn rename_column(document: &mut Value, table: &QualifiedTable, old: &str, new: &str) {
    let Some(sources) = document.get_mut("sources").and_then(Value::as_array_mut) else { return };
    for source in sources.iter_mut().filter(|s| s["name"].as_str() == Some(DEFAULT_SOURCE)) {
        let Some(entries) = source.get_mut("tables").and_then(Value::as_array_mut) else { continue };
        for entry in entries.iter_mut() {
            let own = as_table(&entry["table"]).as_ref() == Some(table);
            if own {
                rename_key(entry.pointer_mut("/configuration/column_config"), old, new);
            }
            rename_in_permissions(entry, own, table, old, new);
            for kind in ["object_relationships", "array_relationships"] {
                let Some(list) = entry.get_mut(kind).and_then(Value::as_array_mut) else { continue };
                for relationship in list.iter_mut() {
                    let using = &mut relationship["using"];
                    let targets_table =
                        using.pointer("/manual_configuration/remote_table").and_then(as_table).as_ref() == Some(table);
                    if own {
                        rename_key(using.pointer_mut("/manual_configuration/column_mapping"), old, new);
                    }
                    if targets_table {
                        rename_values(using.pointer_mut("/manual_configuration/column_mapping"), old, new);
                    }
                    let fk_target = using.pointer("/foreign_key_constraint_on/table").and_then(as_table);
                    let fk_on_this = match &fk_target {
                        Some(target) => target == table,
                        None => own,
                    };
                    if fk_on_this {
                        if let Some(fk) = using.get_mut("foreign_key_constraint_on") {
                            rename_fk_columns(fk, old, new);
                        }
                    }
                }
            }
            let Some(list) = entry.get_mut("remote_relationships").and_then(Value::as_array_mut) else { continue };
            for relationship in list.iter_mut() {
                let definition = &mut relationship["definition"];
                if own {
                    rename_in_list(definition.pointer_mut("/to_remote_schema/lhs_fields"), old, new);
                    rename_in_list(definition.get_mut("hasura_fields"), old, new);
                    if let Some(template) = definition.pointer_mut("/to_remote_schema/remote_field") {
                        rename_template(template, old, new);
                    }
                    if let Some(template) = definition.get_mut("remote_field") {
                        rename_template(template, old, new);
                    }
                    rename_key(definition.pointer_mut("/to_source/field_mapping"), old, new);
                }
            }
        }
    }
    // Relationships into the table from anywhere: their field_mapping values.
    walk_to_source_mappings(document, table, &mut |mapping| rename_values(Some(mapping), old, new));
}

/// The permissions of a table entry after a column of `table` was renamed: their
/// `columns`, `set` and the columns their `filter`/`check` compare (when the entry is
/// `table`'s: `own`), and every `_exists` over `table` in them.
fn rename_in_permissions(entry: &mut Value, own: bool, table: &QualifiedTable, old: &str, new: &str) {
    for kind in crate::schema::permission::KINDS {
        let Some(Value::Array(list)) = entry.get_mut(format!("{kind}_permissions")) else { continue };
        for permission in list.iter_mut().filter_map(|p| p.get_mut("permission")) {
            if own {
                rename_in_list(permission.get_mut("columns"), old, new);
                rename_key(permission.get_mut("set"), old, new);
            }
            for key in ["filter", "check"] {
                let Some(exp) = permission.get_mut(key) else { continue };
                if own {
                    super::permissions::rename_own_key(exp, old, new);
                }
                rename_in_exists(exp, table, old, new);
            }
        }
    }
}

/// Every `_exists {_table: table, _where}` in `value`: its `_where` compares `table`'s
/// columns.
fn rename_in_exists(value: &mut Value, table: &QualifiedTable, old: &str, new: &str) {
    match value {
        Value::Object(map) => {
            if let Some(exists) = map.get_mut("_exists") {
                if exists.get("_table").and_then(as_table).as_ref() == Some(table) {
                    if let Some(exp) = exists.get_mut("_where") {
                        super::permissions::rename_own_key(exp, old, new);
                    }
                }
            }
            map.values_mut().for_each(|v| rename_in_exists(v, table, old, new));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_in_exists(v, table, old, new)),
        _ => {}
    }
}

/// Calls `f` on the field_mapping of every `to_source` (and custom type relationship)
/// that targets `table` in the default source.
fn walk_to_source_mappings(value: &mut Value, table: &QualifiedTable, f: &mut dyn FnMut(&mut Value)) {
    match value {
        Value::Object(map) => {
            let targets = |m: &serde_json::Map<String, Value>, key: &str| {
                is_default(m.get("source")) && m.get(key).and_then(as_table).as_ref() == Some(table)
            };
            if let Some(Value::Object(to)) = map.get_mut("to_source") {
                if targets(to, "table") {
                    if let Some(mapping) = to.get_mut("field_mapping") {
                        f(mapping);
                    }
                }
            }
            if map.contains_key("field_mapping") && targets(map, "remote_table") {
                if let Some(mapping) = map.get_mut("field_mapping") {
                    f(mapping);
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "to_source" {
                    walk_to_source_mappings(child, table, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk_to_source_mappings(v, table, f)),
        _ => {}
    }
}
