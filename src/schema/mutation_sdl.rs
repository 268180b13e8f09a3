//! The SDL of table mutations, with Hasura's names: the root fields (`insert_<t>`,
//! `update_<t>_by_pk`, …) and each table's input and response types.

use std::fmt::Write;

use super::model::{Model, MutationKind, Table, TableMutation};
use super::scalars::ColumnType;
use super::update_op::UpdateOp;
use super::writes::WriteColumn;

fn value_type(ty: &ColumnType) -> String {
    if ty.is_list {
        format!("[{}]", ty.scalar)
    } else {
        ty.scalar.clone()
    }
}

/// An update operator of a table with the columns it applies to.
struct UpdateOperator<'c> {
    op: UpdateOp,
    columns: Vec<&'c WriteColumn>,
}

/// The update operators a table's updatable columns offer.
fn update_operators(columns: &[WriteColumn]) -> Vec<UpdateOperator<'_>> {
    UpdateOp::ALL
        .into_iter()
        .map(|op| UpdateOperator { op, columns: columns.iter().filter(|c| op.applies(&c.ty)).collect() })
        .collect()
}

/// The update operator arguments of `table` (`_set: t_set_input, …`).
fn update_arguments(table: &Table) -> Vec<String> {
    let Some(update) = &table.writes.update else { return Vec::new() };
    update_operators(&update.columns)
        .into_iter()
        .filter(|o| !o.columns.is_empty())
        .map(|o| format!("{}: {}_{}", o.op.argument(), table.type_name, o.op.suffix()))
        .collect()
}

/// Whether inserts into `table` take `on_conflict`: a unique constraint to name, and
/// (Hasura's rule) the update permission an upsert needs.
fn upserts(table: &Table) -> bool {
    !table.writes.constraints.is_empty() && table.writes.update.is_some()
}

/// The field definition of mutation root field `name`.
pub fn field(model: &Model, name: &str, mutation: TableMutation) -> String {
    let table = model.mutation_table(mutation);
    let t = &table.type_name;
    let on_conflict = if upserts(table) { format!(", on_conflict: {t}_on_conflict") } else { String::new() };
    let pk_arguments: Vec<String> = table
        .primary_key
        .iter()
        .map(|&c| format!("{}: {}!", table.columns[c].field_name, value_type(&table.columns[c].ty)))
        .collect();
    let mut updates = update_arguments(table);
    let (description, definition) = match mutation.kind {
        MutationKind::Insert => ("insert data into the table", format!("{name}(objects: [{t}_insert_input!]!{on_conflict}): {t}_mutation_response")),
        MutationKind::InsertOne => ("insert a single row into the table", format!("{name}(object: {t}_insert_input!{on_conflict}): {t}")),
        MutationKind::Update => {
            updates.push(format!("where: {t}_bool_exp!"));
            ("update data of the table", format!("{name}({}): {t}_mutation_response", updates.join(", ")))
        }
        MutationKind::UpdateByPk => {
            updates.push(format!("pk_columns: {t}_pk_columns_input!"));
            ("update single row of the table", format!("{name}({}): {t}", updates.join(", ")))
        }
        MutationKind::UpdateMany => ("update multiples rows of table", format!("{name}(updates: [{t}_updates!]!): [{t}_mutation_response]")),
        MutationKind::Delete => ("delete data from the table", format!("{name}(where: {t}_bool_exp!): {t}_mutation_response")),
        MutationKind::DeleteByPk => ("delete single row from the table", format!("{name}({}): {t}", pk_arguments.join(", "))),
    };
    format!("\"{description}: \\\"{}\\\"\"\n  {definition}", super::sdl::describe(table))
}

/// The input and response types the mutation fields of a table use (of
/// `Model::insert_only` when `insert_only`).
pub fn types(model: &Model, table_index: usize, insert_only: bool, out: &mut String) {
    let mutations: Vec<MutationKind> = model
        .table_mutations
        .values()
        .filter(|m| m.table == table_index && m.insert_only == insert_only)
        .map(|m| m.kind)
        .collect();
    let Some(table) = (if insert_only { model.insert_only.get(table_index) } else { model.tables.get(table_index) }) else { return };
    if mutations.is_empty() {
        return;
    }
    let t = &table.type_name;
    // An insert-only role reads nothing of the table: no `returning`.
    let returning = if insert_only {
        String::new()
    } else {
        format!("  \"data from the rows affected by the mutation\"\n  returning: [{t}!]!\n")
    };
    let _ = writeln!(
        out,
        "\"response of any mutation on the table \\\"{t}\\\"\"\ntype {t}_mutation_response {{\n  \"number of rows affected by the mutation\"\n  affected_rows: Int!\n{returning}}}\n"
    );
    if let Some(insert) = &table.writes.insert {
        let _ = writeln!(out, "\"input type for inserting data into table \\\"{t}\\\"\"\ninput {t}_insert_input {{");
        for column in &insert.columns {
            let _ = writeln!(out, "  {}: {}", column.field_name, value_type(&column.ty));
        }
        // Nested inserts through relationships into tables the role may insert into.
        let mut nested = 0;
        for relationship in &table.relationships {
            if model.tables[relationship.target].writes.insert.is_none() {
                continue;
            }
            let target = &model.tables[relationship.target].type_name;
            let suffix = match relationship.kind {
                crate::metadata::document::RelKind::Object => "obj_rel_insert_input",
                crate::metadata::document::RelKind::Array => "arr_rel_insert_input",
            };
            let _ = writeln!(out, "  {}: {target}_{suffix}", relationship.name);
            nested += 1;
        }
        if insert.columns.is_empty() && nested == 0 {
            let _ = writeln!(out, "  \"no columns to give: every value comes from a default or a preset\"\n  {}: Boolean", super::writes::NO_COLUMNS);
        }
        out.push_str("}\n\n");
        let on_conflict = if upserts(table) { format!("\n  on_conflict: {t}_on_conflict") } else { String::new() };
        let _ = writeln!(
            out,
            "\"input type for inserting object relation for remote table \\\"{t}\\\"\"\ninput {t}_obj_rel_insert_input {{\n  data: {t}_insert_input!{on_conflict}\n}}\n"
        );
        let _ = writeln!(
            out,
            "\"input type for inserting array relation for remote table \\\"{t}\\\"\"\ninput {t}_arr_rel_insert_input {{\n  data: [{t}_insert_input!]!{on_conflict}\n}}\n"
        );
        if upserts(table) {
            let _ = writeln!(out, "\"unique or primary key constraints on table \\\"{t}\\\"\"\nenum {t}_constraint {{");
            for constraint in &table.writes.constraints {
                let _ = writeln!(out, "  {}", constraint.name);
            }
            out.push_str("}\n\n");
            let _ = writeln!(out, "\"update columns of table \\\"{t}\\\"\"\nenum {t}_update_column {{");
            let updatable = table.writes.update.as_ref().map(|u| u.columns.as_slice()).unwrap_or(&[]);
            for column in updatable {
                let _ = writeln!(out, "  {}", column.field_name);
            }
            if updatable.is_empty() {
                out.push_str("  \"placeholder (do not use)\"\n  _PLACEHOLDER\n");
            }
            out.push_str("}\n\n");
            let _ = writeln!(
                out,
                "\"on_conflict condition type for table \\\"{t}\\\"\"\ninput {t}_on_conflict {{\n  constraint: {t}_constraint!\n  update_columns: [{t}_update_column!]! = []\n  where: {t}_bool_exp\n}}\n"
            );
        }
    }
    if let Some(update) = &table.writes.update {
        let operators = update_operators(&update.columns);
        for UpdateOperator { op, columns } in &operators {
            if columns.is_empty() {
                continue;
            }
            let (argument, suffix) = (op.argument(), op.suffix());
            let _ = writeln!(out, "\"input type for the {argument} operator of table \\\"{t}\\\"\"\ninput {t}_{suffix} {{");
            for column in columns {
                let _ = writeln!(out, "  {}: {}", column.field_name, op.value_type(&column.ty));
            }
            out.push_str("}\n\n");
        }
        if mutations.contains(&MutationKind::UpdateMany) {
            let _ = writeln!(out, "input {t}_updates {{");
            for argument in update_arguments(table) {
                let _ = writeln!(out, "  {argument}");
            }
            let _ = writeln!(out, "  \"filter the rows which have to be updated\"\n  where: {t}_bool_exp!\n}}\n");
        }
    }
    if mutations.contains(&MutationKind::UpdateByPk) {
        let _ = writeln!(out, "\"primary key columns input for table: {t}\"\ninput {t}_pk_columns_input {{");
        for &c in &table.primary_key {
            let _ = writeln!(out, "  {}: {}!", table.columns[c].field_name, value_type(&table.columns[c].ty));
        }
        out.push_str("}\n\n");
    }
}
