//! Composition: the tables' model plus every remote schema, checked for name
//! clashes, then the join fields (on tables, remote object types and actions'
//! custom types) and the actions, printed as one SDL and validated. What clashes or
//! no longer resolves is left out (and reported); the metadata API refuses to add
//! it with the same checks.

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

use super::actions::{self, ActionModel};
use super::join_field::JoinField;
use super::join_lhs::Lhs;
use super::join_resolve::{remote_type_lhs, resolve_table_join, table_lhs};
use super::model::{Model, RootKind};
use super::remote::{self, RemoteModel};
use super::join_definition::{self, Target};
use super::remote_join;
use super::remote_permission::{self, Visibility};
use super::sdl::{self, Additions};
use super::type_shape;
use crate::metadata::document::{Metadata, QualifiedTable, RemoteSchema};
use crate::spi;

pub struct Composition {
    pub schema: Result<Valid<Schema>, String>,
    pub remotes: Vec<RemoteModel>,
    /// Join fields of remote object types and custom types, by our type name.
    pub type_joins: HashMap<String, Vec<JoinField>>,
    pub actions: Vec<ActionModel>,
    /// Remote schemas, relationships and actions left out, with the reason.
    pub left_out: Vec<LeftOut>,
}

/// What a left-out piece of metadata belongs to.
#[derive(Debug, Clone)]
pub enum Owner {
    RemoteSchema,
    /// A remote relationship of this table.
    Table(QualifiedTable),
    /// A relationship of this remote schema's type (the remote's type name).
    RemoteType { remote: String, type_name: String },
    /// An action, a custom type or a custom type's relationship.
    Actions,
}

/// Metadata that does not compose any more: inconsistent.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// The remote schema's name, the relationship's or the action's.
    pub name: String,
    pub owner: Owner,
    pub reason: String,
}

impl LeftOut {
    fn remote(name: &str, reason: String) -> LeftOut {
        LeftOut { name: name.to_string(), owner: Owner::RemoteSchema, reason }
    }

    /// Hasura's `inconsistent_objects` entry.
    pub fn to_json(&self) -> Value {
        match &self.owner {
            Owner::RemoteSchema => serde_json::json!({"type": "remote_schema", "name": format!("remote_schema {}", self.name),
                                       "reason": self.reason, "definition": {"name": self.name}}),
            Owner::Table(t) => serde_json::json!({"type": "remote_relationship",
                                          "name": format!("remote_relationship {} in table {t}", self.name),
                                          "reason": self.reason, "definition": {"name": self.name, "table": t}}),
            Owner::RemoteType { remote, type_name } => serde_json::json!({"type": "remote_schema_remote_relationship",
                "name": format!("remote_relationship {} on type {type_name} of remote_schema {remote}", self.name),
                "reason": self.reason,
                "definition": {"name": self.name, "remote_schema": remote, "type_name": type_name}}),
            Owner::Actions => serde_json::json!({"type": "action", "name": self.name, "reason": self.reason,
                                                 "definition": {"name": self.name}}),
        }
    }
}

/// Stored introspection results by remote schema name.
pub fn stored_introspections() -> HashMap<String, Value> {
    let value = spi::catalog_json(
        "select coalesce(jsonb_object_agg(remote_schema, introspection), '{}'::jsonb)
           from graphql.remote_schema_introspection",
        &[],
    );
    match value {
        Value::Object(map) => map.into_iter().collect(),
        _ => HashMap::new(),
    }
}

/// The type names and root fields of the schema so far: who defines each, and each
/// type's shape (`type_shape`).
struct Known {
    types: HashMap<String, (String, String)>,
    roots: HashMap<String, String>,
    mutation_roots: HashMap<String, String>,
}

/// What the tables' part of the schema defines.
fn table_names(model: &Model) -> Known {
    let types = type_shape::shapes(&sdl::print(model, &[], &Additions::default()))
        .into_iter()
        .map(|(name, shape)| (name, ("a table".to_string(), shape)))
        .collect();
    Known {
        types,
        roots: model
            .roots
            .iter()
            .map(|(name, root)| {
                let owner = match root.kind {
                    RootKind::Function | RootKind::FunctionAggregate => "a tracked function",
                    _ => "a table",
                };
                (name.clone(), owner.to_string())
            })
            .collect(),
        mutation_roots: model.mutation_roots.keys().map(|r| (r.clone(), "a tracked function".to_string())).collect(),
    }
}

/// Why `candidate` cannot join a schema that already has these names, if it cannot;
/// else the names of its types already defined with the same shape (merged: the
/// schema keeps the first definition).
fn clash(candidate: &RemoteModel, shapes: &HashMap<String, String>, known: &Known) -> Result<HashSet<String>, String> {
    let mut shared = HashSet::new();
    for (name, _, _) in &candidate.types {
        let Some((owner, shape)) = known.types.get(name) else { continue };
        if shapes.get(name) != Some(shape) {
            return Err(format!(
                "type \"{name}\" is already defined differently by {owner}; \
                 set customization.type_names (a prefix) to rename the remote's types"
            ));
        }
        shared.insert(name.clone());
    }
    for root in candidate.root_fields.keys() {
        if let Some(owner) = known.roots.get(root) {
            return Err(format!(
                "root field \"{root}\" is already defined by {owner}; \
                 set customization.root_fields_namespace"
            ));
        }
    }
    for root in candidate.mutation_fields.keys() {
        if let Some(owner) = known.mutation_roots.get(root) {
            return Err(format!(
                "mutation field \"{root}\" is already defined by {owner}; \
                 set customization.root_fields_namespace"
            ));
        }
    }
    Ok(shared)
}

/// Adds `remote`'s names to `known`, and leaves out of it the types another source
/// already defines with the same shape.
fn accept(remote: &mut RemoteModel, mut shapes: HashMap<String, String>, shared: &HashSet<String>, known: &mut Known) {
    let owner = format!("remote schema \"{}\"", remote.name);
    remote.types.retain(|(name, _, _)| !shared.contains(name));
    for (name, _, _) in &remote.types {
        let shape = shapes.remove(name).unwrap_or_default();
        known.types.insert(name.clone(), (owner.clone(), shape));
    }
    for root in remote.root_fields.keys() {
        known.roots.insert(root.clone(), owner.clone());
    }
    for root in remote.mutation_fields.keys() {
        known.mutation_roots.insert(root.clone(), owner.clone());
    }
}

/// The lhs fields of a parent, by the names a definition gives.
type LhsOf<'a> = dyn Fn(&[String]) -> Result<Vec<Lhs>, String> + 'a;

/// Resolves one stored relationship from parents with `lhs` fields (all the
/// parent's scalar fields; the definition picks its own).
pub fn resolve_join(
    model: &Model,
    remotes: &[RemoteModel],
    lhs_identifier: &str,
    name: &str,
    entry: &Value,
    lhs_of: &LhsOf,
) -> Result<JoinField, String> {
    match join_definition::target(entry)? {
        Target::Remote(def) => {
            let index = remotes
                .iter()
                .position(|r| r.name == def.remote_schema)
                .ok_or_else(|| format!("remote schema \"{}\" does not exist (or is inconsistent)", def.remote_schema))?;
            let lhs = lhs_of(&def.lhs_fields)?;
            remote_join::resolve(name, lhs_identifier, &lhs, &def, &remotes[index], index).map(JoinField::Remote)
        }
        Target::Source(def) => {
            let fields: Vec<String> = def.mapping.iter().map(|(f, _)| f.clone()).collect();
            let lhs = lhs_of(&fields)?;
            resolve_table_join(model, name, &lhs, &def).map(JoinField::Table)
        }
    }
}

/// Attaches the tables' remote relationships to the model; those that no longer
/// resolve (a dropped column, a reloaded remote without the field) are left out
/// and returned with the reason.
fn attach_remote_relationships(model: &mut Model, metadata: &Metadata, remotes: &[RemoteModel]) -> Vec<LeftOut> {
    let mut left_out = Vec::new();
    for entry in &metadata.local_tables() {
        let Some(list) = entry.rest.get("remote_relationships").and_then(Value::as_array) else { continue };
        let Some(t) = model.tables.iter().position(|t| t.schema == entry.table.schema && t.name == entry.table.name) else {
            continue;
        };
        for item in list {
            let name = item.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let left = |reason: String| LeftOut { name: name.clone(), owner: Owner::Table(entry.table.clone()), reason };
            let table = &model.tables[t];
            let identifier = super::names::relation_type_name(&table.schema, &table.name);
            let resolved = resolve_join(model, remotes, &identifier, &name, item, &|fields| table_lhs(table, fields));
            let table = &mut model.tables[t];
            match resolved {
                Ok(join) if !table.fields.contains_key(&name) => {
                    table.fields.insert(name, super::model::FieldRef::RemoteRelationship(table.remote_relationships.len()));
                    table.remote_relationships.push(join);
                }
                Ok(_) => left_out.push(left(format!("\"{name}\" is already a field of the table"))),
                Err(reason) => left_out.push(left(reason)),
            }
        }
    }
    left_out
}

/// The relationships of remote object types (`create_remote_schema_remote_relationship`),
/// stored as Hasura exports them: `remote_relationships: [{type_name, relationships}]`.
fn remote_type_joins(model: &Model, remotes: &[RemoteModel], joins: &mut HashMap<String, Vec<JoinField>>) -> Vec<LeftOut> {
    let mut left_out = Vec::new();
    for remote in remotes {
        let Some(groups) = remote.definition.rest.get("remote_relationships").and_then(Value::as_array) else { continue };
        for group in groups {
            let type_name = group.get("type_name").and_then(Value::as_str).unwrap_or_default();
            for item in group.get("relationships").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let name = item.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                let owner = Owner::RemoteType { remote: remote.name.clone(), type_name: type_name.to_string() };
                let resolved = remote_type_join(model, remotes, remote, type_name, &name, item);
                match resolved {
                    Ok(join) => joins.entry(remote.renames.ours(type_name).to_string()).or_default().push(join),
                    Err(reason) => left_out.push(LeftOut { name, owner, reason }),
                }
            }
        }
    }
    left_out
}

/// Checks and resolves one relationship of remote type `type_name` (the remote's name).
pub fn remote_type_join(
    model: &Model,
    remotes: &[RemoteModel],
    remote: &RemoteModel,
    type_name: &str,
    name: &str,
    entry: &Value,
) -> Result<JoinField, String> {
    let ty = remote
        .remote_types
        .get(type_name)
        .ok_or_else(|| format!("type \"{type_name}\" does not exist in remote schema \"{}\"", remote.name))?;
    if ty["kind"].as_str() != Some("OBJECT") || type_name == remote.remote_query_type {
        return Err(format!("type \"{type_name}\" is not an object type of the remote; relationships attach to object types"));
    }
    if remote.field(type_name, name).is_some() {
        return Err(format!("\"{name}\" is already a field of remote type \"{type_name}\""));
    }
    if !super::names::is_graphql_name(name) {
        return Err("the name is not a valid GraphQL name".into());
    }
    resolve_join(model, remotes, &remote.name, name, entry, &|fields| remote_type_lhs(remote, type_name, fields))
}

/// Adds `joins` to `additions` as fields of their types, dropping duplicate names.
fn add_join_fields(joins: &mut HashMap<String, Vec<JoinField>>, additions: &mut Additions, left_out: &mut Vec<LeftOut>) {
    for (type_name, list) in joins.iter_mut() {
        let mut seen = HashSet::new();
        list.retain(|join| {
            if seen.insert(join.name().to_string()) {
                additions.fields.push((type_name.clone(), join.field_sdl().to_string()));
                additions.types.extend(join.input_types().iter().map(|(_, sdl)| sdl.clone()));
                true
            } else {
                left_out.push(LeftOut {
                    name: join.name().to_string(),
                    owner: Owner::Actions,
                    reason: format!("type \"{type_name}\" has two relationships named \"{}\"", join.name()),
                });
                false
            }
        });
    }
}

/// Composes the tables' model with the remote schemas, relationships and actions
/// of `metadata`.
pub fn compose(model: &mut Model, metadata: &Metadata, introspections: &HashMap<String, Value>) -> Composition {
    let mut known = table_names(model);
    let mut remotes = Vec::new();
    let mut left_out = Vec::new();
    for remote in &metadata.remote_schemas {
        let Some(introspection) = introspections.get(&remote.name) else {
            left_out.push(LeftOut::remote(&remote.name, "no stored introspection: reload the remote schema".into()));
            continue;
        };
        let view = match remote_permission::visibility(&model.caller, remote, introspection) {
            Visibility::All => None,
            Visibility::Restricted(view) => Some(view),
            Visibility::Hidden => continue,
        };
        let seen = view.as_ref().map_or(introspection, |v| &v.introspection);
        let mut built = match remote::from_introspection(remote, seen) {
            Ok(m) => m,
            Err(e) => {
                left_out.push(LeftOut::remote(&remote.name, e));
                continue;
            }
        };
        if let Some(view) = view {
            built.presets = view.presets;
            built.restricted = true;
        }
        let text: String = built.types.iter().map(|(_, _, block)| block.as_str()).collect();
        let shapes = type_shape::shapes(&text);
        match clash(&built, &shapes, &known) {
            Ok(shared) => accept(&mut built, shapes, &shared, &mut known),
            Err(reason) => {
                left_out.push(LeftOut::remote(&remote.name, reason));
                continue;
            }
        }
        remotes.push(built);
    }
    left_out.extend(attach_remote_relationships(model, metadata, &remotes));
    let mut type_joins = HashMap::new();
    left_out.extend(remote_type_joins(model, &remotes, &mut type_joins));

    // Actions and custom types: all of them, or (when they clash or do not validate
    // with the rest) none, so one bad action cannot take the tables down.
    let mut built = actions::build(model, metadata.rest.get("actions"), metadata.rest.get("custom_types"));
    // An action without a permission for the role is admin's only, as in Hasura.
    if !model.caller.admin {
        built.actions.retain(|a| a.roles.contains(&model.caller.role));
    }
    left_out.extend(built.left_out.iter().map(|(name, reason)| LeftOut { name: name.clone(), owner: Owner::Actions, reason: reason.clone() }));
    let mut base = Additions::default();
    add_join_fields(&mut type_joins, &mut base, &mut left_out);
    let base_joins = type_joins.clone();
    let mut with_actions = base.clone();
    let mut action_joins = type_joins;
    let mut clashes = Vec::new();
    for (name, block) in &built.types {
        if known.types.contains_key(name) {
            clashes.push(format!("custom type \"{name}\" is already defined by a table or a remote schema"));
        }
        with_actions.types.push(block.clone());
    }
    for action in &built.actions {
        let roots = if action.is_mutation { &known.mutation_roots } else { &known.roots };
        if roots.contains_key(&action.name) {
            clashes.push(format!("action \"{}\": the root field already exists", action.name));
        }
        if action.is_mutation {
            with_actions.mutation_fields.push(action.field_sdl.clone());
        } else {
            with_actions.query_fields.push(action.field_sdl.clone());
        }
    }
    let mut custom_joins: HashMap<String, Vec<JoinField>> = HashMap::new();
    for (type_name, join) in &built.joins {
        custom_joins.entry(type_name.clone()).or_default().push(JoinField::Table(join.clone()));
    }
    let mut custom_additions = Additions::default();
    add_join_fields(&mut custom_joins, &mut custom_additions, &mut left_out);
    with_actions.fields.extend(custom_additions.fields);
    for (type_name, list) in custom_joins {
        action_joins.entry(type_name).or_default().extend(list);
    }
    let has_actions = !built.types.is_empty() || !built.actions.is_empty();
    if has_actions && clashes.is_empty() {
        let text = sdl::print(model, &remotes, &with_actions);
        match validated(text) {
            Ok(schema) => {
                return Composition { schema: Ok(schema), remotes, type_joins: action_joins, actions: built.actions, left_out };
            }
            Err(e) => clashes.push(format!("the actions' custom types do not validate: {}", messages(&e.errors))),
        }
    }
    for reason in clashes {
        left_out.push(LeftOut { name: "actions and custom_types".into(), owner: Owner::Actions, reason });
    }
    let schema = validated(sdl::print(model, &remotes, &base))
        .map_err(|e| format!("pg_federation could not compose a valid schema: {}", e.errors));
    Composition { schema, remotes, type_joins: base_joins, actions: Vec::new(), left_out }
}

/// The schema of an SDL text, in Hasura's order (`hasura_order`), validated.
fn validated(text: String) -> Result<Valid<Schema>, Box<apollo_compiler::validation::WithErrors<Schema>>> {
    let mut schema = Schema::parse(text, "schema.graphql").map_err(Box::new)?;
    super::hasura_order::sort(&mut schema);
    schema.validate().map_err(Box::new)
}

/// Validation errors, messages only: the SDL behind their locations is ours, not the user's.
fn messages(errors: &apollo_compiler::validation::DiagnosticList) -> String {
    errors.iter().map(|d| d.error.to_string()).collect::<Vec<_>>().join("; ")
}

/// The metadata API's check for a remote schema being added or updated: it must
/// compose with the tables (as the current role sees them) and the other remotes,
/// and the composed schema must be valid.
pub fn check_candidate(model: &mut Model, metadata: &Metadata, candidate: &RemoteSchema, introspection: &Value) -> Result<(), String> {
    let mut introspections = stored_introspections();
    introspections.insert(candidate.name.clone(), introspection.clone());
    // The candidate goes last, so a clash is always reported against it.
    let mut with_candidate = metadata.clone();
    with_candidate.remote_schemas.retain(|r| r.name != candidate.name);
    with_candidate.remote_schemas.push(candidate.clone());
    let composition = compose(model, &with_candidate, &introspections);
    if let Some(left) =
        composition.left_out.iter().find(|l| matches!(l.owner, Owner::RemoteSchema) && l.name == candidate.name)
    {
        return Err(left.reason.clone());
    }
    composition.schema.map(|_| ()).map_err(|e| format!("the composed schema would be invalid: {e}"))
}
