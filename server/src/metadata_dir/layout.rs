//! Hasura's metadata directory (config v3), as the Hasura CLI writes it:
//!
//! ```text
//! metadata/
//!   version.yaml                          version: 3
//!   databases/databases.yaml              sources; tables: "!include default/tables/tables.yaml"
//!   databases/<db>/tables/tables.yaml     - "!include public_users.yaml"
//!   databases/<db>/tables/public_users.yaml
//!   databases/<db>/functions/functions.yaml (and <schema>_<name>.yaml)
//!   remote_schemas.yaml  actions.yaml  actions.graphql
//!   allow_list.yaml  cron_triggers.yaml  query_collections.yaml  …   (the rest, kept)
//! ```
//!
//! An include is relative to the file that names it.

/// Top-level files that hold one key of the document each (file, key).
pub const KEY_FILES: &[(&str, &str)] = &[
    ("remote_schemas.yaml", "remote_schemas"),
    ("allow_list.yaml", "allowlist"),
    ("api_limits.yaml", "api_limits"),
    ("backend_configs.yaml", "backend_configs"),
    ("cron_triggers.yaml", "cron_triggers"),
    ("graphql_schema_introspection.yaml", "graphql_schema_introspection"),
    ("inherited_roles.yaml", "inherited_roles"),
    ("metrics_config.yaml", "metrics_config"),
    ("network.yaml", "network"),
    ("opentelemetry.yaml", "opentelemetry"),
    ("query_collections.yaml", "query_collections"),
    ("rest_endpoints.yaml", "rest_endpoints"),
];

pub const VERSION_FILE: &str = "version.yaml";
pub const DATABASES_DIR: &str = "databases";
pub const DATABASES_FILE: &str = "databases/databases.yaml";
pub const ACTIONS_FILE: &str = "actions.yaml";
pub const ACTIONS_SDL_FILE: &str = "actions.graphql";

/// The file of a key no entry of `KEY_FILES` names: `<key>.yaml`.
pub fn file_of_key(key: &str) -> String {
    KEY_FILES.iter().find(|(_, k)| *k == key).map(|(f, _)| f.to_string()).unwrap_or_else(|| format!("{key}.yaml"))
}

/// The key a top-level `<stem>.yaml` holds.
pub fn key_of_file(file: &str) -> Option<String> {
    if matches!(file, VERSION_FILE | ACTIONS_FILE) {
        return None;
    }
    KEY_FILES
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, k)| k.to_string())
        .or_else(|| file.strip_suffix(".yaml").map(str::to_string))
}

/// The file of a table or function: `<schema>_<name>.yaml`; refused when a name would
/// leave the directory.
pub fn object_file(qualified: &serde_json::Value) -> Result<String, String> {
    let (schema, name) = match qualified {
        serde_json::Value::String(name) => ("public", name.as_str()),
        other => (
            other.get("schema").and_then(serde_json::Value::as_str).unwrap_or("public"),
            other.get("name").and_then(serde_json::Value::as_str).unwrap_or_default(),
        ),
    };
    if name.is_empty() || [schema, name].iter().any(|part| part.contains(['/', '\\', '\0']) || part.starts_with('.')) {
        return Err(format!("{schema}.{name}: this name cannot be a file name of the metadata directory"));
    }
    Ok(format!("{schema}_{name}.yaml"))
}

/// Nothing worth a key: null, `[]`, `{}`, or a map of nothing (`custom_types` with four
/// empty lists). Such a key and an absent one are the same document.
pub fn is_nothing(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.values().all(is_nothing),
        _ => false,
    }
}
