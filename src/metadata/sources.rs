//! Sources: other PostgreSQL databases (`pg_add_source`, `pg_drop_source`), reached
//! through postgres_fdw. Adding one creates the server `pgf_<name>`, a user mapping
//! for PUBLIC (its password readable only by the server's owner, as postgres_fdw
//! keeps it), and the schema `<name>` holding the source's `public` tables imported
//! as foreign tables. `to_source` relationships then target those tables, one
//! statement per (relationship, level) with the key set pushed down as `= ANY($1)`.

use serde_json::{json, Value};

use super::document::{Metadata, Source, DEFAULT_SOURCE};
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::names::is_graphql_name;
use crate::spi;

/// Rows fetched per round trip: large, so a level's rows come back in one fetch.
const FETCH_SIZE: &str = "10000";

/// What a `database_url` says, password apart.
struct ConnectionInfo {
    host: String,
    port: String,
    dbname: String,
    user: String,
    password: Option<String>,
    /// The URL as stored: without the password.
    stored_url: String,
}

fn parse_url(text: &str) -> Result<ConnectionInfo, String> {
    let url = url::Url::parse(text).map_err(|e| format!("\"database_url\" is not a URL: {e}"))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err("\"database_url\" must start with postgres:// or postgresql://".into());
    }
    let decode = |s: &str| percent_decode(s);
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("\"database_url\" has no host")?.to_string();
    let dbname = decode(url.path().trim_start_matches('/'));
    if dbname.is_empty() {
        return Err("\"database_url\" has no database name".into());
    }
    let user = if url.username().is_empty() { "postgres".to_string() } else { decode(url.username()) };
    let password = url.password().map(decode);
    let mut stored = url.clone();
    let _ = stored.set_password(None);
    Ok(ConnectionInfo {
        host,
        port: url.port().unwrap_or(5432).to_string(),
        dbname,
        user,
        password,
        stored_url: stored.to_string(),
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `database_url`: a string, or `{"from_env": "VAR"}` (Hasura's two forms).
fn database_url(configuration: &Value) -> Result<(String, Value), String> {
    let url = configuration
        .get("connection_info")
        .and_then(|c| c.get("database_url"))
        .ok_or("\"configuration.connection_info.database_url\" is required")?;
    match url {
        Value::String(s) => Ok((s.clone(), Value::Null)),
        Value::Object(o) => {
            let var = o.get("from_env").and_then(Value::as_str).ok_or("\"database_url\" must be a string or {\"from_env\": …}")?;
            let value = std::env::var(var).map_err(|_| format!("environment variable \"{var}\" is not set"))?;
            Ok((value, url.clone()))
        }
        _ => Err("\"database_url\" must be a string or {\"from_env\": …}".into()),
    }
}

/// Server name for a source.
fn server_name(source: &str) -> String {
    format!("pgf_{source}")
}

/// Runs DDL built by Postgres' own `format()` (identifiers %I, literals %L) in a
/// subtransaction, so a failure is an error message rather than an aborted call.
fn run_ddl(statements: &[(&str, Vec<String>)]) -> Result<(), String> {
    for (template, args) in statements {
        let params: Vec<Option<String>> = args.iter().cloned().map(Some).collect();
        let mut arguments = vec![crate::plan::literal(template)];
        arguments.extend((1..=args.len()).map(|i| format!("${i}::text")));
        let query = format!("select to_jsonb(pg_catalog.format({}))", arguments.join(", "));
        let text = spi::select_json(&query, &params).map_err(|e| e.message)?;
        let Some(Value::String(sql)) = text else { return Err("could not build a statement".into()) };
        spi::in_subtransaction(move || spi::run(&sql, &[])).map_err(|e| e.message)?;
    }
    Ok(())
}

fn exists(query: &str, name: &str) -> bool {
    spi::catalog_json(query, &[Some(name.to_string())]) == Value::Bool(true)
}

pub fn add(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_add_source";
    // DDL happens here, before the document is written: check the writer first.
    super::store::ensure_may_change()?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: source \"{name}\"");
    if name == DEFAULT_SOURCE || !is_graphql_name(&name) || name.len() > 50 {
        meta_bail!("{what}: the name must be a GraphQL name of at most 50 characters other than \"default\"");
    }
    if metadata.sources.iter().any(|s| s.name == name) {
        meta_bail!("{what}: it already exists");
    }
    let configuration = args.get("configuration").cloned().unwrap_or(Value::Null);
    let (url, from_env) = database_url(&configuration).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    let info = parse_url(&url).map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    if exists("select to_jsonb(exists(select from pg_catalog.pg_namespace where nspname = $1))", &name) {
        meta_bail!("{what}: schema \"{name}\" already exists; the source's tables are imported into a schema of that name");
    }
    if exists("select to_jsonb(exists(select from pg_catalog.pg_foreign_server where srvname = $1))", &server_name(&name)) {
        meta_bail!("{what}: foreign server \"{}\" already exists", server_name(&name));
    }
    let server = server_name(&name);
    let mut mapping_template = String::from("create user mapping for public server %I options (user %L");
    let mut mapping_args = vec![server.clone(), info.user.clone()];
    match &info.password {
        Some(password) => {
            mapping_template.push_str(", password %L)");
            mapping_args.push(password.clone());
        }
        // Without a password postgres_fdw refuses non-superusers unless told otherwise;
        // only a superuser may say so, and only a superuser can add a source.
        None => mapping_template.push_str(", password_required 'false')"),
    }
    run_ddl(&[
        ("create extension if not exists postgres_fdw", vec![]),
        (
            "create server %I foreign data wrapper postgres_fdw options (host %L, port %L, dbname %L, fetch_size %L)",
            vec![server.clone(), info.host.clone(), info.port.clone(), info.dbname.clone(), FETCH_SIZE.into()],
        ),
        (mapping_template.as_str(), mapping_args),
        ("create schema %I", vec![name.clone()]),
        ("import foreign schema public from server %I into %I", vec![server.clone(), name.clone()]),
    ])
    .map_err(|e| MetadataError::new(format!("{what}: {e}")))?;

    let stored_url = if from_env.is_null() { Value::String(info.stored_url) } else { from_env };
    let mut configuration = if configuration.is_object() { configuration } else { json!({}) };
    configuration["connection_info"]["database_url"] = stored_url;
    let mut source = Source::default_source();
    source.name = name;
    source.configuration = configuration;
    metadata.sources.push(source);
    Ok(())
}

pub fn drop(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_drop_source";
    super::store::ensure_may_change()?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: source \"{name}\"");
    if name == DEFAULT_SOURCE {
        meta_bail!("{what}: the default source cannot be dropped");
    }
    if !metadata.sources.iter().any(|s| s.name == name) {
        meta_bail!("{what}: it does not exist");
    }
    let dependents = super::dependents::find(metadata, &super::dependents::Dropped::Source(&name));
    if !dependents.is_empty() {
        if !args.get("cascade").and_then(Value::as_bool).unwrap_or(false) {
            meta_bail!("{what}: {} (pass \"cascade\": true to drop them too)", super::dependents::refusal(&dependents));
        }
        super::dependents::remove(metadata, &dependents);
    }
    // The server's user mapping and foreign tables go with it; the schema holds
    // only what the import created (and anything a DBA added there).
    run_ddl(&[
        ("drop schema if exists %I cascade", vec![name.clone()]),
        ("drop server if exists %I cascade", vec![server_name(&name)]),
    ])
    .map_err(|e| MetadataError::new(format!("{what}: {e}")))?;
    metadata.sources.retain(|s| s.name != name);
    Ok(())
}
