//! The metadata document in Hasura's export_metadata (version 3) shape. Parts this
//! extension does not interpret yet are kept verbatim (`rest`), so an export after a
//! replace gives back what was put in.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

pub const DEFAULT_SOURCE: &str = "default";

/// A table relationship's kind: `object_relationships` or `array_relationships`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelKind {
    Object,
    Array,
}

impl RelKind {
    pub fn label(self) -> &'static str {
        match self {
            RelKind::Object => "object",
            RelKind::Array => "array",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(default = "version_3")]
    pub version: u32,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_schemas: Vec<RemoteSchema>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `add_remote_schema`'s args as stored. Header values are secrets: the stored
/// document keeps only their names (see `metadata::remote_schemas`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemoteSchema {
    pub name: String,
    pub definition: RemoteSchemaDefinition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSchemaDefinition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_from_env: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderDef>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forward_client_headers: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customization: Option<Customization>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from_env: Option<String>,
}

impl HeaderDef {
    /// The header's value: given, read from the environment, or `stored` (a secret
    /// kept apart from the document).
    pub fn resolve(&self, stored: Option<&str>) -> Result<String, String> {
        match (&self.value, &self.value_from_env, stored) {
            (Some(v), _, _) => Ok(v.clone()),
            (None, Some(var), _) => std::env::var(var)
                .map_err(|_| format!("environment variable \"{var}\" (header \"{}\") is not set", self.name)),
            (None, None, Some(v)) => Ok(v.to_string()),
            (None, None, None) => Err(format!("the value of header \"{}\" is missing", self.name)),
        }
    }
}

/// `{{NAME}}` in a URL is the environment variable NAME (Hasura's rule for action
/// handlers and remote schema URLs); `what` names the URL in the error.
pub fn expand_env(template: &str, what: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("unclosed \"{{{{\" in {what} \"{template}\""))?;
        let var = after[..end].trim();
        let value = std::env::var(var).map_err(|_| format!("environment variable \"{var}\" (in {what}) is not set"))?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_fields_namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_names: Option<TypeNames>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_names: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeNames {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub mapping: IndexMap<String, String>,
}

fn version_3() -> u32 {
    3
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata { version: 3, sources: vec![Source::default_source()], remote_schemas: Vec::new(), rest: Map::new() }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    #[serde(default = "postgres_kind")]
    pub kind: String,
    #[serde(default)]
    pub tables: Vec<TrackedTable>,
    /// Relations of the exposed schemas that were untracked: hidden from GraphQL.
    /// (Hasura tracks nothing by default; this extension exposes the exposed schemas
    /// by default, so untracking has to be remembered.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untracked_tables: Vec<QualifiedTable>,
    #[serde(default = "empty_object")]
    pub configuration: Value,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

fn postgres_kind() -> String {
    "postgres".into()
}
fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl Source {
    pub fn default_source() -> Source {
        Source {
            name: DEFAULT_SOURCE.into(),
            kind: postgres_kind(),
            tables: Vec::new(),
            untracked_tables: Vec::new(),
            configuration: empty_object(),
            rest: Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct QualifiedTable {
    pub schema: String,
    pub name: String,
}

impl std::fmt::Display for QualifiedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Hasura accepts `"orders"` (schema public) or `{"schema": "s", "name": "orders"}`.
impl<'de> Deserialize<'de> for QualifiedTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            #[serde(default = "public")]
            schema: String,
            name: String,
        }
        fn public() -> String {
            "public".into()
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Name(String),
            Full(Full),
        }
        match Either::deserialize(deserializer) {
            Ok(Either::Name(name)) => Ok(QualifiedTable { schema: "public".into(), name }),
            Ok(Either::Full(f)) => Ok(QualifiedTable { schema: f.schema, name: f.name }),
            Err(_) => Err(serde::de::Error::custom(
                "a table is a name or an object {\"schema\": …, \"name\": …}",
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrackedTable {
    pub table: QualifiedTable,
    #[serde(default, skip_serializing_if = "TableConfiguration::is_empty")]
    pub configuration: TableConfiguration,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub object_relationships: Vec<RelationshipDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub array_relationships: Vec<RelationshipDef>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl TrackedTable {
    pub fn new(table: QualifiedTable) -> TrackedTable {
        TrackedTable {
            table,
            configuration: TableConfiguration::default(),
            object_relationships: Vec::new(),
            array_relationships: Vec::new(),
            rest: Map::new(),
        }
    }

    /// Names of every relationship on this table (object, array, and those kept verbatim).
    pub fn relationship_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .object_relationships
            .iter()
            .chain(self.array_relationships.iter())
            .map(|r| r.name.clone())
            .collect();
        if let Some(Value::Array(remote)) = self.rest.get("remote_relationships") {
            names.extend(remote.iter().filter_map(|r| r.get("name")?.as_str().map(String::from)));
        }
        names
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_name: Option<String>,
    #[serde(default, skip_serializing_if = "CustomRootFields::is_empty")]
    pub custom_root_fields: CustomRootFields,
    /// `{"column": {"custom_name": "field"}}`
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub column_config: IndexMap<String, ColumnConfig>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl TableConfiguration {
    pub fn is_empty(&self) -> bool {
        self.custom_name.is_none()
            && self.custom_root_fields.is_empty()
            && self.column_config.is_empty()
            && self.rest.is_empty()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ColumnConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_name: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// Hasura accepts a root field name as `"name"` or `{"name": "name", "comment": …}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomRootFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_by_pk: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_aggregate: Option<Value>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl CustomRootFields {
    pub fn is_empty(&self) -> bool {
        self.select.is_none()
            && self.select_by_pk.is_none()
            && self.select_aggregate.is_none()
            && self.rest.is_empty()
    }

    pub fn name_of(value: &Option<Value>) -> Option<&str> {
        match value {
            Some(Value::String(s)) => Some(s),
            Some(Value::Object(o)) => o.get("name").and_then(Value::as_str),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RelationshipDef {
    pub name: String,
    pub using: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Metadata {
    /// Parses a stored or user-given document, naming what is wrong when it fails.
    pub fn from_value(value: &Value) -> Result<Metadata, String> {
        serde_json::from_value(value.clone()).map_err(|e| format!("invalid metadata document: {e}"))
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub fn source(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.name == name)
    }

    pub fn source_mut(&mut self, name: &str) -> Option<&mut Source> {
        self.sources.iter_mut().find(|s| s.name == name)
    }

    /// Removes remote relationship `name` of tracked table `table` of `source`.
    pub fn remove_table_remote_relationship(&mut self, source: &str, table: &QualifiedTable, name: &str) {
        let entry = self.source_mut(source).and_then(|s| s.tables.iter_mut().find(|t| &t.table == table));
        if let Some(entry) = entry {
            remove_named(&mut entry.rest, "remote_relationships", name);
        }
    }

    /// Removes relationship `name` of type `type_name` of remote schema `remote`; an
    /// emptied `{type_name, relationships}` group goes too.
    pub fn remove_remote_type_relationship(&mut self, remote: &str, type_name: &str, name: &str) {
        let Some(schema) = self.remote_schemas.iter_mut().find(|r| r.name == remote) else { return };
        if let Some(Value::Array(groups)) = schema.rest.get_mut("remote_relationships") {
            for group in groups.iter_mut().filter(|g| g["type_name"].as_str() == Some(type_name)) {
                if let Some(group) = group.as_object_mut() {
                    remove_named(group, "relationships", name);
                }
            }
            groups.retain(|g| g["relationships"].as_array().is_some_and(|r| !r.is_empty()));
            if groups.is_empty() {
                schema.rest.remove("remote_relationships");
            }
        }
    }

    /// Removes relationship `name` of the actions' custom object type `type_name`.
    pub fn remove_custom_type_relationship(&mut self, type_name: &str, name: &str) {
        let objects = self.rest.get_mut("custom_types").and_then(|c| c.get_mut("objects"));
        for object in objects.and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(object) = object.as_object_mut().filter(|o| o["name"].as_str() == Some(type_name)) {
                remove_named(object, "relationships", name);
            }
        }
    }

    /// The tracked functions of the default source (`pg_track_function`), as stored.
    pub fn tracked_functions(&self) -> &[Value] {
        self.source(DEFAULT_SOURCE)
            .and_then(|s| s.rest.get("functions"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The tracked tables of `source`.
    pub fn tables_of(&self, source: &str) -> &[TrackedTable] {
        self.source(source).map(|s| s.tables.as_slice()).unwrap_or(&[])
    }

    /// Every tracked table of every source as this database holds it (`local_table`),
    /// named as Hasura names a source's table (its own name) unless customised, its
    /// relationships pointing at local tables too: what the schema is built from.
    pub fn local_tables(&self) -> Vec<TrackedTable> {
        let mut out = Vec::new();
        for source in &self.sources {
            for tracked in &source.tables {
                let mut local = tracked.clone();
                if source.name != DEFAULT_SOURCE {
                    local.table = local_table(&source.name, &tracked.table);
                    local.configuration.custom_name.get_or_insert_with(|| tracked.table.name.clone());
                    for relationship in local.object_relationships.iter_mut().chain(local.array_relationships.iter_mut()) {
                        localize_using(&source.name, &mut relationship.using);
                    }
                }
                out.push(local);
            }
        }
        out
    }

    /// Every untracked table of every source, as this database holds it.
    pub fn local_untracked(&self) -> Vec<QualifiedTable> {
        self.sources
            .iter()
            .flat_map(|s| s.untracked_tables.iter().map(|t| local_table(&s.name, t)))
            .collect()
    }

    /// The source and the source's name of a table this database holds (the inverse
    /// of `local_table` for the sources of the document).
    pub fn source_table(&self, local: &QualifiedTable) -> (String, QualifiedTable) {
        match self.sources.iter().find(|s| s.name != DEFAULT_SOURCE && s.name == local.schema) {
            Some(source) => {
                (source.name.clone(), QualifiedTable { schema: "public".into(), name: local.name.clone() })
            }
            None => (DEFAULT_SOURCE.to_string(), local.clone()),
        }
    }
}

/// Where a source's table lives in this database: the default source's tables are
/// where they are; another source's `public` tables are imported into a schema named
/// after it (`metadata::sources`).
pub fn local_table(source: &str, table: &QualifiedTable) -> QualifiedTable {
    if source == DEFAULT_SOURCE {
        table.clone()
    } else {
        QualifiedTable { schema: source.to_string(), name: table.name.clone() }
    }
}

/// Points the tables a relationship's `using` names (`manual_configuration.remote_table`,
/// `foreign_key_constraint_on.table`) at their local names.
fn localize_using(source: &str, using: &mut Value) {
    for pointer in ["/manual_configuration/remote_table", "/foreign_key_constraint_on/table"] {
        if let Some(target) = using.pointer_mut(pointer) {
            if let Ok(table) = serde_json::from_value::<QualifiedTable>(target.clone()) {
                let local = local_table(source, &table);
                *target = serde_json::json!({"schema": local.schema, "name": local.name});
            }
        }
    }
}

/// Removes the entries named `name` from the list `map[key]`; an emptied list goes too.
fn remove_named(map: &mut Map<String, Value>, key: &str, name: &str) {
    if let Some(Value::Array(list)) = map.get_mut(key) {
        list.retain(|r| r["name"].as_str() != Some(name));
        if list.is_empty() {
            map.remove(key);
        }
    }
}

/// `map[key]` as a list, made an empty one when absent or not a list (the stored
/// document's lists of relationships and actions).
pub fn array_entry<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Vec<Value> {
    let entry = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    match entry {
        Value::Array(items) => items,
        _ => unreachable!("made a list just above"),
    }
}
