//! Reading a metadata directory into one metadata document (JSON). Every error names the
//! file, and the line where it can: a YAML error, an include that is missing.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use serde_yaml::Value as Yaml;

use super::actions_sdl;
use super::layout::{self, ACTIONS_FILE, ACTIONS_SDL_FILE, DATABASES_FILE, VERSION_FILE};

/// The document a directory describes, as `replace_metadata` takes it.
pub fn read_dir(dir: &Path) -> Result<Value, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a metadata directory", dir.display()));
    }
    let mut document = Map::new();
    let version = match optional_yaml(&dir.join(VERSION_FILE))? {
        Some(v) => v.get("version").cloned().unwrap_or(Value::from(3)),
        None => Value::from(3),
    };
    if version != 3 {
        return Err(format!("{}: version {version} is not supported (config v3 only)", dir.join(VERSION_FILE).display()));
    }
    document.insert("version".into(), version);
    let sources = optional_yaml(&dir.join(DATABASES_FILE))?.unwrap_or(Value::Array(Vec::new()));
    if !sources.is_array() {
        return Err(format!("{}: must be a list of databases", dir.join(DATABASES_FILE).display()));
    }
    document.insert("sources".into(), sources);

    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    for name in names {
        let Some(key) = layout::key_of_file(&name) else { continue };
        if let Some(value) = optional_yaml(&dir.join(&name))? {
            if !layout::is_nothing(&value) {
                document.insert(key, value);
            }
        }
    }

    let actions = optional_yaml(&dir.join(ACTIONS_FILE))?;
    let sdl_path = dir.join(ACTIONS_SDL_FILE);
    let sdl = match std::fs::read_to_string(&sdl_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", sdl_path.display())),
    };
    if actions.is_some() || sdl.is_some() {
        let (actions, custom_types) =
            actions_sdl::merge(actions.unwrap_or(Value::Null), sdl.as_deref().unwrap_or(""), &sdl_path.display().to_string())?;
        if !actions.as_array().is_some_and(Vec::is_empty) {
            document.insert("actions".into(), actions);
        }
        if !layout::is_nothing(&custom_types) {
            document.insert("custom_types".into(), custom_types);
        }
    }
    Ok(Value::Object(document))
}

/// A YAML file with its includes resolved, or `None` when it does not exist.
fn optional_yaml(path: &Path) -> Result<Option<Value>, String> {
    if !path.exists() {
        return Ok(None);
    }
    yaml_file(path).map(Some)
}

fn yaml_file(path: &Path) -> Result<Value, String> {
    yaml_file_within(path, &mut Vec::new())
}

/// Reads `path`; `within` are the files whose includes led here (a cycle is refused).
fn yaml_file_within(path: &Path, within: &mut Vec<PathBuf>) -> Result<Value, String> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if within.contains(&canonical) {
        let chain: Vec<String> = within.iter().chain([&canonical]).map(|p| p.display().to_string()).collect();
        return Err(format!("{}: includes itself: {}", path.display(), chain.join(" -> ")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let yaml: Yaml = serde_yaml::from_str(&text).map_err(|e| match e.location() {
        Some(at) => format!("{}:{}: bad YAML: {e}", path.display(), at.line()),
        None => format!("{}: bad YAML: {e}", path.display()),
    })?;
    within.push(canonical);
    let resolved = resolve_includes(yaml, path, &text, within);
    within.pop();
    serde_json::to_value(resolved?).map_err(|e| format!("{}: cannot be read as JSON: {e}", path.display()))
}

/// Replaces every `!include <file>` (Hasura writes it as a quoted string, YAML also as
/// a tag) by that file's content: a `.yaml` file's value, any other file's text (a
/// remote schema permission's `schema: "!include …graphql"`).
fn resolve_includes(yaml: Yaml, path: &Path, text: &str, within: &mut Vec<PathBuf>) -> Result<Yaml, String> {
    let mut include = |target: &str| -> Result<Yaml, String> {
        let file = base(path).join(target.trim());
        if !file.is_file() {
            let line = text.lines().position(|l| l.contains(target.trim())).map(|i| i + 1).unwrap_or(1);
            return Err(format!("{}:{line}: !include {}: no such file ({})", path.display(), target.trim(), file.display()));
        }
        if file.extension().and_then(|e| e.to_str()) != Some("yaml") {
            return std::fs::read_to_string(&file).map(Yaml::String).map_err(|e| format!("{}: {e}", file.display()));
        }
        let value = yaml_file_within(&file, within)?;
        serde_yaml::to_value(value).map_err(|e| format!("{}: {e}", file.display()))
    };
    Ok(match yaml {
        Yaml::String(s) if s.starts_with("!include ") => include(&s["!include ".len()..])?,
        Yaml::Tagged(tagged) if tagged.tag == "!include" => match tagged.value {
            Yaml::String(target) => include(&target)?,
            _ => return Err(format!("{}: !include takes a file name", path.display())),
        },
        Yaml::Sequence(items) => {
            Yaml::Sequence(items.into_iter().map(|i| resolve_includes(i, path, text, within)).collect::<Result<_, _>>()?)
        }
        Yaml::Mapping(map) => {
            let mut out = serde_yaml::Mapping::new();
            for (k, v) in map {
                out.insert(k, resolve_includes(v, path, text, within)?);
            }
            Yaml::Mapping(out)
        }
        other => other,
    })
}

fn base(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
