//! Where the metadata document lives: `graphql.metadata_document`, one row at most.

use serde_json::Value;

use super::document::Metadata;
use crate::error::MetadataError;
use crate::spi;

/// The stored document, or empty metadata when none was ever written.
pub fn load() -> Result<Metadata, MetadataError> {
    let value = spi::catalog_json(
        "select document from graphql.metadata_document where singleton",
        &[],
    );
    if value.is_null() {
        return Ok(Metadata::default());
    }
    Metadata::from_value(&value).map_err(|e| MetadataError::new(format!("stored metadata: {e}")))
}

/// Writes the document and bumps the schema version in the caller's transaction.
pub fn save(metadata: &Metadata) {
    let text = serde_json::to_string(&metadata.to_value()).unwrap_or_else(|_| "{}".into());
    // The table's statement trigger bumps graphql.schema_version.
    spi::run(
        "insert into graphql.metadata_document (singleton, document) values (true, $1::jsonb)
         on conflict (singleton) do update
           set document = excluded.document,
               resource_version = graphql.metadata_document.resource_version + 1",
        &[Some(text)],
    );
}

/// Invalidates every backend's schema cache once this transaction commits: an UPDATE
/// of no row still fires the document table's statement trigger.
pub fn bump_schema_version() {
    spi::run("update graphql.metadata_document set resource_version = resource_version where false", &[]);
}

/// Whether the current role may change metadata: Hasura's admin, which sees every
/// action (and, with permissions, every table and remote schema) whatever they say.
pub fn may_change() -> bool {
    spi::catalog_json(
        "select to_jsonb(pg_catalog.has_table_privilege('graphql.metadata_document', 'INSERT')
                     and pg_catalog.has_table_privilege('graphql.metadata_document', 'UPDATE'))",
        &[],
    ) == Value::Bool(true)
}

/// The current role may change metadata when it may INSERT and UPDATE the document
/// table: the extension owner and superusers, or a role a DBA granted both to.
pub fn ensure_may_change() -> Result<(), MetadataError> {
    if may_change() {
        Ok(())
    } else {
        Err(MetadataError::new(
            "permission denied to change pg_federation metadata: it needs INSERT and UPDATE on graphql.metadata_document",
        ))
    }
}
