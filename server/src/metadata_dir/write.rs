//! Writing a metadata document as a directory, in the layout the Hasura CLI writes
//! (`layout.rs`). The files this writes are replaced; other files are left alone.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::actions_sdl;
use super::layout::{self, ACTIONS_FILE, ACTIONS_SDL_FILE, DATABASES_DIR, DATABASES_FILE, VERSION_FILE};

/// Writes `document` (as `export_metadata` gives it) under `dir`; returns the files
/// written. Every file is made in memory first, so a document that cannot be written
/// (a name that is no file name, two tables for one file) leaves the directory as it was.
pub fn write_dir(dir: &Path, document: &Value) -> Result<usize, String> {
    let files = plan_files(document)?;
    // Tables that are gone must not leave their files behind.
    let databases = dir.join(DATABASES_DIR);
    if databases.exists() {
        std::fs::remove_dir_all(&databases).map_err(|e| format!("{}: {e}", databases.display()))?;
    }
    for (relative, text) in &files.planned {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(files.planned.len())
}

/// Every file of the directory, by its path under it.
fn plan_files(document: &Value) -> Result<Files, String> {
    let mut files = Files { planned: Vec::new() };
    files.yaml(VERSION_FILE, &json!({"version": document.get("version").cloned().unwrap_or(json!(3))}))?;

    let mut sources = Vec::new();
    for source in document.get("sources").and_then(Value::as_array).into_iter().flatten() {
        let mut entry = source.as_object().cloned().unwrap_or_default();
        let name = entry.get("name").and_then(Value::as_str).unwrap_or("default").to_string();
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(format!("source \"{name}\": this name cannot be a directory of the metadata directory"));
        }
        for part in ["tables", "functions"] {
            // A part the source does not have stays absent, so that apply gives it back as it was.
            let Some(objects) = entry.remove(part) else { continue };
            let objects = objects.as_array().cloned().unwrap_or_default();
            let mut includes = Vec::new();
            for object in &objects {
                let file = layout::object_file(object.get(&part[..part.len() - 1]).unwrap_or(&Value::Null))?;
                let relative = format!("{DATABASES_DIR}/{name}/{part}/{file}");
                // `a_b.c` and `a.b_c` are both `a_b_c.yaml`: refused, rather than one lost.
                if files.planned.iter().any(|(path, _)| *path == relative) {
                    return Err(format!("{relative}: two {part} of source \"{name}\" have this file name; rename one"));
                }
                files.yaml(&relative, object)?;
                includes.push(json!(format!("!include {file}")));
            }
            files.yaml(&format!("{DATABASES_DIR}/{name}/{part}/{part}.yaml"), &Value::Array(includes))?;
            entry.insert(part.to_string(), json!(format!("!include {name}/{part}/{part}.yaml")));
        }
        sources.push(Value::Object(entry));
    }
    files.yaml(DATABASES_FILE, &Value::Array(sources))?;

    let empty = Value::Array(Vec::new());
    let (actions_yaml, sdl) = actions_sdl::split(
        document.get("actions").unwrap_or(&empty),
        document.get("custom_types").unwrap_or(&Value::Object(Map::new())),
    );
    files.yaml(ACTIONS_FILE, &actions_yaml)?;
    files.text(ACTIONS_SDL_FILE, sdl);

    // Every other key in its own file; the usual ones even when empty, as the CLI does.
    let mut keys: Vec<&str> = layout::KEY_FILES.iter().map(|(_, k)| *k).collect();
    for key in document.as_object().into_iter().flat_map(Map::keys) {
        if !keys.contains(&key.as_str()) && !matches!(key.as_str(), "version" | "sources" | "actions" | "custom_types") {
            keys.push(key);
        }
    }
    for key in keys {
        let value = document.get(key).cloned().unwrap_or_else(|| empty_of(key));
        files.yaml(&layout::file_of_key(key), &value)?;
    }
    Ok(files)
}

/// What the CLI writes for a key the document does not have.
fn empty_of(key: &str) -> Value {
    match key {
        "api_limits" | "graphql_schema_introspection" | "metrics_config" | "network" | "opentelemetry" => json!({}),
        _ => json!([]),
    }
}

struct Files {
    planned: Vec<(String, String)>,
}

impl Files {
    fn yaml(&mut self, relative: &str, value: &Value) -> Result<(), String> {
        let text = serde_yaml::to_string(value).map_err(|e| format!("{relative}: {e}"))?;
        self.text(relative, text);
        Ok(())
    }

    fn text(&mut self, relative: &str, text: String) {
        self.planned.push((relative.to_string(), text));
    }
}
