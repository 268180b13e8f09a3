//! The model behind the GraphQL schema: which relations are exposed under which
//! names, their columns, keys and relationships. Built from the catalog (as the
//! current role sees it) and the metadata document; the SDL and the planner both
//! read it, so they cannot disagree.

use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

use super::names::{is_graphql_name, relation_type_name};
use super::permission::{self, Access, Caller, Restriction};
use super::reflect::{self, Relation};
use super::scalars::{column_type, ColumnType};
use crate::metadata::document::{CustomRootFields, Metadata, QualifiedTable, TrackedTable};
use crate::metadata::document::RelKind;
use crate::schema::table_relationship::resolve;

#[derive(Debug)]
pub struct Model {
    pub tables: Vec<Table>,
    /// Fields of `query_root`, in schema order.
    pub roots: IndexMap<String, RootField>,
    /// Tracked functions (`pg_track_function`); roots of kind `Function*` index it.
    pub functions: Vec<TrackedFunction>,
    /// Fields of `mutation_root` from tables' side: VOLATILE tracked functions.
    pub mutation_roots: IndexMap<String, RootField>,
    /// Postgres enums used by exposed columns: GraphQL name -> labels.
    pub enums: IndexMap<String, Vec<String>>,
    /// The role the model was built for.
    pub caller: Caller,
    /// Fields of `mutation_root` writing to tables, in schema order.
    pub table_mutations: IndexMap<String, TableMutation>,
    /// Tables the role may insert into and not read (Hasura's insert-only role): only
    /// their `insert_<t>` field, answering `affected_rows`.
    pub insert_only: Vec<Table>,
}

/// A mutation root field over `Model::tables[table]`, or `Model::insert_only[table]`.
#[derive(Debug, Clone, Copy)]
pub struct TableMutation {
    pub table: usize,
    pub kind: MutationKind,
    pub insert_only: bool,
}

impl Model {
    /// The table a mutation field writes to.
    pub fn mutation_table(&self, mutation: TableMutation) -> &Table {
        if mutation.insert_only {
            &self.insert_only[mutation.table]
        } else {
            &self.tables[mutation.table]
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MutationKind {
    Insert,
    InsertOne,
    Update,
    UpdateByPk,
    UpdateMany,
    Delete,
    DeleteByPk,
}

/// A root field: `table` indexes `Model::tables`, or `Model::functions` for the
/// `Function*` kinds.
#[derive(Debug, Clone, Copy)]
pub struct RootField {
    pub table: usize,
    pub kind: RootKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RootKind {
    Select,
    ByPk,
    Aggregate,
    /// The rows a tracked function returns.
    Function,
    /// `<function>_aggregate`.
    FunctionAggregate,
}

/// A tracked function: the rows of table `target` it returns.
#[derive(Debug, Clone)]
pub struct TrackedFunction {
    pub call: super::function_call::FunctionCall,
    pub target: usize,
    /// SETOF: a list; otherwise one row or null.
    pub set: bool,
}

/// A computed field that is not a plain column: one with inputs, or one returning rows.
#[derive(Debug, Clone)]
pub struct ComputedField {
    pub call: super::function_call::FunctionCall,
    pub returns: ComputedReturns,
}

#[derive(Debug, Clone)]
pub enum ComputedReturns {
    Scalar { ty: ColumnType },
    /// Rows of `Model::tables[target]`; `set`: a list, else one row or null.
    Rows { target: usize, set: bool },
}

#[derive(Debug)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub type_name: String,
    /// Readable columns with usable names, in attnum order: what the role may select.
    pub columns: Vec<Column>,
    /// Columns the role may read under its privileges but not select under its
    /// permission: rows subqueries carry them for relationships' joins only.
    pub hidden_columns: Vec<Column>,
    /// The role's select permission, when one binds it (`None`: privileges alone).
    pub restriction: Option<Box<Restriction>>,
    /// What the role may insert, update and delete.
    pub writes: super::writes::Writes,
    /// Indices into `columns`; empty when there is no key the role can read.
    pub primary_key: Vec<usize>,
    pub relationships: Vec<Relationship>,
    /// Relationships to remote schemas (attached at composition).
    pub remote_relationships: Vec<super::join_field::JoinField>,
    /// Computed fields with inputs or returning rows; their functions take the whole
    /// row, which the rows' subqueries then carry (`plan::ROW`).
    pub computed: Vec<ComputedField>,
    /// GraphQL field name -> what it reads.
    pub fields: IndexMap<String, FieldRef>,
}

#[derive(Debug, Clone)]
pub struct Column {
    /// The column's name; a computed field's name (the rows' subqueries select it under it).
    pub sql_name: String,
    pub field_name: String,
    /// `format_type()` output, used in casts of bound parameters.
    pub sql_type: String,
    pub ty: ColumnType,
    pub not_null: bool,
    /// A computed field (a scalar one without inputs): its function, called on the row.
    pub computed: Option<super::function_call::FunctionCall>,
}


#[derive(Debug, Clone)]
pub struct Relationship {
    pub name: String,
    pub kind: RelKind,
    /// Index into `Model::tables`.
    pub target: usize,
    /// (column of this table, column of the target), SQL names.
    pub mapping: Vec<(String, String)>,
    /// An object relationship whose key the target row holds (its foreign key points
    /// here): a nested insert writes the target row after this one.
    pub target_holds_key: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldRef {
    Column(usize),
    Relationship(usize),
    /// `<array relationship>_aggregate`
    RelationshipAggregate(usize),
    /// A field joined from a remote schema.
    RemoteRelationship(usize),
    /// A computed field with inputs or returning rows (`Table::computed`).
    Computed(usize),
}

impl Table {
    pub fn column_by_field(&self, field: &str) -> Option<&Column> {
        match self.fields.get(field) {
            Some(FieldRef::Column(i)) => self.columns.get(*i),
            _ => None,
        }
    }

    /// A column a join may key on: selectable or hidden.
    pub fn key_column(&self, sql_name: &str) -> Option<&Column> {
        self.columns.iter().chain(&self.hidden_columns).find(|c| c.computed.is_none() && c.sql_name == sql_name)
    }

    /// The row limit of the role's select permission, if any.
    pub fn row_limit(&self) -> Option<u64> {
        self.restriction.as_ref().and_then(|r| r.limit)
    }

    /// Whether the role may aggregate its rows (`<t>_aggregate`, `<rel>_aggregate`).
    pub fn allows_aggregations(&self) -> bool {
        self.restriction.as_ref().is_none_or(|r| r.allow_aggregations)
    }

    pub fn qualified(&self) -> QualifiedTable {
        QualifiedTable { schema: self.schema.clone(), name: self.name.clone() }
    }
}

/// Builds the model for the current role, exposed schemas and metadata.
pub fn build(exposed_schemas: &[String], metadata: &Metadata) -> Model {
    let tracked = metadata.local_tables();
    let untracked_list = metadata.local_untracked();
    let untracked: HashSet<&QualifiedTable> = untracked_list.iter().collect();
    let extra: Vec<String> = tracked.iter().map(|t| t.table.to_string()).collect();
    // A source's foreign tables live in a schema named after it (metadata::sources).
    let mut schemas = exposed_schemas.to_vec();
    schemas.extend(
        metadata.sources.iter().filter(|s| s.name != crate::metadata::document::DEFAULT_SOURCE).map(|s| s.name.clone()),
    );
    let relations = reflect::relations(&reflect::Scope {
        schemas: &schemas,
        extra: &extra,
        for_current_role: true,
    });
    let relations: Vec<Relation> = relations
        .into_iter()
        .filter(|r| !untracked.contains(&QualifiedTable { schema: r.schema.clone(), name: r.name.clone() }))
        .collect();
    let mut model = from_relations(relations, &tracked, &Caller::current());
    add_computed_fields(&mut model, &tracked);
    add_tracked_functions(&mut model, metadata);
    model
}

/// A function's argument or result type as the schema can declare it: an enum is
/// declared with its labels, or becomes String when a table's type has its name (as
/// for columns).
fn declared(model: &mut Model, mut ty: ColumnType) -> ColumnType {
    if let Some(labels) = ty.enum_labels.clone() {
        if model.tables.iter().any(|t| t.type_name == ty.scalar) {
            ty.enum_labels = None;
            ty.scalar = "String".into();
            ty.kind = super::scalars::ScalarKind::Text;
        } else {
            model.enums.entry(ty.scalar.clone()).or_insert(labels);
        }
    }
    ty
}

/// `declared` for every input of a function call.
fn declare_inputs(model: &mut Model, call: &mut super::function_call::FunctionCall) {
    for (_, argument) in call.arguments.iter_mut() {
        if let super::function_call::Argument::Input { ty, .. } = argument {
            *ty = declared(model, ty.clone());
        }
    }
}

/// The index of the exposed table `table`.
fn table_index(model: &Model, table: &QualifiedTable) -> Option<usize> {
    model.tables.iter().position(|t| t.schema == table.schema && t.name == table.name)
}

/// Tracked functions of the default source that resolve, whose rows' table is exposed
/// and that the role may execute: root fields of query_root (and `_aggregate`), or of
/// mutation_root for VOLATILE ones not exposed as queries.
fn add_tracked_functions(model: &mut Model, metadata: &Metadata) {
    for entry in metadata.tracked_functions() {
        let Ok(mut resolved) = super::tracked_function::resolve(entry) else { continue };
        let Some(target) = table_index(model, &resolved.table) else { continue };
        if !resolved.executable {
            continue;
        }
        declare_inputs(model, &mut resolved.call);
        let index = model.functions.len();
        model.functions.push(TrackedFunction { call: resolved.call, target, set: resolved.set });
        if resolved.is_mutation {
            model.mutation_roots.entry(resolved.field).or_insert(RootField { table: index, kind: RootKind::Function });
        } else {
            model.roots.entry(resolved.field).or_insert(RootField { table: index, kind: RootKind::Function });
            if resolved.set && model.tables[target].allows_aggregations() {
                model.roots.entry(resolved.aggregate).or_insert(RootField { table: index, kind: RootKind::FunctionAggregate });
            }
        }
    }
}

/// The computed fields of tracked tables that resolve and that the role may execute,
/// as columns after the table's own. One that does not resolve is left out (reported
/// by get_inconsistent_metadata).
fn add_computed_fields(model: &mut Model, tracked: &[TrackedTable]) {
    use super::computed::Returns;
    let targets: HashMap<QualifiedTable, usize> = model.tables.iter().enumerate().map(|(i, t)| (t.qualified(), i)).collect();
    for entry in tracked {
        let Some(list) = entry.rest.get("computed_fields").and_then(serde_json::Value::as_array) else { continue };
        let Some(&t) = targets.get(&entry.table) else { continue };
        for item in list {
            let Some(name) = item.get("name").and_then(serde_json::Value::as_str) else { continue };
            let table = &model.tables[t];
            if !is_graphql_name(name) || table.fields.contains_key(name) || table.columns.iter().any(|c| c.sql_name == name) {
                continue;
            }

            let Ok(mut resolved) = super::computed::resolve(&entry.table, item) else { continue };
            if !resolved.executable {
                continue;
            }
            // A select permission lists the scalar computed fields a role may select;
            // those returning rows follow their table's permission (Hasura's rule).
            let scalar = matches!(resolved.returns, Returns::Scalar { .. });
            if scalar && model.tables[t].restriction.as_ref().is_some_and(|r| !r.computed_fields.contains(name)) {
                continue;
            }
            declare_inputs(model, &mut resolved.call);
            let returns = match resolved.returns {
                Returns::Scalar { sql_type, ty } if !resolved.call.has_inputs() => {
                    let ty = declared(model, ty);
                    let table = &mut model.tables[t];
                    table.fields.insert(name.to_string(), FieldRef::Column(table.columns.len()));
                    table.columns.push(Column {
                        sql_name: name.to_string(),
                        field_name: name.to_string(),
                        sql_type,
                        ty,
                        not_null: false,
                        computed: Some(resolved.call),
                    });
                    continue;
                }
                Returns::Scalar { ty, .. } => ComputedReturns::Scalar { ty: declared(model, ty) },
                Returns::Rows { table: rows, set } => match targets.get(&rows) {
                    Some(&target) => ComputedReturns::Rows { target, set },
                    None => continue,
                },
            };
            let table = &mut model.tables[t];
            table.fields.insert(name.to_string(), FieldRef::Computed(table.computed.len()));
            table.computed.push(ComputedField { call: resolved.call, returns });
        }
    }
}

/// The pure part of `build`, separated so it can be unit-tested without a catalog.
pub fn from_relations(relations: Vec<Relation>, tracked: &[TrackedTable], caller: &Caller) -> Model {
    let tracked_by_table: HashMap<&QualifiedTable, &TrackedTable> = tracked.iter().map(|t| (&t.table, t)).collect();
    // Permission filters resolve against every relation, visible to the role or not.
    let all_relations: HashMap<QualifiedTable, Relation> = relations
        .iter()
        .map(|r| (QualifiedTable { schema: r.schema.clone(), name: r.name.clone() }, r.clone()))
        .collect();
    let relation_of = |t: &QualifiedTable| all_relations.get(t).cloned();
    let entry_of = |t: &QualifiedTable| tracked_by_table.get(t).map(|e| (*e).clone());
    let catalog = super::row_filter::Catalog { relation: &relation_of, entry: &entry_of };
    let mut tables: Vec<Table> = Vec::new();
    let mut index_of: HashMap<QualifiedTable, usize> = HashMap::new();
    let mut kept_relations: Vec<Relation> = Vec::new();
    let mut type_names: HashSet<String> = HashSet::new();
    let mut enums: IndexMap<String, Vec<String>> = IndexMap::new();
    let mut insert_only_tables = Vec::new();

    for relation in relations {
        let key = QualifiedTable { schema: relation.schema.clone(), name: relation.name.clone() };
        let entry = tracked_by_table.get(&key);
        let restriction = match permission::access(caller, entry.copied(), &relation, &catalog) {
            Access::Unrestricted => None,
            Access::Restricted(restriction) => Some(restriction),
            Access::Hidden => {
                // An insert permission without a select one: Hasura's insert-only role.
                if let Some(table) = insert_only(caller, &relation, entry.copied(), &catalog, &mut type_names, &mut enums) {
                    insert_only_tables.push(table);
                }
                continue;
            }
        };
        let configuration = entry.map(|e| &e.configuration);
        let field_name = |column: &str| Some(column_field_name(configuration, column)).filter(|n| is_graphql_name(n));
        let writes = super::writes::resolve(caller, &relation, entry.copied(), &field_name, &catalog);
        // A select permission granting no column would leave a type without fields.
        if restriction.is_some() && !relation.columns.iter().any(|c| c.readable && restriction.as_ref().is_some_and(|r| r.allows_column(&c.name))) {
            continue;
        }
        let type_name = configuration
            .and_then(|c| c.custom_name.clone())
            .unwrap_or_else(|| relation_type_name(&relation.schema, &relation.name));
        if !is_graphql_name(&type_name) || !type_names.insert(type_name.clone()) {
            continue;
        }
        let mut columns = Vec::new();
        let mut hidden_columns = Vec::new();
        let mut fields = IndexMap::new();
        for c in relation.columns.iter().filter(|c| c.readable) {
            let ty = column_type(&c.type_name, c.elem_type_name.as_deref(), c.enum_labels.as_ref());
            if restriction.as_ref().is_some_and(|r| !r.allows_column(&c.name)) {
                let name = c.name.clone();
                hidden_columns.push(Column { sql_name: name.clone(), field_name: name, sql_type: c.sql_type.clone(), ty, not_null: c.not_null, computed: None });
                continue;
            }
            let field_name = column_field_name(configuration, &c.name);
            if !is_graphql_name(&field_name) || fields.contains_key(&field_name) {
                continue;
            }
            let column = Column { sql_name: c.name.clone(), field_name, sql_type: c.sql_type.clone(), ty, not_null: c.not_null, computed: None };
            if let Some(labels) = &column.ty.enum_labels {
                enums.insert(column.ty.scalar.clone(), labels.clone());
            }
            fields.insert(column.field_name.clone(), FieldRef::Column(columns.len()));
            columns.push(column);
        }
        let primary_key: Option<Vec<usize>> = relation
            .primary_key
            .iter()
            .map(|pk| columns.iter().position(|c| &c.sql_name == pk))
            .collect();
        let primary_key = primary_key.unwrap_or_default();
        index_of.insert(key, tables.len());
        tables.push(Table {
            schema: relation.schema.clone(),
            name: relation.name.clone(),
            type_name,
            columns,
            hidden_columns,
            restriction,
            writes,
            primary_key,
            relationships: Vec::new(),
            remote_relationships: Vec::new(),
            computed: Vec::new(),
            fields,
        });
        kept_relations.push(relation);
    }

    add_metadata_relationships(&mut tables, &kept_relations, &index_of, &tracked_by_table);
    add_inferred_relationships(&mut tables, &kept_relations, &index_of, &tracked_by_table);

    // Enum names must not clash with table types; a clashing enum becomes String.
    for table in tables.iter_mut() {
        for column in table.columns.iter_mut() {
            if column.ty.enum_labels.is_some() && type_names.contains(&column.ty.scalar) {
                column.ty.enum_labels = None;
                column.ty.scalar = "String".into();
                column.ty.kind = super::scalars::ScalarKind::Text;
            }
        }
    }
    enums.retain(|name, _| !type_names.contains(name));

    let roots = root_fields(&tables, &tracked_by_table);
    let table_mutations = mutation_fields(&tables, &insert_only_tables, &tracked_by_table);
    Model {
        tables,
        roots,
        enums,
        functions: Vec::new(),
        mutation_roots: IndexMap::new(),
        caller: caller.clone(),
        table_mutations,
        insert_only: insert_only_tables,
    }
}

/// Adds `relationship` unless its name (or its aggregate's) is taken; the aggregate
/// field only when the target allows aggregations (`aggregate`).
fn add_relationship(table: &mut Table, relationship: Relationship, aggregate_allowed: bool) -> bool {
    if table.fields.contains_key(&relationship.name) {
        return false;
    }
    let aggregate = format!("{}_aggregate", relationship.name);
    if relationship.kind == RelKind::Array && table.fields.contains_key(&aggregate) {
        return false;
    }
    let index = table.relationships.len();
    table.fields.insert(relationship.name.clone(), FieldRef::Relationship(index));
    if relationship.kind == RelKind::Array && aggregate_allowed {
        table.fields.insert(aggregate, FieldRef::RelationshipAggregate(index));
    }
    table.relationships.push(relationship);
    true
}

/// Whether every mapped column is readable on its side (a permission may hide it
/// from selection; the join still reads it).
fn mapping_readable(tables: &[Table], from: usize, to: usize, mapping: &[(String, String)]) -> bool {
    mapping.iter().all(|(l, r)| tables[from].key_column(l).is_some() && tables[to].key_column(r).is_some())
}

fn add_metadata_relationships(
    tables: &mut [Table],
    relations: &[Relation],
    index_of: &HashMap<QualifiedTable, usize>,
    tracked: &HashMap<&QualifiedTable, &TrackedTable>,
) {
    let lookup = |t: &QualifiedTable| index_of.get(t).map(|&i| relations[i].clone());
    for (i, relation) in relations.iter().enumerate() {
        let key = QualifiedTable { schema: relation.schema.clone(), name: relation.name.clone() };
        let entry = match tracked.get(&key) {
            Some(e) => e,
            None => continue,
        };
        let defs = entry
            .object_relationships
            .iter()
            .map(|d| (d, RelKind::Object))
            .chain(entry.array_relationships.iter().map(|d| (d, RelKind::Array)));
        for (def, kind) in defs {
            // One that no longer resolves (DDL since) is left out: it is inconsistent
            // metadata, reported by get_inconsistent_metadata, and the rest still works.
            let resolved = match resolve(relation, def, kind, &lookup) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let target = match index_of.get(&resolved.target) {
                Some(&t) => t,
                None => continue,
            };
            if !mapping_readable(tables, i, target, &resolved.mapping) {
                continue;
            }
            let aggregate = tables[target].allows_aggregations();
            add_relationship(
                &mut tables[i],
                Relationship { name: resolved.name, kind, target, mapping: resolved.mapping, target_holds_key: target_holds_key(def, kind) },
                aggregate,
            );
        }
    }
}

/// Whether the target row of `def` holds the key (Hasura: `foreign_key_constraint_on`
/// naming the target's table, or `insertion_order: after_parent`); an array
/// relationship's rows always do.
fn target_holds_key(def: &crate::metadata::document::RelationshipDef, kind: RelKind) -> bool {
    kind == RelKind::Array
        || def.using.pointer("/foreign_key_constraint_on/table").is_some()
        || def.using.pointer("/manual_configuration/insertion_order").and_then(serde_json::Value::as_str) == Some("after_parent")
}

/// Foreign keys that metadata already names, as (table index, constraint name).
fn foreign_keys_in_metadata(
    relations: &[Relation],
    index_of: &HashMap<QualifiedTable, usize>,
    tracked: &HashMap<&QualifiedTable, &TrackedTable>,
) -> HashSet<(usize, String)> {
    let lookup = |t: &QualifiedTable| index_of.get(t).map(|&i| relations[i].clone());
    let mut used = HashSet::new();
    for (i, relation) in relations.iter().enumerate() {
        let key = QualifiedTable { schema: relation.schema.clone(), name: relation.name.clone() };
        let Some(entry) = tracked.get(&key) else { continue };
        for (def, kind) in entry
            .object_relationships
            .iter()
            .map(|d| (d, RelKind::Object))
            .chain(entry.array_relationships.iter().map(|d| (d, RelKind::Array)))
        {
            if let Ok(r) = resolve(relation, def, kind, &lookup) {
                if let Some(fk) = r.foreign_key {
                    used.insert((i, format!("{}:{fk}", kind.label())));
                }
            }
        }
    }
    used
}

/// Relationships inferred from foreign keys (the README documents the naming rule):
/// - object, on the referencing table: the FK column without its `_id` suffix when the
///   key is one column named `x_id`, else the referenced table's type name;
/// - array, on the referenced table: the referencing table's type name;
/// - on a clash with a field, `<name>_by_<fk columns joined by _>`; if that clashes
///   too, the relationship is left out.
fn add_inferred_relationships(
    tables: &mut [Table],
    relations: &[Relation],
    index_of: &HashMap<QualifiedTable, usize>,
    tracked: &HashMap<&QualifiedTable, &TrackedTable>,
) {
    let in_metadata = foreign_keys_in_metadata(relations, index_of, tracked);
    for (from, relation) in relations.iter().enumerate() {
        for fk in &relation.foreign_keys {
            let target_key = QualifiedTable { schema: fk.ref_schema.clone(), name: fk.ref_table.clone() };
            let Some(&to) = index_of.get(&target_key) else { continue };
            let mapping: Vec<(String, String)> =
                fk.columns.iter().cloned().zip(fk.ref_columns.iter().cloned()).collect();
            if !mapping_readable(tables, from, to, &mapping) {
                continue;
            }
            let suffix = format!("_by_{}", fk.columns.join("_"));
            if !in_metadata.contains(&(from, format!("object:{}", fk.name))) {
                let preferred = match fk.columns.as_slice() {
                    [single] if single.len() > 3 && single.ends_with("_id") => single[..single.len() - 3].to_string(),
                    _ => tables[to].type_name.clone(),
                };
                let fallback = format!("{}{suffix}", tables[to].type_name);
                for name in [preferred, fallback] {
                    let rel = Relationship { name, kind: RelKind::Object, target: to, mapping: mapping.clone(), target_holds_key: false };
                    if is_graphql_name(&rel.name) && add_relationship(&mut tables[from], rel, false) {
                        break;
                    }
                }
            }
            let reversed: Vec<(String, String)> = mapping.iter().map(|(l, r)| (r.clone(), l.clone())).collect();
            let already_named = tracked
                .get(&target_key)
                .map(|_| {
                    // An explicit array relationship over this same key wins.
                    tables[to].relationships.iter().any(|r| {
                        r.kind == RelKind::Array && r.target == from && r.mapping == reversed
                    })
                })
                .unwrap_or(false);
            if !already_named {
                let preferred = tables[from].type_name.clone();
                let fallback = format!("{preferred}{suffix}");
                for name in [preferred, fallback] {
                    let rel = Relationship { name, kind: RelKind::Array, target: from, mapping: reversed.clone(), target_holds_key: true };
                    let aggregate = tables[from].allows_aggregations();
                    if is_graphql_name(&rel.name) && add_relationship(&mut tables[to], rel, aggregate) {
                        break;
                    }
                }
            }
        }
    }
}

fn root_fields(tables: &[Table], tracked: &HashMap<&QualifiedTable, &TrackedTable>) -> IndexMap<String, RootField> {
    let mut roots = IndexMap::new();
    for (i, table) in tables.iter().enumerate() {
        let custom = tracked.get(&table.qualified()).map(|t| &t.configuration.custom_root_fields);
        let name_for = |value: Option<&Option<serde_json::Value>>, default: String| {
            value.and_then(CustomRootFields::name_of).map(String::from).unwrap_or(default)
        };
        let select = name_for(custom.map(|c| &c.select), table.type_name.clone());
        let by_pk = name_for(custom.map(|c| &c.select_by_pk), format!("{}_by_pk", table.type_name));
        let aggregate = name_for(custom.map(|c| &c.select_aggregate), format!("{}_aggregate", table.type_name));
        let allows = |kind: &str| table.restriction.as_ref().is_none_or(|r| r.allows_root(kind));
        if allows("select") {
            roots.entry(select).or_insert(RootField { table: i, kind: RootKind::Select });
        }
        if !table.primary_key.is_empty() && allows("select_by_pk") {
            roots.entry(by_pk).or_insert(RootField { table: i, kind: RootKind::ByPk });
        }
        if table.allows_aggregations() && allows("select_aggregate") {
            roots.entry(aggregate).or_insert(RootField { table: i, kind: RootKind::Aggregate });
        }
    }
    roots
}

/// A column's GraphQL name: its `column_config` custom name, or its own.
fn column_field_name(configuration: Option<&crate::metadata::document::TableConfiguration>, column: &str) -> String {
    let custom = configuration.and_then(|cfg| cfg.column_config.get(column)).and_then(|cc| cc.custom_name.clone());
    custom.unwrap_or_else(|| column.to_string())
}

/// Hasura's mutation root fields of each table the role may write to (names from
/// `custom_root_fields` when set): inserts need insertable columns, updates updatable
/// ones, the `_by_pk` fields a primary key the role may select; an insert-only table
/// has its `insert_<t>` only.
fn mutation_fields(
    tables: &[Table],
    insert_only: &[Table],
    tracked: &HashMap<&QualifiedTable, &TrackedTable>,
) -> IndexMap<String, TableMutation> {
    use MutationKind::*;
    let mut fields = IndexMap::new();
    let readable = tables.iter().enumerate().map(|(i, t)| (i, t, false));
    let write_only = insert_only.iter().enumerate().map(|(i, t)| (i, t, true));
    for (i, table, insert_only) in readable.chain(write_only) {
        let custom = tracked.get(&table.qualified()).map(|t| &t.configuration.custom_root_fields);
        let t = &table.type_name;
        let has_key = !table.primary_key.is_empty();
        let candidates = [
            (Insert, "insert", format!("insert_{t}"), table.writes.insert.is_some()),
            (InsertOne, "insert_one", format!("insert_{t}_one"), table.writes.insert.is_some() && !insert_only),
            (Update, "update", format!("update_{t}"), table.writes.update.is_some()),
            (UpdateByPk, "update_by_pk", format!("update_{t}_by_pk"), table.writes.update.is_some() && has_key),
            (UpdateMany, "update_many", format!("update_{t}_many"), table.writes.update.is_some()),
            (Delete, "delete", format!("delete_{t}"), table.writes.delete.is_some()),
            (DeleteByPk, "delete_by_pk", format!("delete_{t}_by_pk"), table.writes.delete.is_some() && has_key),
        ];
        for (kind, key, default, available) in candidates {
            if !available {
                continue;
            }
            let given = custom.and_then(|c| c.rest.get(key)).cloned();
            let name = CustomRootFields::name_of(&given).map(String::from).unwrap_or(default);
            fields.entry(name).or_insert(TableMutation { table: i, kind, insert_only });
        }
    }
    fields
}

/// The insert-only table of `relation` for `caller` (an insert permission and no select
/// one): its insertable columns, and its readable ones for RETURNING (which needs
/// SELECT on them; the answer is `affected_rows` only).
fn insert_only(
    caller: &Caller,
    relation: &Relation,
    entry: Option<&TrackedTable>,
    catalog: &super::row_filter::Catalog,
    type_names: &mut HashSet<String>,
    enums: &mut IndexMap<String, Vec<String>>,
) -> Option<Table> {
    let configuration = entry.map(|e| &e.configuration);
    let field_name = |column: &str| Some(column_field_name(configuration, column)).filter(|n| is_graphql_name(n));
    let insert = super::writes::resolve(caller, relation, entry, &field_name, catalog).insert?;
    let type_name = configuration
        .and_then(|c| c.custom_name.clone())
        .unwrap_or_else(|| relation_type_name(&relation.schema, &relation.name));
    if !is_graphql_name(&type_name) || !type_names.insert(type_name.clone()) {
        return None;
    }
    for column in &insert.columns {
        if let Some(labels) = &column.ty.enum_labels {
            enums.insert(column.ty.scalar.clone(), labels.clone());
        }
    }
    let hidden_columns = relation
        .columns
        .iter()
        .filter(|c| c.readable)
        .map(|c| Column {
            sql_name: c.name.clone(),
            field_name: c.name.clone(),
            sql_type: c.sql_type.clone(),
            ty: column_type(&c.type_name, c.elem_type_name.as_deref(), c.enum_labels.as_ref()),
            not_null: c.not_null,
            computed: None,
        })
        .collect();
    Some(Table {
        schema: relation.schema.clone(),
        name: relation.name.clone(),
        type_name,
        columns: Vec::new(),
        hidden_columns,
        restriction: None,
        writes: super::writes::Writes { insert: Some(insert), ..Default::default() },
        primary_key: Vec::new(),
        relationships: Vec::new(),
        remote_relationships: Vec::new(),
        computed: Vec::new(),
        fields: IndexMap::new(),
    })
}
