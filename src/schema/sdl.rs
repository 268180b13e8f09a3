//! Prints the model as GraphQL SDL, Hasura's type and argument names, and hands it
//! to apollo-compiler, whose validated schema drives validation and introspection.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::filter_op::FilterOp;
use super::function_call::FunctionCall;
use super::model::{ComputedReturns, FieldRef, Model, RootKind, Table};
use super::remote::RemoteModel;
use super::scalars::{ColumnType, ScalarKind, CUSTOM_SCALARS};
use crate::metadata::document::RelKind;


/// The comparison input type for a column type.
pub fn comparison_type_name(ty: &ColumnType) -> String {
    if ty.is_list {
        format!("{}_array_comparison_exp", ty.scalar)
    } else {
        format!("{}_comparison_exp", ty.scalar)
    }
}

/// What composition adds to the tables and the remote schemas: actions' custom
/// types and root fields, and join fields on remote and custom object types.
#[derive(Debug, Default, Clone)]
pub struct Additions {
    /// Type definitions (custom types of actions).
    pub types: Vec<String>,
    /// Fields added to object types: (our type name, field SDL).
    pub fields: Vec<(String, String)>,
    /// Field SDL added to query_root and to mutation_root.
    pub query_fields: Vec<String>,
    pub mutation_fields: Vec<String>,
}

/// The SDL of the whole schema: the tables' part, then each remote schema's types
/// (a scalar already declared is declared once) and root fields, then `additions`.
pub fn print(model: &Model, remotes: &[RemoteModel], additions: &Additions) -> String {
    let mut out = String::new();
    let remote_mutations: Vec<&String> = remotes.iter().flat_map(|r| r.mutation_field_definitions.iter()).collect();
    let has_mutations = !additions.mutation_fields.is_empty()
        || !model.mutation_roots.is_empty()
        || !model.table_mutations.is_empty()
        || !remote_mutations.is_empty();
    if !has_mutations {
        out.push_str("schema { query: query_root }\n\n");
    } else {
        out.push_str("schema { query: query_root mutation: mutation_root }\n\n");
    }
    for scalar in CUSTOM_SCALARS {
        let _ = writeln!(out, "scalar {scalar}");
    }
    out.push_str(
        "\n\"\"\"column ordering options\"\"\"\nenum order_by {\n  \"in ascending order, nulls last\"\n  asc\n  asc_nulls_first\n  asc_nulls_last\n  \"in descending order, nulls first\"\n  desc\n  desc_nulls_first\n  desc_nulls_last\n}\n\n",
    );
    for (name, labels) in &model.enums {
        let _ = writeln!(out, "enum {name} {{\n  {}\n}}\n", labels.join("\n  "));
    }
    print_comparison_types(model, &mut out);
    print_function_inputs(model, &mut out);
    for (index, table) in model.tables.iter().enumerate() {
        print_table(model, table, &mut out);
        super::mutation_sdl::types(model, index, false, &mut out);
        for join in &table.remote_relationships {
            for (_, block) in join.input_types() {
                out.push_str(block);
            }
        }
    }
    for index in 0..model.insert_only.len() {
        super::mutation_sdl::types(model, index, true, &mut out);
    }
    let mut scalars: BTreeSet<String> = CUSTOM_SCALARS.iter().map(|s| s.to_string()).collect();
    for remote in remotes {
        for (name, is_scalar, block) in &remote.types {
            if *is_scalar && !scalars.insert(name.clone()) {
                continue;
            }
            out.push_str(block);
        }
    }
    for block in &additions.types {
        out.push_str(block);
    }
    for (type_name, field) in &additions.fields {
        let _ = writeln!(out, "extend type {type_name} {{\n  \"A remote relationship\"\n  {field}\n}}\n");
    }
    if has_mutations {
        let mut fields = additions.mutation_fields.clone();
        fields.extend(model.table_mutations.iter().map(|(name, m)| super::mutation_sdl::field(model, name, *m)));
        fields.extend(model.mutation_roots.iter().map(|(name, root)| function_root(model, name, *root)));
        fields.extend(remote_mutations.iter().map(|d| d.to_string()));
        let _ = writeln!(out, "type mutation_root {{\n  {}\n}}\n", fields.join("\n  "));
    }
    out.push_str("type query_root {\n");
    for field in &additions.query_fields {
        let _ = writeln!(out, "  {field}");
    }
    for remote in remotes {
        for definition in &remote.root_field_definitions {
            let _ = writeln!(out, "  {definition}");
        }
    }
    let has_remote_roots = remotes.iter().any(|r| !r.root_field_definitions.is_empty());
    if model.roots.is_empty() && !has_remote_roots && additions.query_fields.is_empty() {
        out.push_str("  \"no tables are exposed to this role\"\n  no_queries_available: String!\n");
    }
    for (name, root) in &model.roots {
        if matches!(root.kind, RootKind::Function | RootKind::FunctionAggregate) {
            let _ = writeln!(out, "  {}", function_root(model, name, *root));
            continue;
        }
        let table = &model.tables[root.table];
        let t = &table.type_name;
        match root.kind {
            RootKind::Select => {
                let _ = writeln!(out, "  \"fetch data from the table: {}\"", describe(table));
                let _ = writeln!(out, "  {name}{}: [{t}!]!", list_arguments(t));
            }
            RootKind::ByPk => {
                let args: Vec<String> = table
                    .primary_key
                    .iter()
                    .map(|&c| {
                        let col = &table.columns[c];
                        format!("{}: {}!", col.field_name, output_type(&col.ty))
                    })
                    .collect();
                let _ = writeln!(out, "  \"fetch data from the table: {} using primary key columns\"", describe(table));
                let _ = writeln!(out, "  {name}({}): {t}", args.join(", "));
            }
            RootKind::Aggregate => {
                let _ = writeln!(out, "  \"fetch aggregated fields from the table: {}\"", describe(table));
                let _ = writeln!(out, "  {name}{}: {t}_aggregate!", list_arguments(t));
            }
            RootKind::Function | RootKind::FunctionAggregate => {}
        }
    }
    out.push_str("}\n");
    out
}

/// Arguments of a field backed by a function: `args` (when it has inputs), then the
/// list arguments over its rows when `rows` names their type.
fn call_arguments(call: &FunctionCall, rows: Option<&str>) -> String {
    let mut parts: Vec<String> = call.args_argument().into_iter().collect();
    if let Some(t) = rows {
        let list = list_arguments(t);
        parts.push(list[1..list.len() - 1].to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("({})", parts.join(", "))
    }
}

/// A tracked function's root field.
fn function_root(model: &Model, name: &str, root: crate::schema::model::RootField) -> String {
    let function = &model.functions[root.table];
    let t = &model.tables[function.target].type_name;
    let description = format!("\"execute function \\\"{}\\\" which returns \\\"{t}\\\"\"", escaped(&function.call.function.to_string()));
    match (root.kind, function.set) {
        (RootKind::FunctionAggregate, _) => format!("{description}\n  {name}{}: {t}_aggregate!", call_arguments(&function.call, Some(t))),
        (_, true) => format!("{description}\n  {name}{}: [{t}!]!", call_arguments(&function.call, Some(t))),
        (_, false) => format!("{description}\n  {name}{}: {t}", call_arguments(&function.call, None)),
    }
}

/// The `<function>_args` input types, each once.
fn print_function_inputs(model: &Model, out: &mut String) {
    let calls = model
        .functions
        .iter()
        .map(|f| &f.call)
        .chain(model.tables.iter().flat_map(|t| t.computed.iter().map(|c| &c.call)));
    let mut seen = BTreeSet::new();
    for call in calls {
        if let Some(block) = call.args_input_type() {
            if seen.insert(call.args_type.clone()) {
                out.push_str(&block);
            }
        }
    }
}

pub fn describe(table: &Table) -> String {
    escaped(&format!("{}.{}", table.schema, table.name))
}

/// `text` as it may stand inside a description string of the SDL.
fn escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

pub fn list_arguments(t: &str) -> String {
    format!(
        "(distinct_on: [{t}_select_column!], limit: Int, offset: Int, order_by: [{t}_order_by!], where: {t}_bool_exp)"
    )
}

fn output_type(ty: &ColumnType) -> String {
    if ty.is_list {
        format!("[{}]", ty.scalar)
    } else {
        ty.scalar.clone()
    }
}

fn print_comparison_types(model: &Model, out: &mut String) {
    let mut seen = BTreeSet::new();
    for column in model.tables.iter().flat_map(|t| t.columns.iter()) {
        let name = comparison_type_name(&column.ty);
        if !seen.insert(name.clone()) {
            continue;
        }
        let s = &column.ty.scalar;
        let _ = writeln!(out, "\"Boolean expression to compare columns of type {s}. All fields are combined with logical 'AND'.\"");
        let _ = writeln!(out, "input {name} {{");
        for op in FilterOp::ALL.into_iter().filter(|op| op.applies(&column.ty)) {
            let _ = writeln!(out, "  {}: {}", op.name(), op.operand_type(&column.ty));
        }
        out.push_str("}\n\n");
    }
}

fn print_table(model: &Model, table: &Table, out: &mut String) {
    let t = &table.type_name;
    let _ = writeln!(out, "\"columns and relationships of \\\"{}\\\"\"", describe(table));
    let _ = writeln!(out, "type {t} {{");
    for (field, reference) in &table.fields {
        match *reference {
            FieldRef::Column(c) => {
                let col = &table.columns[c];
                let bang = if col.not_null { "!" } else { "" };
                if let Some(call) = &col.computed {
                    let _ = writeln!(out, "  \"A computed field, executes function \\\"{}\\\"\"", escaped(&call.function.to_string()));
                }
                let _ = writeln!(out, "  {field}: {}{bang}", output_type(&col.ty));
            }
            FieldRef::Relationship(r) => {
                let rel = &table.relationships[r];
                let target = &model.tables[rel.target].type_name;
                match rel.kind {
                    RelKind::Object => {
                        let _ = writeln!(out, "  \"An object relationship\"\n  {field}: {target}");
                    }
                    RelKind::Array => {
                        let _ = writeln!(out, "  \"An array relationship\"\n  {field}{}: [{target}!]!", list_arguments(target));
                    }
                }
            }
            FieldRef::RelationshipAggregate(r) => {
                let target = &model.tables[table.relationships[r].target].type_name;
                let _ = writeln!(out, "  \"An aggregate relationship\"\n  {field}{}: {target}_aggregate!", list_arguments(target));
            }
            FieldRef::RemoteRelationship(r) => {
                let _ = writeln!(out, "  \"A remote relationship\"\n  {}", table.remote_relationships[r].field_sdl());
            }
            FieldRef::Computed(c) => {
                let computed = &table.computed[c];
                let _ = writeln!(out, "  \"A computed field, executes function \\\"{}\\\"\"", escaped(&computed.call.function.to_string()));
                let _ = match &computed.returns {
                    ComputedReturns::Scalar { ty } => {
                        writeln!(out, "  {field}{}: {}", call_arguments(&computed.call, None), output_type(ty))
                    }
                    ComputedReturns::Rows { target, set: true } => {
                        let target = &model.tables[*target].type_name;
                        writeln!(out, "  {field}{}: [{target}!]", call_arguments(&computed.call, Some(target)))
                    }
                    ComputedReturns::Rows { target, set: false } => {
                        let target = &model.tables[*target].type_name;
                        writeln!(out, "  {field}{}: {target}", call_arguments(&computed.call, None))
                    }
                };
            }
        }
    }
    out.push_str("}\n\n");

    // where
    let _ = writeln!(out, "\"Boolean expression to filter rows from the table \\\"{}\\\". All fields are combined with a logical 'AND'.\"", describe(table));
    let _ = writeln!(out, "input {t}_bool_exp {{\n  _and: [{t}_bool_exp!]\n  _not: {t}_bool_exp\n  _or: [{t}_bool_exp!]");
    for (field, reference) in &table.fields {
        match *reference {
            FieldRef::Column(c) => {
                let _ = writeln!(out, "  {field}: {}", comparison_type_name(&table.columns[c].ty));
            }
            FieldRef::Relationship(r) => {
                let target = &model.tables[table.relationships[r].target].type_name;
                let _ = writeln!(out, "  {field}: {target}_bool_exp");
            }
            FieldRef::RelationshipAggregate(_) | FieldRef::RemoteRelationship(_) | FieldRef::Computed(_) => {}
        }
    }
    out.push_str("}\n\n");

    // order_by
    let _ = writeln!(out, "\"Ordering options when selecting data from \\\"{}\\\".\"", describe(table));
    let _ = writeln!(out, "input {t}_order_by {{");
    let mut any = false;
    for (field, reference) in &table.fields {
        match *reference {
            FieldRef::Column(c) if !table.columns[c].ty.is_list => {
                let _ = writeln!(out, "  {field}: order_by");
                any = true;
            }
            FieldRef::Relationship(r) if table.relationships[r].kind == RelKind::Object => {
                let target = &model.tables[table.relationships[r].target].type_name;
                let _ = writeln!(out, "  {field}: {target}_order_by");
                any = true;
            }
            _ => {}
        }
    }
    if !any {
        out.push_str("  \"no orderable columns\"\n  _no_columns: order_by\n");
    }
    out.push_str("}\n\n");

    // select_column
    let _ = writeln!(out, "\"select columns of table \\\"{}\\\"\"", describe(table));
    let _ = writeln!(out, "enum {t}_select_column {{");
    // Columns only: a computed field is not a column to pick (Hasura's rule).
    let selectable: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.computed.is_none())
        .map(|c| c.field_name.as_str())
        .filter(|n| !matches!(*n, "true" | "false" | "null"))
        .collect();
    if selectable.is_empty() {
        out.push_str("  _no_columns\n");
    }
    for name in selectable {
        let _ = writeln!(out, "  {name}");
    }
    out.push_str("}\n\n");

    print_aggregate_types(table, out);
}

fn print_aggregate_types(table: &Table, out: &mut String) {
    let t = &table.type_name;
    let _ = writeln!(out, "\"aggregated selection of \\\"{}\\\"\"", describe(table));
    let _ = writeln!(out, "type {t}_aggregate {{\n  aggregate: {t}_aggregate_fields\n  nodes: [{t}!]!\n}}\n");
    let columns = table.columns.iter().filter(|c| c.computed.is_none());
    let numeric: Vec<_> = columns.clone().filter(|c| !c.ty.is_list && c.ty.kind == ScalarKind::Numeric).collect();
    let comparable: Vec<_> = columns
        .filter(|c| !c.ty.is_list && matches!(c.ty.kind, ScalarKind::Numeric | ScalarKind::Text | ScalarKind::Ordered))
        .collect();
    let _ = writeln!(out, "type {t}_aggregate_fields {{\n  count(columns: [{t}_select_column!], distinct: Boolean): Int!");
    if !numeric.is_empty() {
        let _ = writeln!(out, "  sum: {t}_sum_fields\n  avg: {t}_avg_fields");
    }
    if !comparable.is_empty() {
        let _ = writeln!(out, "  max: {t}_max_fields\n  min: {t}_min_fields");
    }
    out.push_str("}\n\n");
    if !numeric.is_empty() {
        let _ = writeln!(out, "type {t}_sum_fields {{");
        for c in &numeric {
            let _ = writeln!(out, "  {}: {}", c.field_name, sum_type(&c.ty.scalar));
        }
        out.push_str("}\n\n");
        let _ = writeln!(out, "type {t}_avg_fields {{");
        for c in &numeric {
            let _ = writeln!(out, "  {}: Float", c.field_name);
        }
        out.push_str("}\n\n");
    }
    if !comparable.is_empty() {
        for which in ["max", "min"] {
            let _ = writeln!(out, "type {t}_{which}_fields {{");
            for c in &comparable {
                let _ = writeln!(out, "  {}: {}", c.field_name, c.ty.scalar);
            }
            out.push_str("}\n\n");
        }
    }
}

/// Postgres widens sums: sum(int4) is bigint, sum(int8) is numeric.
pub fn sum_type(scalar: &str) -> &str {
    match scalar {
        "Int" => "bigint",
        "bigint" => "numeric",
        other => other,
    }
}
