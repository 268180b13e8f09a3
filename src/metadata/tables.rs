//! Handlers for table metadata: tracking, customisation and table relationships.

use serde_json::{json, Value};

use super::document::{
    local_table, Metadata, QualifiedTable, RelationshipDef, TableConfiguration, TrackedTable, DEFAULT_SOURCE,
};
use super::document::RelKind;
use crate::schema::table_relationship::resolve;
use crate::error::MetadataError;
use crate::meta_bail;
use crate::schema::names::is_graphql_name;
use crate::schema::reflect::{self, Relation};

/// A table as a metadata call names it: its source, and its name in that source.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TableAt {
    pub source: String,
    pub table: QualifiedTable,
}

impl TableAt {
    /// Where this database holds it.
    pub fn local(&self) -> QualifiedTable {
        local_table(&self.source, &self.table)
    }

    /// Finds tables named in the source's terms (a relationship's `remote_table`).
    pub fn lookup(&self) -> impl Fn(&QualifiedTable) -> Option<Relation> + '_ {
        move |t: &QualifiedTable| {
            let local = local_table(&self.source, t);
            reflect::relation(&local.schema, &local.name)
        }
    }
}

/// Messages name a table as this database holds it (a source's: `<source>.<table>`).
impl std::fmt::Display for TableAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.local().fmt(f)
    }
}

/// The `source` and `table` arguments (the table may no longer exist).
pub(super) fn table_arg(args: &Value, call: &str) -> Result<TableAt, MetadataError> {
    let Some(table_value) = args.get("table").cloned() else {
        meta_bail!("{call}: \"args.table\" is required");
    };
    let table: QualifiedTable =
        serde_json::from_value(table_value).map_err(|e| MetadataError::new(format!("{call}: \"table\": {e}")))?;
    let source = match args.get("source") {
        None | Some(Value::Null) => DEFAULT_SOURCE.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => meta_bail!("{call}: \"args.source\" must be a source name"),
    };
    Ok(TableAt { source, table })
}

/// `table_arg`, for a table that must exist, in a source that exists.
pub(super) fn target_table(metadata: &Metadata, args: &Value, call: &str) -> Result<(TableAt, Relation), MetadataError> {
    let at = table_arg(args, call)?;
    if at.source != DEFAULT_SOURCE {
        if metadata.source(&at.source).is_none() {
            meta_bail!("{call}: source \"{}\" does not exist", at.source);
        }
        if at.table.schema != "public" {
            meta_bail!(
                "{call}: table \"{}\" of source \"{}\": only the source's public schema is imported",
                at.table,
                at.source
            );
        }
    }
    let local = at.local();
    match reflect::relation(&local.schema, &local.name) {
        Some(relation) => Ok((at, relation)),
        None => meta_bail!("{call}: table \"{at}\" does not exist"),
    }
}

/// The tracked tables of `source` (the source made when missing).
pub(super) fn tables_mut<'m>(metadata: &'m mut Metadata, source: &str) -> &'m mut Vec<TrackedTable> {
    let index = match metadata.sources.iter().position(|s| s.name == source) {
        Some(i) => i,
        None => {
            let mut made = super::document::Source::default_source();
            made.name = source.to_string();
            metadata.sources.push(made);
            metadata.sources.len() - 1
        }
    };
    &mut metadata.sources[index].tables
}

/// The tracked entry of `at`, if any.
pub(super) fn find_mut<'m>(metadata: &'m mut Metadata, at: &TableAt) -> Option<&'m mut TrackedTable> {
    metadata.source_mut(&at.source)?.tables.iter_mut().find(|t| t.table == at.table)
}

/// The tracked entry of `at`, created (untracked list updated) when missing.
pub(super) fn entry_mut<'m>(metadata: &'m mut Metadata, at: &TableAt) -> &'m mut TrackedTable {
    if let Some(source) = metadata.source_mut(&at.source) {
        source.untracked_tables.retain(|t| t != &at.table);
    }
    let tables = tables_mut(metadata, &at.source);
    let index = match tables.iter().position(|t| t.table == at.table) {
        Some(i) => i,
        None => {
            tables.push(TrackedTable::new(at.table.clone()));
            tables.len() - 1
        }
    };
    &mut tables[index]
}

fn parse_configuration(args: &Value, call: &str, relation: &Relation) -> Result<TableConfiguration, MetadataError> {
    let configuration: TableConfiguration = match args.get("configuration") {
        Some(c) => serde_json::from_value(c.clone())
            .map_err(|e| MetadataError::new(format!("{call}: \"configuration\": {e}")))?,
        None => TableConfiguration::default(),
    };
    let table = format!("{}.{}", relation.schema, relation.name);
    if let Some(name) = &configuration.custom_name {
        if !is_graphql_name(name) {
            meta_bail!("{call}: table \"{table}\": custom_name \"{name}\" is not a valid GraphQL name");
        }
    }
    for root in [
        &configuration.custom_root_fields.select,
        &configuration.custom_root_fields.select_by_pk,
        &configuration.custom_root_fields.select_aggregate,
    ] {
        if root.is_some() {
            match super::document::CustomRootFields::name_of(root) {
                Some(name) if is_graphql_name(name) => {}
                _ => meta_bail!("{call}: table \"{table}\": custom root field names must be valid GraphQL names"),
            }
        }
    }
    for (column, config) in &configuration.column_config {
        if !relation.columns.iter().any(|c| &c.name == column) {
            meta_bail!("{call}: table \"{table}\": column \"{column}\" in column_config does not exist");
        }
        if let Some(name) = &config.custom_name {
            if !is_graphql_name(name) {
                meta_bail!("{call}: table \"{table}\": custom name \"{name}\" of column \"{column}\" is not a valid GraphQL name");
            }
        }
    }
    Ok(configuration)
}

pub fn track(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_track_table";
    // The older form names the table at the top of `args`: `{"schema": …, "name": …}`.
    let args = match (args.get("table"), args.get("name")) {
        (None, Some(Value::String(name))) => {
            json!({"table": {"schema": args.get("schema").cloned().unwrap_or(json!("public")), "name": name}})
        }
        _ => args.clone(),
    };
    let args = &args;
    let (at, relation) = target_table(metadata, args, call)?;
    if metadata.tables_of(&at.source).iter().any(|t| t.table == at.table) {
        meta_bail!("{call}: table \"{at}\" is already tracked");
    }
    let configuration = parse_configuration(args, call, &relation)?;
    let mut next = metadata.clone();
    entry_mut(&mut next, &at).configuration = configuration;
    ensure_exposed(metadata, &next, &at, call)?;
    *metadata = next;
    Ok(())
}

/// Two relations with one GraphQL name cannot both be exposed: a table being tracked or
/// renamed whose name another table has (or would take from it) is refused, naming the
/// way out.
fn ensure_exposed(before: &Metadata, next: &Metadata, at: &TableAt, call: &str) -> Result<(), MetadataError> {
    use crate::schema::model;
    let local = at.local();
    let schemas = crate::settings::exposed_schemas();
    let (old, new) = (model::build(&schemas, before), model::build(&schemas, next));
    let is = |t: &model::Table, q: &QualifiedTable| t.schema == q.schema && t.name == q.name;
    let name = next
        .local_tables()
        .into_iter()
        .find(|t| t.table == local)
        .and_then(|t| t.configuration.custom_name)
        .unwrap_or_else(|| crate::schema::names::relation_type_name(&local.schema, &local.name));
    let hidden = old.tables.iter().find(|t| !is(t, &local) && !new.tables.iter().any(|n| n.schema == t.schema && n.name == t.name));
    let taken_by = match hidden {
        Some(t) => Some(t.qualified()),
        None if !new.tables.iter().any(|t| is(t, &local)) => {
            new.tables.iter().find(|t| t.type_name == name).map(|t| t.qualified())
        }
        None => None,
    };
    if let Some(other) = taken_by {
        meta_bail!(
            "{call}: table \"{at}\": its GraphQL name \"{name}\" is the name of table \"{other}\"; set configuration.custom_name"
        );
    }
    Ok(())
}

pub fn set_customization(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_set_table_customization";
    let (at, relation) = target_table(metadata, args, call)?;
    let configuration = parse_configuration(args, call, &relation)?;
    let mut next = metadata.clone();
    entry_mut(&mut next, &at).configuration = configuration;
    ensure_exposed(metadata, &next, &at, call)?;
    *metadata = next;
    Ok(())
}

pub fn untrack(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_untrack_table";
    // The table may already be gone (dropped): untracking it must still work.
    let at = table_arg(args, call)?;
    if at.source != DEFAULT_SOURCE && metadata.source(&at.source).is_none() {
        meta_bail!("{call}: source \"{}\" does not exist", at.source);
    }
    let cascade = args.get("cascade").and_then(Value::as_bool).unwrap_or(false);
    let untracked = metadata.source(&at.source).is_some_and(|s| s.untracked_tables.contains(&at.table));
    if untracked {
        meta_bail!("{call}: table \"{at}\" is not tracked");
    }
    // Relationships elsewhere that point at this table depend on it.
    let mut dependents = Vec::new();
    let local = at.local();
    for other in metadata.local_tables() {
        if other.table == local {
            continue;
        }
        for (rel, kind) in other
            .object_relationships
            .iter()
            .map(|r| (r, RelKind::Object))
            .chain(other.array_relationships.iter().map(|r| (r, RelKind::Array)))
        {
            if relationship_target(&other.table, rel, kind).as_ref() == Some(&local) {
                dependents.push((other.table.clone(), rel.name.clone()));
            }
        }
    }
    let remote_dependents =
        super::dependents::find(metadata, &super::dependents::Dropped::Table { source: &at.source, table: &at.table });
    if (!dependents.is_empty() || !remote_dependents.is_empty()) && !cascade {
        let mut list: Vec<String> = dependents.iter().map(|(t, r)| format!("relationship \"{r}\" on \"{t}\"")).collect();
        list.extend(remote_dependents.iter().map(|d| d.to_string()));
        meta_bail!("{call}: cannot untrack \"{at}\": {} depends on it (pass \"cascade\": true)", list.join(", "));
    }
    super::dependents::remove(metadata, &remote_dependents);
    for (owner, name) in dependents {
        let (source, table) = metadata.source_table(&owner);
        if let Some(entry) = find_mut(metadata, &TableAt { source, table }) {
            entry.object_relationships.retain(|r| r.name != name);
            entry.array_relationships.retain(|r| r.name != name);
        }
    }
    tables_mut(metadata, &at.source).retain(|t| t.table != at.table);
    if let Some(source) = metadata.source_mut(&at.source) {
        source.untracked_tables.push(at.table);
    }
    Ok(())
}

/// Where a stored relationship points, if it still resolves.
fn relationship_target(owner: &QualifiedTable, def: &RelationshipDef, kind: RelKind) -> Option<QualifiedTable> {
    let relation = reflect::relation(&owner.schema, &owner.name)?;
    let lookup = |t: &QualifiedTable| reflect::relation(&t.schema, &t.name);
    resolve(&relation, def, kind, &lookup).ok().map(|r| r.target)
}

pub fn create_relationship(metadata: &mut Metadata, args: &Value, kind: RelKind) -> Result<(), MetadataError> {
    let call = match kind {
        RelKind::Object => "pg_create_object_relationship",
        RelKind::Array => "pg_create_array_relationship",
    };
    let (at, relation) = target_table(metadata, args, call)?;
    let name = super::string_arg(args, "name", call)?;
    let what = format!("{call}: relationship \"{name}\" on table \"{at}\"");
    if !is_graphql_name(&name) {
        meta_bail!("{what}: the name is not a valid GraphQL name");
    }
    let using = match args.get("using") {
        Some(u) => u.clone(),
        None => meta_bail!("{what}: \"using\" is required"),
    };
    let def = RelationshipDef {
        name: name.clone(),
        using,
        comment: args.get("comment").and_then(Value::as_str).map(String::from),
    };
    let existing = metadata.tables_of(&at.source).iter().find(|t| t.table == at.table);
    let field_names = column_field_names(&relation, existing.map(|t| &t.configuration));
    if field_names.iter().any(|f| f == &name) {
        meta_bail!("{what}: a column of that name exists");
    }
    if existing.map(|t| t.relationship_names().contains(&name)).unwrap_or(false) {
        meta_bail!("{what}: a relationship of that name exists");
    }
    resolve(&relation, &def, kind, &at.lookup()).map_err(|reason| MetadataError::new(format!("{what}: {reason}")))?;
    let entry = entry_mut(metadata, &at);
    match kind {
        RelKind::Object => entry.object_relationships.push(def),
        RelKind::Array => entry.array_relationships.push(def),
    }
    Ok(())
}

/// GraphQL field names of the table's columns, custom names applied.
pub(super) fn column_field_names(relation: &Relation, configuration: Option<&TableConfiguration>) -> Vec<String> {
    relation
        .columns
        .iter()
        .map(|c| {
            configuration
                .and_then(|cfg| cfg.column_config.get(&c.name))
                .and_then(|cc| cc.custom_name.clone())
                .unwrap_or_else(|| c.name.clone())
        })
        .collect()
}

pub fn drop_relationship(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_drop_relationship";
    let table = table_arg(args, call)?;
    let name = match args.get("relationship").and_then(Value::as_str) {
        Some(n) => n.to_string(),
        None => meta_bail!("{call}: \"args.relationship\" is required"),
    };
    let entry = match find_mut(metadata, &table) {
        Some(e) => e,
        None => meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist"),
    };
    // Permissions whose filter or check follows it: refused, or dropped with `cascade`.
    let users = super::permissions::using_relationship(entry, &name);
    if !users.is_empty() {
        if args.get("cascade").and_then(Value::as_bool) != Some(true) {
            let named: Vec<String> = users.iter().map(|(kind, role)| format!("{kind} permission for role \"{role}\"")).collect();
            meta_bail!(
                "{call}: relationship \"{name}\" on table \"{table}\": cannot drop due to the following dependent objects: {} (drop them first, or pass \"cascade\": true)",
                named.join(", ")
            );
        }
        super::permissions::remove(entry, &users);
    }
    let before = entry.object_relationships.len() + entry.array_relationships.len();
    entry.object_relationships.retain(|r| r.name != name);
    entry.array_relationships.retain(|r| r.name != name);
    if entry.object_relationships.len() + entry.array_relationships.len() == before {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist");
    }
    Ok(())
}

pub fn rename_relationship(metadata: &mut Metadata, args: &Value) -> Result<(), MetadataError> {
    let call = "pg_rename_relationship";
    let (table, relation) = target_table(metadata, args, call)?;
    let (name, new_name) = match (args.get("name").and_then(Value::as_str), args.get("new_name").and_then(Value::as_str)) {
        (Some(a), Some(b)) => (a.to_string(), b.to_string()),
        _ => meta_bail!("{call}: \"name\" and \"new_name\" are required"),
    };
    if !is_graphql_name(&new_name) {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\": \"{new_name}\" is not a valid GraphQL name");
    }
    let entry = match find_mut(metadata, &table) {
        Some(e) => e,
        None => meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist"),
    };
    if entry.relationship_names().contains(&new_name)
        || column_field_names(&relation, Some(&entry.configuration)).contains(&new_name)
    {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\": \"{new_name}\" is already a field");
    }
    let mut found = false;
    for rel in entry.object_relationships.iter_mut().chain(entry.array_relationships.iter_mut()) {
        if rel.name == name {
            rel.name = new_name.clone();
            found = true;
        }
    }
    if !found {
        meta_bail!("{call}: relationship \"{name}\" on table \"{table}\" does not exist");
    }
    super::permissions::rename_relationship(entry, &name, &new_name);
    Ok(())
}

/// Objects of the document that no longer resolve against the catalog, in
/// Hasura's `inconsistent_objects` shape.
pub fn inconsistencies(metadata: &Metadata) -> Vec<Value> {
    let mut out = Vec::new();
    for source in &metadata.sources {
        for entry in &source.tables {
            let at = TableAt { source: source.name.clone(), table: entry.table.clone() };
            let lookup = at.lookup();
            let relation = match lookup(&entry.table) {
                Some(r) => r,
                None => {
                    out.push(json!({"type": "table", "name": format!("table {at}"),
                        "reason": format!("table \"{at}\" does not exist"),
                        "definition": entry.table}));
                    continue;
                }
            };
            for computed in entry.rest.get("computed_fields").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                if let Err(reason) = crate::schema::computed::resolve(&at.local(), computed) {
                    let name = computed["name"].as_str().unwrap_or("?");
                    out.push(json!({"type": "computed_field", "name": format!("computed field {name} in table {at}"),
                        "reason": reason, "definition": {"table": entry.table, "name": name}}));
                }
            }
            let column_names = column_field_names(&relation, Some(&entry.configuration));
            for (def, kind) in entry
                .object_relationships
                .iter()
                .map(|r| (r, RelKind::Object))
                .chain(entry.array_relationships.iter().map(|r| (r, RelKind::Array)))
            {
                if let Err(reason) = relationship_holds(&relation, &column_names, def, kind, &lookup, &at) {
                    out.push(json!({
                        "type": format!("{}_relation", kind.label()),
                        "name": format!("relationship {} in table {at}", def.name),
                        "reason": reason,
                        "definition": {"table": entry.table, "name": def.name, "using": def.using},
                    }));
                }
            }
        }
    }
    out
}

/// Why a stored relationship of `at` no longer holds, if it does not: its name is a
/// column's now, or it no longer resolves against the catalog.
fn relationship_holds(
    relation: &Relation,
    column_names: &[String],
    def: &RelationshipDef,
    kind: RelKind,
    lookup: &dyn Fn(&QualifiedTable) -> Option<Relation>,
    at: &TableAt,
) -> Result<(), String> {
    if column_names.contains(&def.name) {
        return Err(format!("\"{}\" is also the name of a column of \"{at}\"", def.name));
    }
    resolve(relation, def, kind, lookup).map(|_| ())
}

/// Removes what `inconsistencies` reports; returns whether anything was removed.
pub fn drop_inconsistent(metadata: &mut Metadata) -> bool {
    let mut changed = false;
    for source in metadata.sources.iter_mut() {
        let name = source.name.clone();
        let exists = |t: &QualifiedTable| TableAt { source: name.clone(), table: t.clone() }.lookup()(t);
        let before = source.tables.len();
        source.tables.retain(|t| exists(&t.table).is_some());
        changed |= source.tables.len() != before;
        for entry in source.tables.iter_mut() {
            let at = TableAt { source: name.clone(), table: entry.table.clone() };
            let lookup = at.lookup();
            let Some(relation) = lookup(&entry.table) else { continue };
            let n = entry.object_relationships.len() + entry.array_relationships.len();
            let column_names = column_field_names(&relation, Some(&entry.configuration));
            let holds = |d: &RelationshipDef, kind| relationship_holds(&relation, &column_names, d, kind, &lookup, &at).is_ok();
            entry.object_relationships.retain(|d| holds(d, RelKind::Object));
            entry.array_relationships.retain(|d| holds(d, RelKind::Array));
            changed |= entry.object_relationships.len() + entry.array_relationships.len() != n;
            let local = at.local();
            if let Some(Value::Array(computed)) = entry.rest.get_mut("computed_fields") {
                let before = computed.len();
                computed.retain(|c| crate::schema::computed::resolve(&local, c).is_ok());
                changed |= computed.len() != before;
                if computed.is_empty() {
                    entry.rest.remove("computed_fields");
                }
            }
        }
    }
    changed
}
