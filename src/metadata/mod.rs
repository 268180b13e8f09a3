//! Metadata: the Hasura-shaped document (`document`), where it is stored (`store`),
//! and the metadata API that changes it (`api`, one handler module per area).

pub mod actions;
pub mod api;
mod computed_fields;
pub mod connection;
mod dependents;
pub mod document;
mod guard;
mod permissions;
pub mod remote_relationships;
pub mod remote_schema_relationships;
mod remote_schema_permissions;
pub mod remote_schemas;
pub mod renames;
pub mod sources;
pub mod store;
mod tables;
mod tracked_functions;

/// Whether `metadata` composes into a valid schema (as the current role sees the
/// tables): the check for a change no narrower check covers whole.
pub(crate) fn composes(metadata: &document::Metadata) -> Result<(), String> {
    use crate::schema::{compose, model};
    let mut tables = model::build(&crate::settings::exposed_schemas(), metadata);
    compose::compose(&mut tables, metadata, &compose::stored_introspections()).schema.map(|_| ())
}

/// A required string argument of a metadata call: `args.<key>`, or an error naming the call.
pub(crate) fn string_arg(args: &serde_json::Value, key: &str, call: &str) -> Result<String, crate::error::MetadataError> {
    match args.get(key).and_then(serde_json::Value::as_str) {
        Some(s) => Ok(s.to_string()),
        None => Err(crate::error::MetadataError::new(format!("{call}: \"args.{key}\" is required"))),
    }
}
