//! Table mutations to SQL. Each root field is ONE write statement (`insert`, `update`
//! or `delete` in a CTE, every value bound) that also counts the rows failing the
//! permission's check. When the answer reads nothing but the written rows, the same
//! statement builds it from the CTE; otherwise (relationships, computed fields) the
//! rows come back and ONE more statement shapes the answer from them, fed back as a
//! parameter: no second scan of the table, and relationships see the rows as they are
//! after the write. A nested insert writes row by row (`nested_insert`).

use serde_json::{Map, Value};

use super::emit::Emit;
use super::params::{array_text, as_list, scalar_text};
use super::select::Builder;
use super::{ident, Refusal, Session, Statement};
use crate::error::{code, GraphqlError, PathSegment};
use crate::query::bulk::BulkList;
use crate::query::normalize::Field;
use crate::schema::model::{Model, MutationKind, Table, TableMutation};
use crate::schema::row_filter::{Operand, RowFilter};
use crate::schema::scalars::ColumnType;
use crate::schema::update_op::UpdateOp;
use crate::spi::JsonbParam;
use crate::schema::writes::{ColumnPreset, Insert, WriteColumn, NO_COLUMNS};

/// One write and how its answer is made.
#[derive(Debug)]
pub enum Write {
    /// ONE statement writing and answering: `{"violations": n, "answer": …}` (when the
    /// answer reads nothing but the written rows).
    Answered(Statement),
    /// A write returning `{"rows": [...], "violations": n}` (or a nested insert, row by
    /// row), then the statement shaping the answer from the rows: its first parameter
    /// is the rows, its second (`counted`) their count.
    Shaped { write: WriteStep, shape: Statement, counted: bool },
}

/// What a shaped write runs: one statement, or (a nested insert) rows one by one.
#[derive(Debug)]
pub enum WriteStep {
    Statement(Statement),
    Rows(Vec<super::nested_insert::RowInsert>),
}

/// A table mutation root field: its writes (several for `update_<t>_many`), run in order.
#[derive(Debug)]
pub struct TableWrite {
    pub writes: Vec<Write>,
    /// `update_<t>_many`: the answer is the list of the writes' answers.
    pub many: bool,
}

/// Plans the mutation root field `field`; `list`: the rows of an insert, read in place.
pub fn plan(model: &Model, session: &Session, mutation: TableMutation, field: &Field, list: Option<&BulkList>) -> Result<TableWrite, GraphqlError> {
    let table = model.mutation_table(mutation);
    let path = [PathSegment::Key(field.response_key.clone())];
    let refused = |r: Refusal| GraphqlError::new(r.code, r.message).at(&path);
    let one = |write: Result<Insertion, Refusal>, response: bool| -> Result<Write, GraphqlError> {
        let write = match write.map_err(refused)? {
            Insertion::Sql(sql) if !reads_after_write(table, field, response) => {
                return answered(model, session, table, field, response, sql);
            }
            Insertion::Sql(sql) => WriteStep::Statement(sql.rows_statement()),
            Insertion::Rows(rows) => WriteStep::Rows(rows),
        };
        let shape = shape(model, session, table, field, response)?;
        Ok(Write::Shaped { write, shape, counted: response })
    };
    let writes = match mutation.kind {
        MutationKind::Insert => {
            // A list argument given one object stands for a list of it.
            let objects = match (list, field.argument("objects")) {
                (Some(list), _) => insert_list(model, session, table, list, field.argument("on_conflict")).map(Insertion::Sql),
                (None, Some(Value::Array(items))) => insert(model, session, table, items, field.argument("on_conflict")),
                (None, Some(single)) => insert(model, session, table, std::slice::from_ref(single), field.argument("on_conflict")),
                (None, None) => insert(model, session, table, &[], None),
            };
            vec![one(objects, true)?]
        }
        MutationKind::InsertOne => {
            let object = field.argument("object").cloned().unwrap_or(Value::Null);
            vec![one(insert(model, session, table, &[object], field.argument("on_conflict")), false)?]
        }
        MutationKind::Update => vec![one(update(model, session, table, &field.arguments, Target::Where).map(Insertion::Sql), true)?],
        MutationKind::UpdateByPk => {
            vec![one(update(model, session, table, &field.arguments, Target::PkColumns).map(Insertion::Sql), false)?]
        }
        MutationKind::UpdateMany => {
            let updates = as_list(field.argument("updates").unwrap_or(&Value::Null));
            updates
                .iter()
                .map(|u| one(update(model, session, table, u.as_object().unwrap_or(&Map::new()), Target::Where).map(Insertion::Sql), true))
                .collect::<Result<Vec<_>, _>>()?
        }
        MutationKind::Delete => vec![one(delete(model, session, table, &field.arguments, Target::Where).map(Insertion::Sql), true)?],
        MutationKind::DeleteByPk => {
            vec![one(delete(model, session, table, &field.arguments, Target::PkArguments).map(Insertion::Sql), false)?]
        }
    };
    Ok(TableWrite { writes, many: mutation.kind == MutationKind::UpdateMany })
}

/// The statement shaping the answer: `<t>_mutation_response` (`response`) or the row.
fn shape(model: &Model, session: &Session, table: &Table, field: &Field, response: bool) -> Result<Statement, GraphqlError> {
    let mut builder = Builder::new(model, session, field.response_key.clone());
    let rows = builder.placeholder("jsonb");
    let source = format!("jsonb_populate_recordset(null::{}, {rows})", qualified(table));
    let expression = if response {
        let affected = builder.placeholder("int");
        builder.mutation_response(table, field, &source, &format!("to_json({affected})"))?
    } else {
        builder.single_row(table, field, &source)?
    };
    let (params, joins) = builder.finish();
    Ok(Statement { sql: format!("select {expression}"), params, joins, jsonb: None })
}

/// Whether the answer needs more than the written rows as the writing statement sees
/// them: a relationship must see the tables after the write, which that statement
/// cannot; a computed field's function takes the table's row type, which the CTE's
/// rows are not.
fn reads_after_write(table: &Table, field: &Field, response: bool) -> bool {
    use crate::schema::model::FieldRef;
    let selection: Vec<&Field> = if response {
        field.selection.iter().filter(|f| f.name == "returning").flat_map(|f| f.selection.iter()).collect()
    } else {
        field.selection.iter().collect()
    };
    selection.iter().any(|f| match table.fields.get(&f.name) {
        Some(FieldRef::Column(c)) => table.columns[*c].computed.is_some(),
        Some(FieldRef::Relationship(_) | FieldRef::RelationshipAggregate(_) | FieldRef::Computed(_)) => true,
        Some(FieldRef::RemoteRelationship(_)) | None => false,
    })
}

/// ONE statement writing and answering from the written rows (the CTE `w`).
fn answered(model: &Model, session: &Session, table: &Table, field: &Field, response: bool, write: WriteSql) -> Result<Write, GraphqlError> {
    let mut builder = Builder::new(model, session, field.response_key.clone());
    builder.continue_after(write.statement.params);
    let answer = if response {
        builder.mutation_response(table, field, "w", "to_json((select count(*) from w))")?
    } else {
        builder.single_row(table, field, "w")?
    };
    let (params, joins) = builder.finish();
    let violations = write.violations.map_or_else(|| "0".to_string(), |v| format!("(select {v} from w)"));
    // The count first: the runner reads it off the front of the text (`writes::split_answer`).
    let sql = format!("{} select json_build_object('violations', {violations}, 'answer', {answer})", write.statement.sql);
    Ok(Write::Answered(Statement { sql, params, joins, jsonb: write.statement.jsonb }))
}

fn qualified(table: &Table) -> String {
    format!("{}.{}", ident(&table.schema), ident(&table.name))
}

/// A write as the CTE `with w as (<write> returning <readable columns>)` and the count
/// of its rows failing the permission's check (an aggregate over `w`): the statement's
/// end depends on what is done with the rows (`WriteSql::rows_statement`, or the answer
/// built in the same statement).
#[derive(Debug)]
pub struct WriteSql {
    pub statement: Statement,
    /// None: no check.
    pub violations: Option<String>,
}

impl WriteSql {
    /// The statement answering `{"rows": [...], "violations": n}`.
    pub fn rows_statement(self) -> Statement {
        let sql = format!(
            "{} select jsonb_build_object('rows', coalesce(jsonb_agg(to_jsonb(w)), '[]'::jsonb), 'violations', {}) from w",
            self.statement.sql,
            self.violations.as_deref().unwrap_or("0")
        );
        Statement { sql, ..self.statement }
    }
}

/// The check the rows of a write must pass: one filter, or for an upsert (`on
/// conflict do update`) the insert permission's for the rows inserted and the update
/// permission's for the rows updated.
#[derive(Clone, Copy)]
enum Check<'a> {
    Rows(Option<&'a RowFilter>),
    Upsert { insert: Option<&'a RowFilter>, update: Option<&'a RowFilter> },
}

/// The name under which an upsert's rows say whether they were inserted.
const INSERTED: &str = "pgf:inserted";

/// `with w as (<write> returning …)`: the columns the role may read (RETURNING needs
/// SELECT on each column it names), and the count of rows failing `check`.
fn written(emit: Emit, write: String, table: &Table, check: Check) -> Result<WriteSql, Refusal> {
    let mut emit = emit;
    let mut returned: Vec<String> = table
        .columns
        .iter()
        .chain(&table.hidden_columns)
        .filter(|c| c.computed.is_none())
        .map(|c| format!("x.{}", ident(&c.sql_name)))
        .collect();
    let mut condition = |filter: Option<&RowFilter>| -> Result<String, Refusal> {
        filter.map_or_else(|| Ok("true".to_string()), |f| super::row_filter::condition(&mut emit, f, "w"))
    };
    let failing = match check {
        Check::Rows(None) | Check::Upsert { insert: None, update: None } => None,
        Check::Rows(Some(filter)) => Some(condition(Some(filter))?),
        Check::Upsert { insert, update } => {
            // xmax is 0 on a row the statement inserted, not on one it updated.
            returned.push(format!("x.xmax = 0 as {}", ident(INSERTED)));
            let (insert, update) = (condition(insert)?, condition(update)?);
            Some(format!("case when w.{} then {insert} else {update} end", ident(INSERTED)))
        }
    };
    let violations = failing.map(|c| format!("count(*) filter (where not coalesce({c}, false))"));
    let sql = format!("with w as ({write} returning {})", returned.join(", "));
    Ok(WriteSql { statement: Statement { sql, params: emit.params.into_values(), joins: Vec::new(), jsonb: None }, violations })
}

/// A client value for a column, bound.
fn bind_value(emit: &mut Emit, value: &Value, ty: &ColumnType, sql_type: &str) -> Result<String, Refusal> {
    if value.is_null() {
        return Ok(emit.params.bind_null(sql_type));
    }
    let text = if ty.is_list { array_text(&as_list(value), ty)? } else { scalar_text(value, ty)? };
    Ok(emit.params.bind(text, sql_type))
}

/// A preset's value, bound: a literal or the call's session variable.
fn bind_preset(emit: &mut Emit, preset: &ColumnPreset) -> Result<String, Refusal> {
    match &preset.value {
        Operand::Literal(Value::Null) => Ok(emit.params.bind_null(&preset.sql_type)),
        Operand::Literal(Value::String(text)) => Ok(emit.params.bind(text.clone(), &preset.sql_type)),
        Operand::Literal(other) => Ok(emit.params.bind(other.to_string(), &preset.sql_type)),
        Operand::Session(name) => match emit.session().get(name).and_then(Value::as_str) {
            Some(text) => Ok(emit.params.bind(text.to_string(), &preset.sql_type)),
            None => Err(Refusal { code: code::NOT_FOUND, message: format!("missing session variable: \"{name}\"") }),
        },
    }
}

fn column<'c>(columns: &'c [WriteColumn], name: &str, what: &str) -> Result<&'c WriteColumn, Refusal> {
    columns
        .iter()
        .find(|c| c.field_name == name)
        .ok_or_else(|| Refusal::from(format!("field \"{name}\" not found in type: '{what}'")))
}

/// An insert: one statement, or (nested through relationships) rows one by one.
enum Insertion {
    Sql(WriteSql),
    Rows(Vec<super::nested_insert::RowInsert>),
}

fn insert(model: &Model, session: &Session, table: &Table, objects: &[Value], on_conflict: Option<&Value>) -> Result<Insertion, Refusal> {
    if super::nested_insert::has_relationships(table, objects) {
        return super::nested_insert::plan(model, session, table, objects, on_conflict, &[]).map(Insertion::Rows);
    }
    let objects: Vec<&Map<String, Value>> = objects
        .iter()
        .map(|o| o.as_object().ok_or_else(|| Refusal::from(format!("expected an object of type {}_insert_input, got {o}", table.type_name))))
        .collect::<Result<_, _>>()?;
    insert_statement(model, session, table, &objects, &[], on_conflict).map(|(sql, _)| Insertion::Sql(sql))
}

/// An insert of `objects` (column values only) into `table`, with `filled` columns
/// (SQL name and type) whose values are parameters the runner fills from a row written
/// before (a related row's key): the statement, and each filled column's parameter
/// index (None for a column a preset sets).
pub fn insert_statement(
    model: &Model,
    session: &Session,
    table: &Table,
    objects: &[&Map<String, Value>],
    filled: &[(String, String)],
    on_conflict: Option<&Value>,
) -> Result<(WriteSql, Vec<Option<usize>>), Refusal> {
    let access = insert_access(table)?;
    let keys = objects.iter().flat_map(|o| o.keys()).filter(|k| *k != NO_COLUMNS).map(String::as_str);
    let shape = InsertShape::new(table, access, keys, filled)?;
    let mut emit = Emit::new(session);
    if objects.is_empty() {
        // No row: an insert of nothing, so that RETURNING (and the answer) has its shape.
        let write = match access.columns.first() {
            Some(c) => format!("insert into {} as x ({}) select null::{} where false", qualified(table), ident(&c.sql_name), c.sql_type),
            None => format!("insert into {} as x select where false", qualified(table)),
        };
        return Ok((written(emit, write, table, Check::Rows(None))?, Vec::new()));
    }
    let (write, fills) = if shape.uniform(objects) {
        if objects.iter().any(|o| o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v))) {
            return Err(super::params::NUL_MESSAGE.to_string().into());
        }
        let rows = serde_json::to_string(objects).map_err(|e| Refusal::from(e.to_string()))?;
        let rows = emit.params.bind(rows, "jsonb");
        (shape.insert_from_one_parameter(&mut emit, access, &rows)?, Vec::new())
    } else {
        shape.insert_from_values(&mut emit, access, objects)?
    };
    Ok((with_conflict(model, emit, table, access, write, on_conflict)?, fills))
}

/// An insert of the rows of a list read in place (`query::bulk`): the list is the
/// statement's jsonb parameter as the call received it, never text on the way.
fn insert_list(model: &Model, session: &Session, table: &Table, list: &BulkList, on_conflict: Option<&Value>) -> Result<WriteSql, Refusal> {
    let access = insert_access(table)?;
    let shape = InsertShape::new(table, access, list.fields.iter().map(String::as_str), &[])?;
    let mut emit = Emit::new(session);
    let index = emit.params.next_index();
    let rows = emit.params.bind_null("jsonb");
    let write = shape.insert_from_one_parameter(&mut emit, access, &rows)?;
    let mut sql = with_conflict(model, emit, table, access, write, on_conflict)?;
    sql.statement.jsonb = Some(JsonbParam { index, datum: list.datum });
    Ok(sql)
}

fn insert_access(table: &Table) -> Result<&Insert, Refusal> {
    table.writes.insert.as_ref().ok_or_else(|| "insert is not allowed".to_string().into())
}

/// The insert `write` with its `on_conflict` clause, as the CTE of written rows and
/// the check they must pass (both permissions' checks for an upsert).
fn with_conflict(model: &Model, mut emit: Emit, table: &Table, access: &Insert, mut write: String, on_conflict: Option<&Value>) -> Result<WriteSql, Refusal> {
    let mut check = Check::Rows(access.check.as_ref());
    if let Some(conflict) = on_conflict {
        let (clause, updates) = conflict_clause(model, &mut emit, table, conflict)?;
        write.push_str(&clause);
        if updates {
            let update = table.writes.update.as_ref().and_then(|u| u.check.as_ref());
            check = Check::Upsert { insert: access.check.as_ref(), update };
        }
    }
    written(emit, write, table, check)
}

/// The columns an insert writes: given by the client, filled from a related row (and
/// whether a preset sets it instead), set by presets.
struct InsertShape<'t> {
    table: &'t Table,
    given: Vec<&'t WriteColumn>,
    filled: Vec<(&'t (String, String), bool)>,
}

impl<'t> InsertShape<'t> {
    /// The columns the `keys` given name, in order of first appearance (each key a
    /// field of the insert input type), then the `filled` ones.
    fn new<'k>(table: &'t Table, access: &'t Insert, keys: impl Iterator<Item = &'k str>, filled: &'t [(String, String)]) -> Result<Self, Refusal> {
        let what = format!("{}_insert_input", table.type_name);
        let preset = |sql_name: &str| access.presets.iter().any(|p| p.column == sql_name);
        let mut given: Vec<&WriteColumn> = Vec::new();
        for name in keys {
            let column = column(&access.columns, name, &what)?;
            if filled.iter().any(|(c, _)| *c == column.sql_name) {
                return Err(format!("\"{name}\" is set by the relationship the object is inserted through").into());
            }
            if !given.iter().any(|c| c.sql_name == column.sql_name) {
                given.push(column);
            }
        }
        Ok(InsertShape { table, given, filled: filled.iter().map(|f| (f, preset(&f.0))).collect() })
    }

    fn names(&self, presets: &[ColumnPreset]) -> Vec<String> {
        let mut names: Vec<String> = self.given.iter().map(|c| ident(&c.sql_name)).collect();
        names.extend(self.filled.iter().filter(|(_, preset)| !preset).map(|((c, _), _)| ident(c)));
        names.extend(presets.iter().map(|p| ident(&p.column)));
        names
    }

    /// Whether the objects all give the same columns, none of them a list column given
    /// a single value (which only the per-value path coerces), and nothing is filled:
    /// then they travel as ONE jsonb parameter, and the statement's text (so its kept
    /// plan) is the same for any number of rows.
    fn uniform(&self, objects: &[&Map<String, Value>]) -> bool {
        !self.given.is_empty()
            && self.filled.is_empty()
            && objects.iter().all(|o| o.len() == self.given.len())
            && objects.iter().all(|o| {
                self.given.iter().all(|c| !c.ty.is_list || o.get(&c.field_name).is_none_or(|v| v.is_array() || v.is_null()))
            })
    }

    /// `insert … select … from jsonb_to_recordset(<rows>)`, `rows` a bound jsonb list.
    fn insert_from_one_parameter(&self, emit: &mut Emit, access: &Insert, rows: &str) -> Result<String, Refusal> {
        let definitions: Vec<String> = self.given.iter().map(|c| format!("{} {}", ident(&c.field_name), c.sql_type)).collect();
        let mut values: Vec<String> = self.given.iter().map(|c| format!("r.{}", ident(&c.field_name))).collect();
        for preset in &access.presets {
            values.push(bind_preset(emit, preset)?);
        }
        Ok(format!(
            "insert into {} as x ({}) select {} from jsonb_to_recordset({rows}) as r({})",
            qualified(self.table),
            self.names(&access.presets).join(", "),
            values.join(", "),
            definitions.join(", ")
        ))
    }

    /// `insert … values (…), (…)`, every value bound (`default` for one an object
    /// leaves out), and the parameter of each filled column (of the last row).
    fn insert_from_values(&self, emit: &mut Emit, access: &Insert, objects: &[&Map<String, Value>]) -> Result<(String, Vec<Option<usize>>), Refusal> {
        let names = self.names(&access.presets);
        if objects.len() > 1 && names.is_empty() {
            return Err("objects without any column: give at least one column per object, or insert them one by one".to_string().into());
        }
        let mut rows = Vec::with_capacity(objects.len());
        let mut fills = Vec::new();
        for object in objects {
            let mut values = Vec::with_capacity(names.len());
            for column in &self.given {
                values.push(match object.get(&column.field_name) {
                    Some(value) => bind_value(emit, value, &column.ty, &column.sql_type)?,
                    None => "default".to_string(),
                });
            }
            fills.clear();
            for ((_, sql_type), preset) in &self.filled {
                if *preset {
                    fills.push(None);
                } else {
                    fills.push(Some(emit.params.next_index()));
                    values.push(emit.params.bind_null(sql_type));
                }
            }
            for preset in &access.presets {
                values.push(bind_preset(emit, preset)?);
            }
            rows.push(format!("({})", values.join(", ")));
        }
        let target = qualified(self.table);
        let write = if names.is_empty() {
            format!("insert into {target} as x default values")
        } else {
            format!("insert into {target} as x ({}) values {}", names.join(", "), rows.join(", "))
        };
        Ok((write, fills))
    }
}

/// Whether a string in `value` holds the NUL character (Postgres text cannot).
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// ` on conflict on constraint c do update set … where …` or ` … do nothing`.
/// The clause, and whether it may update rows (`do update`).
fn conflict_clause(model: &Model, emit: &mut Emit, table: &Table, conflict: &Value) -> Result<(String, bool), Refusal> {
    let Some(update) = &table.writes.update else { return Err("on_conflict needs the update permission".to_string().into()) };
    let constraint = conflict.get("constraint").and_then(Value::as_str).unwrap_or_default();
    if !table.writes.constraints.iter().any(|c| c.name == constraint) {
        return Err(format!("unknown constraint \"{constraint}\" for on_conflict").into());
    }
    let columns = as_list(conflict.get("update_columns").unwrap_or(&Value::Null));
    if columns.is_empty() {
        return Ok((format!(" on conflict on constraint {} do nothing", ident(constraint)), false));
    }
    let what = format!("{}_update_column", table.type_name);
    let mut sets = Vec::new();
    for name in &columns {
        let column = column(&update.columns, name.as_str().unwrap_or_default(), &what)?;
        let set = format!("{0} = excluded.{0}", ident(&column.sql_name));
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    for preset in &update.presets {
        sets.push(format!("{} = {}", ident(&preset.column), bind_preset(emit, preset)?));
    }
    let mut conditions = Vec::new();
    if let Some(filter) = &update.filter {
        conditions.push(super::row_filter::condition(emit, filter, "x")?);
    }
    if let Some(exp) = conflict.get("where").filter(|v| !v.is_null()) {
        conditions.push(super::filter::condition(model, emit, table, "x", exp)?);
    }
    let mut clause = format!(" on conflict on constraint {} do update set {}", ident(constraint), sets.join(", "));
    if !conditions.is_empty() {
        clause.push_str(&format!(" where {}", conditions.join(" and ")));
    }
    Ok((clause, true))
}

/// Which rows an update or delete reaches.
#[derive(Clone, Copy)]
enum Target {
    /// `where: <t>_bool_exp!`
    Where,
    /// `pk_columns: {…}` (update_by_pk)
    PkColumns,
    /// the key columns as arguments (delete_by_pk)
    PkArguments,
}

/// The condition selecting the rows (aliased `x`) an update or delete reaches.
fn target_condition(model: &Model, emit: &mut Emit, table: &Table, args: &Map<String, Value>, target: Target) -> Result<String, Refusal> {
    let keys = match target {
        Target::Where => {
            let exp = args.get("where").ok_or_else(|| Refusal::from("argument \"where\" is required".to_string()))?;
            return super::filter::condition(model, emit, table, "x", exp);
        }
        Target::PkColumns => args.get("pk_columns").and_then(Value::as_object).cloned().unwrap_or_default(),
        Target::PkArguments => args.clone(),
    };
    let mut conditions = Vec::new();
    for &c in &table.primary_key {
        let column = &table.columns[c];
        let value = keys.get(&column.field_name).filter(|v| !v.is_null());
        let value = value.ok_or_else(|| Refusal::from(format!("argument \"{}\" must not be null", column.field_name)))?;
        let bound = emit.params.bind(scalar_text(value, &column.ty)?, &column.sql_type);
        conditions.push(format!("x.{} = {bound}", ident(&column.sql_name)));
    }
    Ok(conditions.join(" and "))
}

fn update(model: &Model, session: &Session, table: &Table, args: &Map<String, Value>, target: Target) -> Result<WriteSql, Refusal> {
    let Some(access) = &table.writes.update else { return Err("update is not allowed".to_string().into()) };
    let mut emit = Emit::new(session);
    let mut sets: Vec<(String, String)> = Vec::new();
    let t = &table.type_name;
    for op in UpdateOp::ALL {
        let Some(Value::Object(fields)) = args.get(op.argument()) else { continue };
        for (name, value) in fields {
            let column = column(&access.columns, name, &format!("{t}_{}", op.suffix()))?;
            if sets.iter().any(|(c, _)| *c == column.sql_name) {
                return Err(format!("column \"{name}\" can be updated by one operator only").into());
            }
            let c = format!("x.{}", ident(&column.sql_name));
            let expression = match op {
                UpdateOp::Set => bind_value(&mut emit, value, &column.ty, &column.sql_type)?,
                UpdateOp::Inc => format!("{c} + {}", bind_value(&mut emit, value, &column.ty, &column.sql_type)?),
                UpdateOp::Append => format!("{c} || {}", emit.params.bind(value.to_string(), "jsonb")),
                UpdateOp::Prepend => format!("{} || {c}", emit.params.bind(value.to_string(), "jsonb")),
                UpdateOp::DeleteKey => format!("{c} - {}", emit.params.bind(value_text(value), "text")),
                UpdateOp::DeleteElem => format!("{c} - {}", emit.params.bind(value_text(value), "int")),
                UpdateOp::DeleteAtPath => format!("{c} #- {}", emit.params.bind(array_text(&as_list(value), &text_type())?, "text[]")),
            };
            sets.push((column.sql_name.clone(), expression));
        }
    }
    for preset in &access.presets {
        let bound = bind_preset(&mut emit, preset)?;
        sets.retain(|(c, _)| *c != preset.column);
        sets.push((preset.column.clone(), bound));
    }
    if sets.is_empty() {
        return Err("at least one of _set, _inc, _append, _prepend, _delete_key, _delete_elem, _delete_at_path is expected".to_string().into());
    }
    let mut conditions = vec![target_condition(model, &mut emit, table, args, target)?];
    if let Some(filter) = &access.filter {
        conditions.push(super::row_filter::condition(&mut emit, filter, "x")?);
    }
    let assignments: Vec<String> = sets.iter().map(|(c, e)| format!("{} = {e}", ident(c))).collect();
    let write = format!("update {} as x set {} where {}", qualified(table), assignments.join(", "), conditions.join(" and "));
    written(emit, write, table, Check::Rows(access.check.as_ref()))
}

/// The type of a text value (a path element of `_delete_at_path`).
fn text_type() -> ColumnType {
    ColumnType { scalar: "String".into(), is_list: false, enum_labels: None, kind: crate::schema::scalars::ScalarKind::Text }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn delete(model: &Model, session: &Session, table: &Table, args: &Map<String, Value>, target: Target) -> Result<WriteSql, Refusal> {
    let Some(access) = &table.writes.delete else { return Err("delete is not allowed".to_string().into()) };
    let mut emit = Emit::new(session);
    let mut conditions = vec![target_condition(model, &mut emit, table, args, target)?];
    if let Some(filter) = &access.filter {
        conditions.push(super::row_filter::condition(&mut emit, filter, "x")?);
    }
    let write = format!("delete from {} as x where {}", qualified(table), conditions.join(" and "));
    written(emit, write, table, Check::Rows(None))
}
