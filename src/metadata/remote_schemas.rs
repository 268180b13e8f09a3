//! Handlers for remote schemas: add, update, remove, reload and introspect. The
//! remote is introspected here, never by `resolve`; the result and the header
//! secrets are stored in their own catalog tables.

use serde_json::{json, Value};

use super::document::{Metadata, RemoteSchema};
use super::store;
use crate::error::MetadataError;
use crate::http;
use crate::meta_bail;
use crate::schema::{compose, model, names::is_graphql_name, remote::INTROSPECTION_QUERY};
use crate::spi;
use super::connection::{connection_with, stored_secrets, Connection};

/// Introspection answers larger than this are refused.
const MAX_INTROSPECTION_BYTES: usize = 64 * 1024 * 1024;

fn parse(args: &Value, call: &str) -> Result<RemoteSchema, MetadataError> {
    let remote: RemoteSchema = serde_json::from_value(args.clone()).map_err(|e| {
        let name = args.get("name").and_then(Value::as_str).unwrap_or("?");
        MetadataError::new(format!("{call}: remote schema \"{name}\": {e}"))
    })?;
    let what = format!("{call}: remote schema \"{}\"", remote.name);
    if remote.name.trim().is_empty() {
        meta_bail!("{call}: a remote schema needs a non-empty \"name\"");
    }
    let definition = &remote.definition;
    match (&definition.url, &definition.url_from_env) {
        (Some(_), None) | (None, Some(_)) => {}
        _ => meta_bail!("{what}: exactly one of \"url\" and \"url_from_env\" is required"),
    }
    for header in &definition.headers {
        if header.value.is_some() == header.value_from_env.is_some() {
            meta_bail!("{what}: header \"{}\" needs exactly one of \"value\" and \"value_from_env\"", header.name);
        }
    }
    if let Some(c) = &definition.customization {
        if let Some(field_names) = &c.field_names {
            check_field_names(field_names).map_err(|e| MetadataError::new(format!("{what}: customization.field_names: {e}")))?;
        }
        if let Some(ns) = &c.root_fields_namespace {
            if !is_graphql_name(ns) {
                meta_bail!("{what}: root_fields_namespace \"{ns}\" is not a valid GraphQL name");
            }
        }
        if let Some(t) = &c.type_names {
            for part in [&t.prefix, &t.suffix].into_iter().flatten() {
                if !is_name_part(part) {
                    meta_bail!("{what}: type name prefix/suffix \"{part}\" may hold only letters, digits and _");
                }
            }
        }
    }
    Ok(remote)
}

/// A prefix or suffix of names: letters, digits and `_` (what the whole name then is,
/// is checked where it is made).
fn is_name_part(part: &str) -> bool {
    part.chars().all(|ch| ch == '_' || ch.is_ascii_alphanumeric())
}

/// `[{parent_type, prefix, suffix, mapping}]`: names that make GraphQL names.
fn check_field_names(value: &Value) -> Result<(), String> {
    let entries = value.as_array().ok_or("must be a list of {parent_type, prefix, suffix, mapping}")?;
    for entry in entries {
        let object = entry.as_object().ok_or("each entry must be an object {parent_type, prefix, suffix, mapping}")?;
        for key in object.keys() {
            if !matches!(key.as_str(), "parent_type" | "prefix" | "suffix" | "mapping") {
                return Err(format!("unknown key \"{key}\" (expected parent_type, prefix, suffix, mapping)"));
            }
        }
        let parent = object.get("parent_type").and_then(Value::as_str).ok_or("each entry needs a \"parent_type\" string")?;
        for part in ["prefix", "suffix"] {
            match object.get(part) {
                None | Some(Value::Null) => {}
                Some(Value::String(p)) if is_name_part(p) => {}
                Some(_) => return Err(format!("the {part} of parent_type \"{parent}\" may hold only letters, digits and _")),
            }
        }
        let mapping = match object.get("mapping") {
            None | Some(Value::Null) => continue,
            Some(Value::Object(m)) => m,
            Some(_) => return Err(format!("the mapping of parent_type \"{parent}\" must be an object {{field: new name}}")),
        };
        for (field, new_name) in mapping {
            if field.starts_with("__") {
                return Err(format!("attempt to customize reserved field name \"{field}\""));
            }
            if !new_name.as_str().is_some_and(is_graphql_name) {
                return Err(format!("field \"{field}\" of \"{parent}\" must map to a valid GraphQL name"));
            }
        }
    }
    Ok(())
}

/// Introspects the remote; the error says what went wrong.
fn introspect_remote(connection: &Connection) -> Result<Value, String> {
    let request = http::Request {
        url: connection.url.clone(),
        headers: connection.headers.clone(),
        body: json!({"query": INTROSPECTION_QUERY, "operationName": "IntrospectionQuery"}),
        timeout: connection.timeout,
        max_bytes: MAX_INTROSPECTION_BYTES,
        keys: None,
        text_answer: false,
    };
    let response = http::send_one(request).map_err(|f| f.to_string())?;
    if let Some(errors) = response.get("errors").filter(|e| e.as_array().is_some_and(|a| !a.is_empty())) {
        return Err(format!("the remote answered errors: {errors}"));
    }
    match response.get("data").and_then(|d| d.get("__schema")) {
        Some(schema) if schema.is_object() => Ok(json!({"__schema": schema})),
        _ => Err("the remote's answer has no data.__schema".into()),
    }
}

/// Splits header values off the definition: (definition to store, secrets by position).
fn split_secrets(remote: &RemoteSchema) -> (RemoteSchema, Vec<(usize, String)>) {
    let mut stored = remote.clone();
    let mut secrets = Vec::new();
    for (position, header) in stored.definition.headers.iter_mut().enumerate() {
        if let Some(value) = header.value.take() {
            secrets.push((position, value));
        }
    }
    (stored, secrets)
}

fn write_catalog(name: &str, introspection: &Value, secrets: &[(usize, String)]) {
    let name = name.to_string();
    let introspection = introspection.to_string();
    let secrets = secrets.to_vec();
    // The caller passed ensure_may_change; the catalog rows are written as their owner
    // so a role delegated to change metadata needs no rights on these tables.
    spi::as_owner_of("graphql.metadata_document", move || {
        spi::run(
            "insert into graphql.remote_schema_introspection (remote_schema, introspection) values ($1, $2::jsonb)
             on conflict (remote_schema) do update set introspection = excluded.introspection, fetched_at = now()",
            &[Some(name.clone()), Some(introspection)],
        );
        spi::run("delete from graphql.remote_schema_header where remote_schema = $1", &[Some(name.clone())]);
        for (position, value) in &secrets {
            spi::run(
                "insert into graphql.remote_schema_header (remote_schema, position, name, value)
                 values ($1, $2::int, '', $3)",
                &[Some(name.clone()), Some(position.to_string()), Some(value.clone())],
            );
        }
    });
}

fn delete_catalog(name: &str) {
    let name = name.to_string();
    spi::as_owner_of("graphql.metadata_document", move || {
        spi::run("delete from graphql.remote_schema_introspection where remote_schema = $1", &[Some(name.clone())]);
        spi::run("delete from graphql.remote_schema_header where remote_schema = $1", &[Some(name)]);
    });
}

/// Introspects `remote` (with the given secrets), checks it composes, stores it.
fn install(metadata: &mut Metadata, remote: RemoteSchema, call: &str) -> Result<(), MetadataError> {
    let what = format!("{call}: remote schema \"{}\"", remote.name);
    let (stored, secrets) = split_secrets(&remote);
    let secrets = if secrets.is_empty() && stored.definition.headers.iter().any(|h| h.value_from_env.is_none()) {
        stored_secrets(&remote.name)
    } else {
        secrets
    };
    let connection = connection_with(&stored, &secrets).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let introspection = introspect_remote(&connection)
        .map_err(|e| MetadataError::new(format!("{what}: introspection of {} failed: {e}", connection.url)))?;
    let mut tables = model::build(&crate::settings::exposed_schemas(), metadata);
    compose::check_candidate(&mut tables, metadata, &stored, &introspection)
        .map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    write_catalog(&stored.name, &introspection, &secrets);
    match metadata.remote_schemas.iter_mut().find(|r| r.name == stored.name) {
        Some(existing) => *existing = stored,
        None => metadata.remote_schemas.push(stored),
    }
    Ok(())
}

pub fn add(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    store::ensure_may_change()?;
    let remote = parse(args, "add_remote_schema")?;
    if metadata.remote_schemas.iter().any(|r| r.name == remote.name) {
        meta_bail!("add_remote_schema: remote schema \"{}\" already exists", remote.name);
    }
    install(metadata, remote, "add_remote_schema")
}

pub fn update(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    store::ensure_may_change()?;
    let mut remote = parse(args, "update_remote_schema")?;
    let Some(existing) = metadata.remote_schemas.iter().find(|r| r.name == remote.name) else {
        meta_bail!("update_remote_schema: remote schema \"{}\" does not exist", remote.name);
    };
    // The body defines the connection; the type relationships stay unless it gives some.
    if let Some(relationships) = existing.rest.get("remote_relationships") {
        remote.rest.entry("remote_relationships").or_insert_with(|| relationships.clone());
    }
    install(metadata, remote, "update_remote_schema")
}

pub fn remove(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    store::ensure_may_change()?;
    let name = super::string_arg(args, "name", "remove_remote_schema")?;
    let dependents = super::dependents::find(metadata, &super::dependents::Dropped::RemoteSchema(&name));
    if !dependents.is_empty() {
        meta_bail!("remove_remote_schema: remote schema \"{name}\": {}", super::dependents::refusal(&dependents));
    }
    let before = metadata.remote_schemas.len();
    metadata.remote_schemas.retain(|r| r.name != name);
    if metadata.remote_schemas.len() == before {
        meta_bail!("remove_remote_schema: remote schema \"{name}\" does not exist");
    }
    delete_catalog(&name);
    Ok(())
}

pub fn reload(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    store::ensure_may_change()?;
    let name = super::string_arg(args, "name", "reload_remote_schema")?;
    let Some(remote) = metadata.remote_schemas.iter().find(|r| r.name == name).cloned() else {
        meta_bail!("reload_remote_schema: remote schema \"{name}\" does not exist");
    };
    install(metadata, remote, "reload_remote_schema")
}

/// `introspect_remote_schema`: the stored introspection, as `{"data": {"__schema": …}}`.
pub fn introspect(metadata: &Metadata, args: &Value) -> Result<Value, MetadataError> {
    let name = super::string_arg(args, "name", "introspect_remote_schema")?;
    if !metadata.remote_schemas.iter().any(|r| r.name == name) {
        meta_bail!("introspect_remote_schema: remote schema \"{name}\" does not exist");
    }
    let stored = compose::stored_introspections();
    match stored.get(&name) {
        Some(i) => Ok(json!({"data": i})),
        None => meta_bail!("introspect_remote_schema: remote schema \"{name}\" has no stored introspection; reload it"),
    }
}

/// Drops every remote schema's catalog rows (clear_metadata, replace_metadata).
pub fn delete_all(metadata: &Metadata) {
    for remote in &metadata.remote_schemas {
        delete_catalog(&remote.name);
    }
}

/// Installs every remote schema of a replacing document; failures are returned as
/// (name, reason) so replace_metadata can refuse or accept them.
pub fn install_all(metadata: &mut Metadata) -> Vec<(String, String)> {
    let remotes = std::mem::take(&mut metadata.remote_schemas);
    let mut failures = Vec::new();
    for remote in remotes {
        let name = remote.name.clone();
        let kept = remote.clone();
        if let Err(e) = install(metadata, remote, "replace_metadata") {
            failures.push((name, e.message));
            // Kept (without catalog rows) so an allowed inconsistency is still exported.
            let (stored, _) = split_secrets(&kept);
            metadata.remote_schemas.push(stored);
        }
    }
    failures
}

/// Header values for export_metadata, when the caller may read the secrets.
pub fn with_secrets(mut document: Value) -> Value {
    let readable = spi::catalog_json(
        "select to_jsonb(pg_catalog.has_table_privilege('graphql.remote_schema_header', 'SELECT'))",
        &[],
    ) == Value::Bool(true);
    if !readable {
        return document;
    }
    if let Some(remotes) = document.get_mut("remote_schemas").and_then(Value::as_array_mut) {
        for remote in remotes {
            let name = remote.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let secrets = stored_secrets(&name);
            if let Some(headers) = remote.pointer_mut("/definition/headers").and_then(Value::as_array_mut) {
                for (position, header) in headers.iter_mut().enumerate() {
                    if let Some((_, value)) = secrets.iter().find(|(p, _)| *p == position) {
                        header["value"] = Value::String(value.clone());
                    }
                }
            }
        }
    }
    document
}
