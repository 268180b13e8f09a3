//! Metadata: the Hasura-shaped document (`document`), where it is stored (`store`),
//! how its relationships resolve against the catalog (`resolve`), and the metadata
//! API that changes it (`api`, one handler module per area).

pub mod actions;
pub mod api;
pub mod document;
pub mod remote_relationships;
pub mod remote_schema_relationships;
pub mod remote_schemas;
pub mod resolve;
pub mod sources;
pub mod store;
mod tables;
