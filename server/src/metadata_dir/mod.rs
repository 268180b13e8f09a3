//! `pgf metadata apply|export|diff`: Hasura's metadata directory to and from the database.
//! Apply is ONE `replace_metadata` (all of the directory or nothing); export writes what
//! `export_metadata` gives; diff names what apply would change.

mod actions_sdl;
mod diff;
mod layout;
mod read;
mod write;

use serde_json::{json, Value};
use tokio_postgres::NoTls;

use crate::config::DirArgs;

pub async fn apply(args: &DirArgs) -> Result<(), String> {
    let document = read::read_dir(&args.dir)?;
    let client = connect(&args.database_url).await?;
    let body = json!({"type": "replace_metadata", "version": 2, "args": {"metadata": document}});
    let answer = call(&client, &body).await?;
    let tables = table_count(&document);
    println!("pgf: applied {} ({tables} tables); the database's metadata is now the directory's", args.dir.display());
    if answer.get("is_consistent") == Some(&Value::Bool(false)) {
        println!("pgf: inconsistent objects: {}", answer.get("inconsistent_objects").cloned().unwrap_or(Value::Null));
    }
    Ok(())
}

pub async fn export(args: &DirArgs) -> Result<(), String> {
    let client = connect(&args.database_url).await?;
    let document = call(&client, &json!({"type": "export_metadata", "args": {}})).await?;
    let files = write::write_dir(&args.dir, &document)?;
    println!("pgf: exported the metadata to {} ({files} files)", args.dir.display());
    Ok(())
}

pub async fn diff(args: &DirArgs) -> Result<(), String> {
    let wanted = read::read_dir(&args.dir)?;
    let client = connect(&args.database_url).await?;
    let current = call(&client, &json!({"type": "export_metadata", "args": {}})).await?;
    let changes = diff::changes(&current, &wanted);
    if changes.is_empty() {
        println!("pgf: no changes: the database's metadata is the directory's");
    } else {
        println!("pgf: apply would change {} object(s):", changes.len());
        for line in changes {
            println!("{line}");
        }
    }
    Ok(())
}

fn table_count(document: &Value) -> usize {
    document["sources"].as_array().into_iter().flatten().map(|s| s["tables"].as_array().map_or(0, Vec::len)).sum()
}

async fn connect(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(|e| format!("cannot connect to the database: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("pgf: the database connection failed: {e}");
        }
    });
    Ok(client)
}

/// One `graphql.metadata` call; an SQL ERROR is the message (nothing was changed).
async fn call(client: &tokio_postgres::Client, body: &Value) -> Result<Value, String> {
    let row = client
        .query_one("select graphql.metadata($1::text::jsonb)::text", &[&body.to_string()])
        .await
        .map_err(|e| match e.as_db_error() {
            Some(db) => format!("{} refused, nothing was changed: {}", body["type"].as_str().unwrap_or("metadata"), db.message()),
            None => format!("the metadata call failed: {e}"),
        })?;
    let text: String = row.try_get(0).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("graphql.metadata answered something that is not JSON: {e}"))
}
