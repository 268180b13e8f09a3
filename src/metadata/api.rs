//! The metadata API: dispatch on Hasura's `type`. Every change is applied to an
//! in-memory copy of the document and written once at the end, so a rejected body
//! (an ERROR) leaves the stored metadata as it was, and `bulk` is all or nothing.

use serde_json::{json, Value};

use super::document::Metadata;
use super::{
    actions, computed_fields, guard, permissions, remote_relationships, remote_schema_permissions, remote_schema_relationships, remote_schemas, sources, store, tables,
    tracked_functions,
};
use crate::schema::compose::Owner;
use crate::error::MetadataError;
use crate::meta_bail;

/// What one call did to the working copy.
pub struct Outcome {
    pub response: Value,
    pub changed: bool,
}

fn success(changed: bool) -> Result<Outcome, MetadataError> {
    Ok(Outcome { response: json!({"message": "success"}), changed })
}

/// Entry point of `graphql.metadata(body)`.
pub fn handle(body: &Value) -> Result<Value, MetadataError> {
    // First, before any read: a write on a standby or in a read-only transaction
    // would otherwise fail deep inside with Postgres' raw error.
    guard::ensure_writable(body)?;
    let mut metadata = store::load()?;
    let outcome = apply(&mut metadata, body)?;
    if outcome.changed {
        store::ensure_may_change()?;
        store::save(&metadata);
    }
    Ok(outcome.response)
}

/// Applies one body (possibly a `bulk`) to the working copy.
pub fn apply(metadata: &mut Metadata, body: &Value) -> Result<Outcome, MetadataError> {
    // Before any name in the body reaches SQL, where a NUL would fail or cut it short.
    guard::refuse_nul(body)?;
    let obj = match body.as_object() {
        Some(o) => o,
        None => meta_bail!("metadata body must be an object {{\"type\": …, \"args\": …}}"),
    };
    let kind = match obj.get("type").and_then(Value::as_str) {
        Some(t) => t,
        None => meta_bail!("metadata body needs a \"type\" string"),
    };
    let null = Value::Null;
    let args = obj.get("args").unwrap_or(&null);
    match kind {
        "bulk" | "bulk_atomic" => bulk(metadata, args),
        "export_metadata" => Ok(Outcome { response: remote_schemas::with_secrets(metadata.to_value()), changed: false }),
        "replace_metadata" => replace(metadata, args),
        "clear_metadata" => {
            store::ensure_may_change()?;
            remote_schemas::delete_all(metadata);
            *metadata = Metadata::default();
            success(true)
        }
        "pg_create_remote_relationship" | "create_remote_relationship" => {
            remote_relationships::create(metadata, args, "pg_create_remote_relationship", false).and_then(|_| success(true))
        }
        "pg_update_remote_relationship" | "update_remote_relationship" => {
            remote_relationships::create(metadata, args, "pg_update_remote_relationship", true).and_then(|_| success(true))
        }
        "pg_delete_remote_relationship" | "delete_remote_relationship" => {
            remote_relationships::delete(metadata, args).and_then(|_| success(true))
        }
        "create_remote_schema_remote_relationship" => {
            remote_schema_relationships::create(metadata, args, "create_remote_schema_remote_relationship", false)
                .and_then(|_| success(true))
        }
        "update_remote_schema_remote_relationship" => {
            remote_schema_relationships::create(metadata, args, "update_remote_schema_remote_relationship", true)
                .and_then(|_| success(true))
        }
        "delete_remote_schema_remote_relationship" => {
            remote_schema_relationships::delete(metadata, args).and_then(|_| success(true))
        }
        "create_action" => actions::create(metadata, args, false).and_then(|_| success(true)),
        "update_action" => actions::create(metadata, args, true).and_then(|_| success(true)),
        "drop_action" => actions::drop(metadata, args).and_then(|_| success(true)),
        "create_action_permission" => actions::create_permission(metadata, args).and_then(|_| success(true)),
        "drop_action_permission" => actions::drop_permission(metadata, args).and_then(|_| success(true)),
        "set_custom_types" => actions::set_custom_types(metadata, args).and_then(|_| success(true)),
        "pg_add_source" | "add_source" => sources::add(metadata, args).and_then(|_| success(true)),
        "pg_drop_source" | "drop_source" => sources::drop(metadata, args).and_then(|_| success(true)),
        "add_remote_schema_permissions" => remote_schema_permissions::add(metadata, args).and_then(|_| success(true)),
        "drop_remote_schema_permissions" => remote_schema_permissions::drop(metadata, args).and_then(|_| success(true)),
        "add_remote_schema" => remote_schemas::add(metadata, args).and_then(|_| success(true)),
        "update_remote_schema" => remote_schemas::update(metadata, args).and_then(|_| success(true)),
        "remove_remote_schema" => remote_schemas::remove(metadata, args).and_then(|_| success(true)),
        "reload_remote_schema" => remote_schemas::reload(metadata, args).and_then(|_| success(true)),
        "introspect_remote_schema" => {
            Ok(Outcome { response: remote_schemas::introspect(metadata, args)?, changed: false })
        }
        "reload_metadata" => {
            // The schema is rebuilt from the catalog on the next resolve in every backend.
            store::ensure_may_change()?;
            store::bump_schema_version();
            let inconsistent = all_inconsistencies(metadata);
            Ok(Outcome {
                response: json!({"message": "success", "is_consistent": inconsistent.is_empty()}),
                changed: false,
            })
        }
        "get_inconsistent_metadata" => {
            let inconsistent = all_inconsistencies(metadata);
            Ok(Outcome {
                response: json!({"is_consistent": inconsistent.is_empty(),
                                 "inconsistent_objects": inconsistent}),
                changed: false,
            })
        }
        "drop_inconsistent_metadata" => {
            let left_out = composition_left_out(metadata);
            let mut changed = tables::drop_inconsistent(metadata);
            changed |= tracked_functions::drop_inconsistent(metadata);
            changed |= permissions::drop_inconsistent(metadata);
            changed |= remote_schema_permissions::drop_inconsistent(metadata);
            for left in left_out {
                match &left.owner {
                    Owner::RemoteSchema => {
                        remote_schemas::delete_all(&Metadata {
                            remote_schemas: metadata.remote_schemas.iter().filter(|r| r.name == left.name).cloned().collect(),
                            ..Metadata::default()
                        });
                        metadata.remote_schemas.retain(|r| r.name != left.name);
                    }
                    Owner::Table(table) => remote_relationships::remove(metadata, table, &left.name),
                    Owner::RemoteType { remote, type_name } => {
                        metadata.remove_remote_type_relationship(remote, type_name, &left.name)
                    }
                    Owner::Actions => actions::drop_inconsistent(metadata, &left.name),
                }
                changed = true;
            }
            success(changed)
        }
        "pg_track_function" | "track_function" => tracked_functions::track(metadata, args).and_then(|_| success(true)),
        "pg_untrack_function" | "untrack_function" => tracked_functions::untrack(metadata, args).and_then(|_| success(true)),
        "pg_add_computed_field" | "add_computed_field" => computed_fields::add(metadata, args).and_then(|_| success(true)),
        "pg_drop_computed_field" | "drop_computed_field" => computed_fields::drop(metadata, args).and_then(|_| success(true)),
        "pg_track_table" | "track_table" => tables::track(metadata, args).and_then(|_| success(true)),
        "pg_untrack_table" | "untrack_table" => tables::untrack(metadata, args).and_then(|_| success(true)),
        "pg_create_object_relationship" | "create_object_relationship" => {
            tables::create_relationship(metadata, args, super::document::RelKind::Object).and_then(|_| success(true))
        }
        "pg_create_array_relationship" | "create_array_relationship" => {
            tables::create_relationship(metadata, args, super::document::RelKind::Array).and_then(|_| success(true))
        }
        "pg_drop_relationship" | "drop_relationship" => {
            tables::drop_relationship(metadata, args).and_then(|_| success(true))
        }
        "pg_rename_relationship" | "rename_relationship" => {
            tables::rename_relationship(metadata, args).and_then(|_| success(true))
        }
        "pg_set_table_customization" | "set_table_customization" => {
            tables::set_customization(metadata, args).and_then(|_| success(true))
        }
        "pg_set_permission_comment" | "set_permission_comment" => {
            permissions::set_comment(metadata, args).and_then(|_| success(true))
        }
        other if permission_call(other, "create").is_some() => {
            let kind = permission_call(other, "create").unwrap_or_default();
            permissions::create(metadata, args, kind).and_then(|_| success(true))
        }
        other if permission_call(other, "drop").is_some() => {
            let kind = permission_call(other, "drop").unwrap_or_default();
            permissions::drop(metadata, args, kind).and_then(|_| success(true))
        }
        other => meta_bail!("metadata type \"{other}\" is not supported"),
    }
}

/// The permission kind of `pg_<verb>_<kind>_permission` (or without `pg_`).
fn permission_call(call: &str, verb: &str) -> Option<&'static str> {
    let rest = call.strip_prefix("pg_").unwrap_or(call).strip_prefix(verb)?.strip_prefix('_')?;
    crate::schema::permission::KINDS.into_iter().find(|kind| rest.strip_prefix(kind) == Some("_permission"))
}

/// Remote schemas and remote relationships that no longer compose.
fn composition_left_out(metadata: &Metadata) -> Vec<crate::schema::compose::LeftOut> {
    use crate::schema::{compose, model};
    let mut tables = model::build(&crate::settings::exposed_schemas(), metadata);
    compose::compose(&mut tables, metadata, &compose::stored_introspections()).left_out
}

/// Every inconsistent object, in Hasura's `inconsistent_objects` shape.
fn all_inconsistencies(metadata: &Metadata) -> Vec<Value> {
    let mut out = tables::inconsistencies(metadata);
    out.extend(tracked_functions::inconsistencies(metadata));
    out.extend(permissions::inconsistencies(metadata));
    out.extend(remote_schema_permissions::inconsistencies(metadata));
    out.extend(composition_left_out(metadata).iter().map(|l| l.to_json()));
    out
}

fn bulk(metadata: &mut Metadata, args: &Value) -> Result<Outcome, MetadataError> {
    let items = match args.as_array() {
        Some(items) => items,
        None => meta_bail!("bulk: \"args\" must be a list of metadata bodies"),
    };
    let mut responses = Vec::with_capacity(items.len());
    let mut changed = false;
    for (i, item) in items.iter().enumerate() {
        let outcome = apply(metadata, item)
            .map_err(|e| MetadataError::new(format!("bulk item {i}: {}", e.message)))?;
        changed |= outcome.changed;
        responses.push(outcome.response);
    }
    Ok(Outcome { response: Value::Array(responses), changed })
}

/// `replace_metadata`: the args are the document, or `{"metadata": document, …}`.
fn replace(metadata: &mut Metadata, args: &Value) -> Result<Outcome, MetadataError> {
    let document = match args.get("metadata") {
        Some(doc) if args.get("sources").is_none() => doc,
        _ => args,
    };
    let mut next = Metadata::from_value(document).map_err(|e| MetadataError::new(format!("replace_metadata: {e}")))?;
    if next.sources.is_empty() {
        next.sources.push(super::document::Source::default_source());
    }
    let allow_inconsistent = args.get("allow_inconsistent_metadata").and_then(Value::as_bool).unwrap_or(false);
    store::ensure_may_change()?;
    remote_schemas::delete_all(metadata);
    let remote_failures = remote_schemas::install_all(&mut next);
    let mut inconsistent = tables::inconsistencies(&next);
    inconsistent.extend(tracked_functions::inconsistencies(&next));
    inconsistent.extend(permissions::inconsistencies(&next));
    inconsistent.extend(remote_schema_permissions::inconsistencies(&next));
    for (name, reason) in remote_failures {
        inconsistent.push(json!({"type": "remote_schema", "name": format!("remote_schema {name}"),
                                 "reason": reason, "definition": {"name": name}}));
    }
    if !inconsistent.is_empty() && !allow_inconsistent {
        let reasons: Vec<String> = inconsistent
            .iter()
            .map(|o| format!("{}: {}", o["name"].as_str().unwrap_or("?"), o["reason"].as_str().unwrap_or("?")))
            .collect();
        meta_bail!("replace_metadata: inconsistent metadata: {}", reasons.join("; "));
    }
    *metadata = next;
    Ok(Outcome {
        response: json!({"message": "success", "is_consistent": inconsistent.is_empty(),
                         "inconsistent_objects": inconsistent}),
        changed: true,
    })
}
