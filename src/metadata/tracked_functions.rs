//! Handlers for tracked functions: `pg_track_function` (and the older `track_function`,
//! whose args are the function's name) and `pg_untrack_function`, stored under the
//! source as Hasura exports them (`functions: [{function, configuration}]`).

use serde_json::{json, Value};

use super::document::{array_entry, Metadata, QualifiedTable, DEFAULT_SOURCE};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::{model, tracked_function};

/// The tracked functions of the default source (the source made when missing: only
/// `track` adds to the list).
fn functions_mut(metadata: &mut Metadata) -> &mut Vec<Value> {
    if metadata.source(DEFAULT_SOURCE).is_none() {
        metadata.sources.push(super::document::Source::default_source());
    }
    let index = metadata.sources.iter().position(|s| s.name == DEFAULT_SOURCE).unwrap_or_default();
    array_entry(&mut metadata.sources[index].rest, "functions")
}

/// Keeps the tracked functions `keep` accepts; whether any went.
fn retain_functions(metadata: &mut Metadata, keep: impl Fn(&Value) -> bool) -> bool {
    let Some(Value::Array(list)) = metadata.source_mut(DEFAULT_SOURCE).and_then(|s| s.rest.get_mut("functions")) else {
        return false;
    };
    let before = list.len();
    list.retain(|f| keep(f));
    let removed = list.len() != before;
    tidy(metadata);
    removed
}

fn tidy(metadata: &mut Metadata) {
    if let Some(source) = metadata.source_mut(DEFAULT_SOURCE) {
        if source.rest.get("functions").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            source.rest.remove("functions");
        }
    }
}

/// The entry the body describes: `{function, configuration, comment}`, or (the older
/// form) the function's name alone.
fn entry_of(args: &Value, call: &str) -> Result<(QualifiedTable, Value), MetadataError> {
    let body = if args.get("function").is_some() { args.clone() } else { json!({"function": args}) };
    match body.get("source").and_then(Value::as_str) {
        None | Some(DEFAULT_SOURCE) => {}
        Some(other) => meta_bail!("{call}: functions of source \"{other}\" cannot be tracked; only this database's"),
    }
    let name = tracked_function::function_name(&body).map_err(|e| MetadataError::new(format!("{call}: {e}")))?;
    let mut entry = json!({"function": body["function"]});
    for key in ["configuration", "comment"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            entry[key] = v.clone();
        }
    }
    Ok((name, entry))
}

fn same_function(entry: &Value, name: &QualifiedTable) -> bool {
    tracked_function::function_name(entry).as_ref() == Ok(name)
}

pub fn track(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_track_function";
    let (name, entry) = entry_of(args, call)?;
    let what = format!("{call}: the function \"{name}\" cannot be tracked");
    if metadata.tracked_functions().iter().any(|f| same_function(f, &name)) {
        meta_bail!("{call}: function \"{name}\" is already tracked");
    }
    let resolved = tracked_function::resolve(&entry).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let mut next = metadata.clone();
    functions_mut(&mut next).push(entry);
    // It must become a root field: its rows' table exposed, its names free.
    let built = model::build(&crate::settings::exposed_schemas(), &next);
    if !built.tables.iter().any(|t| t.qualified() == resolved.table) {
        meta_bail!("{what}: the table \"{}\" it returns is not exposed", resolved.table);
    }
    let index = built.functions.iter().position(|f| f.call.function == name);
    let roots = if resolved.is_mutation { &built.mutation_roots } else { &built.roots };
    let placed = |field: &str| {
        roots.get(field).is_some_and(|r| {
            Some(r.table) == index && matches!(r.kind, model::RootKind::Function | model::RootKind::FunctionAggregate)
        })
    };
    if !placed(&resolved.field) || (resolved.set && !resolved.is_mutation && !placed(&resolved.aggregate)) {
        meta_bail!(
            "{what}: the root field \"{}\" (or \"{}\") is already taken; set configuration.custom_name or custom_root_fields",
            resolved.field,
            resolved.aggregate
        );
    }
    super::composes(&next).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    *metadata = next;
    Ok(())
}

pub fn untrack(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_untrack_function";
    let (name, _) = entry_of(args, call)?;
    if !retain_functions(metadata, |f| !same_function(f, &name)) {
        meta_bail!("{call}: function \"{name}\" is not tracked");
    }
    Ok(())
}

/// Tracked functions that no longer resolve, in Hasura's `inconsistent_objects` shape.
pub fn inconsistencies(metadata: &Metadata) -> Vec<Value> {
    metadata
        .tracked_functions()
        .iter()
        .filter_map(|entry| {
            let reason = tracked_function::resolve(entry).err()?;
            let name = tracked_function::function_name(entry).map(|n| n.to_string()).unwrap_or_default();
            Some(json!({"type": "function", "name": format!("function {name}"), "reason": reason,
                        "definition": entry}))
        })
        .collect()
}

/// Removes what `inconsistencies` reports; returns whether anything was removed.
pub fn drop_inconsistent(metadata: &mut Metadata) -> bool {
    retain_functions(metadata, |entry| tracked_function::resolve(entry).is_ok())
}
