//! How to reach a stored remote schema: its URL (`{{ENV}}` templates and `url_from_env`
//! resolved), its headers (secret values read from `graphql.remote_schema_header` with
//! the catalog owner's rights) and its timeout. Used by `resolve` and by the metadata
//! API; it reads the catalog and the environment, nothing of the engine.

use std::time::Duration;

use super::document::RemoteSchema;
use crate::spi;

/// Used when `timeout_seconds` is not given.
const DEFAULT_TIMEOUT_SECONDS: u64 = 60;

/// Where and how to reach a remote: its URL, headers (secrets resolved) and timeout.
#[derive(Debug, Clone)]
pub struct Connection {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
}

/// Resolves the URL and headers; `secrets` are header values by position.
pub(super) fn connection_with(remote: &RemoteSchema, secrets: &[(usize, String)]) -> Result<Connection, String> {
    let definition = &remote.definition;
    let url = match (&definition.url, &definition.url_from_env) {
        (Some(url), _) => super::document::expand_env(url, "the url")?,
        (None, Some(var)) => std::env::var(var).map_err(|_| format!("environment variable \"{var}\" (url_from_env) is not set"))?,
        (None, None) => return Err("no url".into()),
    };
    let mut headers = Vec::new();
    for (position, header) in definition.headers.iter().enumerate() {
        let stored = secrets.iter().find(|(p, _)| *p == position).map(|(_, v)| v.as_str());
        let value = header.resolve(stored)?;
        headers.push((header.name.clone(), value));
    }
    Ok(Connection {
        url,
        headers,
        timeout: Duration::from_secs(definition.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS).max(1)),
    })
}

/// Header secrets of a stored remote schema, read with the catalog owner's rights.
pub(super) fn stored_secrets(name: &str) -> Vec<(usize, String)> {
    let name = name.to_string();
    let value = spi::as_owner_of("graphql.remote_schema_header", move || {
        spi::catalog_json(
            "select coalesce(jsonb_agg(jsonb_build_array(position, value) order by position), '[]'::jsonb)
               from graphql.remote_schema_header where remote_schema = $1",
            &[Some(name)],
        )
    });
    value
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(|pair| Some((pair.get(0)?.as_u64()? as usize, pair.get(1)?.as_str()?.to_string())))
        .collect()
}

/// The connection `resolve` uses for a stored remote schema.
pub fn connection(remote: &RemoteSchema) -> Result<Connection, String> {
    connection_with(remote, &stored_secrets(&remote.name))
}

