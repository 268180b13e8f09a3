//! Rows, objects, relationships and aggregates: builds the json-producing SQL
//! expression of one root field, relationships nested as correlated subqueries so
//! the whole field is one statement. `json`, not `jsonb`: it keeps the keys in the
//! order of the selection, as GraphQL answers must (and costs less to build).

use serde_json::{Map, Value};

use super::emit::Emit;
use super::{filter, ident, join_condition, literal, order, Refusal, Session};
use crate::error::{code, GraphqlError, PathSegment};
use crate::metadata::document::RelKind;
use crate::query::normalize::Field;
use crate::schema::join_field::TableJoin;
use crate::schema::function_call::FunctionCall;
use crate::schema::model::{ComputedReturns, FieldRef, Model, Table, TrackedFunction};

/// json_build_object takes at most 100 arguments: 50 key/value pairs a call.
const PAIRS_PER_CALL: usize = 50;

/// A rows subquery (`Builder::rows_for`) and whether it numbers its rows (`__ord`).
struct Rows {
    sql: String,
    numbered: bool,
}

impl Rows {
    /// The ORDER BY an aggregate over the rows (aliased `t`) needs: none when the
    /// subquery's own sort gives the order.
    fn in_order(&self, t: &str) -> String {
        if self.numbered {
            format!(" order by {t}.__ord")
        } else {
            String::new()
        }
    }
}

/// A relationship seen from the parent row: its mapping and the parent's alias.
#[derive(Clone, Copy)]
pub struct Parent<'a> {
    pub mapping: &'a [(String, String)],
    pub alias: &'a str,
}

/// Rows a function call returns, instead of a table's (`from <call> x`).
#[derive(Clone, Copy)]
pub struct RowSource<'c> {
    pub call: &'c str,
    /// A function returning one row (not SETOF): its row of nulls is no row.
    pub one_row: bool,
}

pub struct Builder<'m> {
    model: &'m Model,
    emit: Emit<'m>,
    path: Vec<PathSegment>,
    joins: Vec<super::Join>,
}

impl<'m> Builder<'m> {
    pub fn new(model: &'m Model, session: &'m Session, root_key: String) -> Self {
        Builder { model, emit: Emit::new(session), path: vec![PathSegment::Key(root_key)], joins: Vec::new() }
    }

    /// Starts the next root field of a document planned as one statement.
    pub fn start_root(&mut self, root_key: String) {
        self.path = vec![PathSegment::Key(root_key)];
    }

    /// The bound parameters and the remote joins met on the way.
    pub fn finish(self) -> (Vec<Option<String>>, Vec<super::Join>) {
        (self.emit.params.into_values(), self.joins)
    }

    fn error(&self, message: String) -> GraphqlError {
        GraphqlError::new(code::VALIDATION_FAILED, message).at(&self.path)
    }

    fn refused(&self, refusal: Refusal) -> GraphqlError {
        GraphqlError::new(refusal.code, refusal.message).at(&self.path)
    }

    fn next_alias(&mut self, prefix: &str) -> String {
        self.emit.alias(prefix)
    }

    /// The condition of the role's select permission on `table`'s rows aliased `x`.
    fn restriction(&mut self, table: &Table, x: &str) -> Result<Option<String>, GraphqlError> {
        self.emit.restriction(table, x).map_err(|r| self.refused(r))
    }

    /// The columns of a rows subquery over `table` aliased `x` (those the role may not
    /// select too: relationships join on them); the whole row too when a computed
    /// field's function will take it (`ROW`).
    fn select_list(table: &Table, x: &str) -> Vec<String> {
        let mut list: Vec<String> =
            table.columns.iter().chain(&table.hidden_columns).map(|c| super::call::select_item(c, x)).collect();
        if !table.computed.is_empty() {
            list.push(format!("{x} as {}", ident(super::ROW)));
        }
        list
    }

    /// `select <columns> from <table> … order by … limit …`: the filtered, ordered,
    /// limited rows of `table`, which an aggregate over it takes in that order (the
    /// subquery keeps its sort: an ORDER BY is never pulled up), or with `keys` (column,
    /// bound array) the rows of every key at once: `column = any(array)` filters
    /// (pushed down to a foreign table), `__ord` numbers the rows of each key, and
    /// limit/offset are left to the caller. `from` replaces the table by a function call
    /// returning its rows. With `distinct_on` the rows are sorted by the distinct
    /// columns first, so `__ord` (`row_number() over (order by …)`) carries the
    /// client's order out; `Rows::numbered` says when it is there.
    fn rows_for(
        &mut self,
        table: &Table,
        args: &Map<String, Value>,
        parent: Option<Parent>,
        keys: &[(String, String)],
        from: Option<RowSource>,
    ) -> Result<Rows, GraphqlError> {
        let x = self.next_alias("x");
        let mut conditions = Vec::new();
        if let Some(p) = parent {
            conditions.push(join_condition(p.mapping, p.alias, &x));
        }
        for (column, array) in keys {
            // `(select $n::type[])`: an init plan's value has the array's type, so
            // postgres_fdw ships the condition to a foreign table; a text parameter
            // cast in place (an I/O coercion) would not ship. The outer cast makes
            // `any(…)` take an array, not a subquery.
            let array_type = array.split_once("::").map(|(_, t)| t).unwrap_or("");
            conditions.push(format!("{x}.{} = any((select {array})::{array_type})", ident(column)));
        }
        let partition: Vec<String> = keys.iter().map(|(column, _)| format!("{x}.{}", ident(column))).collect();
        conditions.extend(self.restriction(table, &x)?);
        if let Some(exp) = args.get("where").filter(|v| !v.is_null()) {
            let cond = filter::condition(self.model, &mut self.emit, table, &x, exp).map_err(|r| self.refused(r))?;
            conditions.push(cond);
        }
        let order_terms = match args.get("order_by").filter(|v| !v.is_null()) {
            Some(o) => order::terms(self.model, &mut self.emit, table, &x, o).map_err(|r| self.refused(r))?,
            None => Vec::new(),
        };
        let mut distinct = match args.get("distinct_on").filter(|v| !v.is_null()) {
            Some(d) => order::distinct_on(table, &x, d).map_err(|m| self.error(m))?,
            None => Vec::new(),
        };
        if !distinct.is_empty() {
            // distinct within each key's rows
            distinct.splice(0..0, partition.iter().cloned());
        }
        let over = if partition.is_empty() { String::new() } else { format!("partition by {} ", partition.join(", ")) };
        let numbered = !keys.is_empty() || !distinct.is_empty();
        let columns = Self::select_list(table, &x);
        let mut sql = String::from("select ");
        if !distinct.is_empty() {
            sql.push_str(&format!("distinct on ({}) ", distinct.join(", ")));
        }
        sql.push_str(&columns.join(", "));
        if numbered && order_terms.is_empty() {
            sql.push_str(&format!(", row_number() over ({over}) as __ord"));
        } else if numbered {
            sql.push_str(&format!(", row_number() over ({over}order by {}) as __ord", order_terms.join(", ")));
        }
        match from {
            Some(source) => {
                sql.push_str(&format!(" from {} {x}", source.call));
                if source.one_row {
                    // A function returning one row of a table returns a row of nulls for
                    // NULL: that is no row (the field is null), as for a missing related row.
                    conditions.push(format!("not ({x} is null)"));
                }
            }
            None => sql.push_str(&format!(" from {}.{} {x}", ident(&table.schema), ident(&table.name))),
        }
        if !conditions.is_empty() {
            sql.push_str(&format!(" where {}", conditions.join(" and ")));
        }
        // distinct on keeps the first row of each group by the user's order; the
        // final order comes from __ord.
        let mut sort: Vec<String> = distinct.iter().map(|d| format!("{d} asc")).collect();
        sort.extend(order_terms.iter().cloned());
        if !sort.is_empty() {
            sql.push_str(&format!(" order by {}", sort.join(", ")));
        }
        if keys.is_empty() {
            // The permission's limit caps the client's.
            if let Some(n) = Self::window(args, "limit", table.row_limit()).map_err(|m| self.error(m))? {
                let p = self.emit.params.bind(n.to_string(), "bigint");
                sql.push_str(&format!(" limit {p}"));
            }
            if let Some(n) = Self::window(args, "offset", None).map_err(|m| self.error(m))? {
                let p = self.emit.params.bind(n.to_string(), "bigint");
                sql.push_str(&format!(" offset {p}"));
            }
        }
        Ok(Rows { sql, numbered })
    }

    /// `limit` or `offset` of `args`, capped by `cap`.
    fn window(args: &Map<String, Value>, arg: &str, cap: Option<u64>) -> Result<Option<u64>, String> {
        let asked = match args.get(arg).filter(|v| !v.is_null()) {
            Some(v) => Some(v.as_u64().ok_or_else(|| format!("\"{arg}\" must be a non-negative integer"))?),
            None => None,
        };
        Ok(match (asked, cap) {
            (Some(a), Some(c)) => Some(a.min(c)),
            (a, c) => a.or(c),
        })
    }

    /// A list of objects: `[T!]!`.
    pub fn list(&mut self, table: &Table, field: &Field, parent: Option<Parent>) -> Result<String, GraphqlError> {
        self.list_from(table, field, parent, None)
    }

    /// `list` over the rows a function call returns (`from`), or the table's.
    fn list_from(&mut self, table: &Table, field: &Field, parent: Option<Parent>, from: Option<RowSource>) -> Result<String, GraphqlError> {
        let rows = self.rows_for(table, &field.arguments, parent, &[], from)?;
        let t = self.next_alias("t");
        let object = self.object(table, &t, &field.selection)?;
        Ok(format!("(select coalesce(json_agg({object}{}), '[]'::json) from ({}) {t})", rows.in_order(&t), rows.sql))
    }

    /// `<table>_by_pk(<key columns>)`: one object or null.
    pub fn by_pk(&mut self, table: &Table, field: &Field) -> Result<String, GraphqlError> {
        let x = self.next_alias("x");
        let mut conditions = Vec::new();
        for &c in &table.primary_key {
            let column = &table.columns[c];
            let value = match field.argument(&column.field_name) {
                Some(v) => v,
                None => return Err(self.error(format!("argument \"{}\" must not be null", column.field_name))),
            };
            let text = super::params::scalar_text(value, &column.ty).map_err(|m| self.error(m))?;
            let p = self.emit.params.bind(text, &column.sql_type);
            conditions.push(format!("{x}.{} = {p}", ident(&column.sql_name)));
        }
        conditions.extend(self.restriction(table, &x)?);
        let columns = Self::select_list(table, &x);
        let t = self.next_alias("t");
        let object = self.object(table, &t, &field.selection)?;
        Ok(format!(
            "(select {object} from (select {} from {}.{} {x} where {}) {t} limit 1)",
            columns.join(", "),
            ident(&table.schema),
            ident(&table.name),
            conditions.join(" and ")
        ))
    }

    /// A table join over a key set (see `plan::keyed_statement`).
    pub fn keyed(&mut self, table: &Table, field: &Field, join: &TableJoin, keys: &[Vec<Value>]) -> Result<String, GraphqlError> {
        let mut arrays = Vec::new();
        for (i, column_name) in join.columns.iter().enumerate() {
            let column =
                table.key_column(column_name).ok_or_else(|| self.error(format!("column \"{column_name}\" is not readable")))?;
            let values: Vec<Value> = keys.iter().map(|k| k.get(i).cloned().unwrap_or(Value::Null)).collect();
            let text = super::params::array_text(&values, &column.ty).map_err(|m| self.error(m))?;
            arrays.push((column.sql_name.clone(), self.emit.params.bind(text, &format!("{}[]", column.sql_type))));
        }
        let args = if join.kind == RelKind::Array { field.arguments.clone() } else { Map::new() };
        let rows = self.rows_for(table, &args, None, &arrays, None)?.sql;
        let t = self.next_alias("t");
        let k = self.next_alias("k");
        let key_columns: Vec<String> = (0..arrays.len()).map(|i| format!("c{i}")).collect();
        let on: Vec<String> = join
            .columns
            .iter()
            .zip(&key_columns)
            .map(|(column, key)| format!("{t}.{} = {k}.{key}", ident(column)))
            .collect();
        // Each key's rows are numbered (`__ord`): offset and limit (the permission's
        // capping the client's, per key as for a relationship) are a window on it.
        let cap = if join.kind == RelKind::Array { table.row_limit() } else { None };
        let offset = Self::window(&args, "offset", None).map_err(|m| self.error(m))?;
        let limit = Self::window(&args, "limit", cap).map_err(|m| self.error(m))?;
        let mut filters = Vec::new();
        if let Some(n) = offset {
            let p = self.emit.params.bind(n.to_string(), "bigint");
            filters.push(format!("{t}.__ord > {p}"));
        }
        if let Some(n) = limit {
            let p = self.emit.params.bind(n.saturating_add(offset.unwrap_or(0)).to_string(), "bigint");
            filters.push(format!("{t}.__ord <= {p}"));
        }
        let object = self.object(table, &t, &field.selection)?;
        let aggregate = match join.kind {
            RelKind::Object => format!("(json_agg({object} order by {t}.__ord)) -> 0"),
            RelKind::Array => format!("json_agg({object} order by {t}.__ord)"),
        };
        let array_list: Vec<String> = arrays.iter().map(|(_, a)| a.clone()).collect();
        let filter = if filters.is_empty() { String::new() } else { format!(" where {}", filters.join(" and ")) };
        Ok(format!(
            "(select coalesce(json_object_agg(g.i, g.v), '{{}}'::json) from (\
             select {k}.i::text as i, {aggregate} as v \
             from unnest({}) with ordinality as {k}({}, i) \
             join ({rows}) {t} on {}{filter} group by {k}.i) g)",
            array_list.join(", "),
            key_columns.join(", "),
            on.join(" and ")
        ))
    }

    /// An object relationship: the one related row, or null.
    fn related_object(&mut self, table: &Table, field: &Field, parent: Parent) -> Result<String, GraphqlError> {
        let x = self.next_alias("x");
        let columns = Self::select_list(table, &x);
        let mut conditions = vec![join_condition(parent.mapping, parent.alias, &x)];
        conditions.extend(self.restriction(table, &x)?);
        let t = self.next_alias("t");
        let object = self.object(table, &t, &field.selection)?;
        Ok(format!(
            "(select {object} from (select {} from {}.{} {x} where {} limit 1) {t})",
            columns.join(", "),
            ident(&table.schema),
            ident(&table.name),
            conditions.join(" and ")
        ))
    }

    /// `<table>_aggregate`: `{aggregate {count sum … }, nodes […]}` over the same rows.
    pub fn aggregate(&mut self, table: &Table, field: &Field, parent: Option<Parent>) -> Result<String, GraphqlError> {
        self.aggregate_from(table, field, parent, None)
    }

    /// `aggregate` over the rows a function call returns (`from`), or the table's.
    fn aggregate_from(&mut self, table: &Table, field: &Field, parent: Option<Parent>, from: Option<RowSource>) -> Result<String, GraphqlError> {
        let rows = self.rows_for(table, &field.arguments, parent, &[], from)?;
        let t = self.next_alias("t");
        let in_order = rows.in_order(&t);
        let rows = rows.sql;
        let mut pairs = Vec::new();
        for sub in &field.selection {
            self.path.push(PathSegment::Key(sub.response_key.clone()));
            let expr = match sub.name.as_str() {
                "__typename" => typename(&format!("{}_aggregate", table.type_name)),
                "nodes" => {
                    let object = self.object(table, &t, &sub.selection)?;
                    format!("coalesce(json_agg({object}{in_order}), '[]'::json)")
                }
                "aggregate" => self.aggregate_fields(table, &t, sub)?,
                other => return Err(self.error(format!("unknown field \"{other}\""))),
            };
            self.path.pop();
            pairs.push((sub.response_key.clone(), expr));
        }
        Ok(format!("(select {} from ({rows}) {t})", build_object(&pairs)))
    }

    fn aggregate_fields(&mut self, table: &Table, t: &str, field: &Field) -> Result<String, GraphqlError> {
        let mut pairs = Vec::new();
        for sub in &field.selection {
            let expr = match sub.name.as_str() {
                "__typename" => typename(&format!("{}_aggregate_fields", table.type_name)),
                "count" => self.count(table, t, sub)?,
                func @ ("sum" | "avg" | "max" | "min") => {
                    let mut inner = Vec::new();
                    for col_field in &sub.selection {
                        let expr = if col_field.name == "__typename" {
                            typename(&format!("{}_{func}_fields", table.type_name))
                        } else {
                            let column = table
                                .column_by_field(&col_field.name)
                                .ok_or_else(|| self.error(format!("unknown column \"{}\"", col_field.name)))?;
                            format!("{func}({t}.{})", ident(&column.sql_name))
                        };
                        inner.push((col_field.response_key.clone(), expr));
                    }
                    build_object(&inner)
                }
                other => return Err(self.error(format!("unknown aggregate \"{other}\""))),
            };
            pairs.push((sub.response_key.clone(), expr));
        }
        Ok(build_object(&pairs))
    }

    fn count(&mut self, table: &Table, t: &str, field: &Field) -> Result<String, GraphqlError> {
        let distinct = field.argument("distinct").and_then(Value::as_bool).unwrap_or(false);
        let columns: Vec<String> = match field.argument("columns") {
            Some(v) => order::distinct_on(table, t, v).map_err(|m| self.error(m))?,
            None => Vec::new(),
        };
        Ok(match (columns.as_slice(), distinct) {
            ([], false) => "count(*)".into(),
            ([], true) => format!("count(distinct {t}.*)"),
            ([one], false) => format!("count({one})"),
            ([one], true) => format!("count(distinct {one})"),
            (many, d) => {
                let not_null: Vec<String> = many.iter().map(|c| format!("{c} is not null")).collect();
                let d = if d { "distinct " } else { "" };
                format!("count({d}row({})) filter (where {})", many.join(", "), not_null.join(" and "))
            }
        })
    }

    /// The json object for one row of `table` aliased `alias`.
    fn object(&mut self, table: &Table, alias: &str, selection: &[Field]) -> Result<String, GraphqlError> {
        let mut pairs = Vec::with_capacity(selection.len());
        for field in selection {
            self.path.push(PathSegment::Key(field.response_key.clone()));
            if let Some(FieldRef::RemoteRelationship(r)) = table.fields.get(&field.name) {
                // The field itself comes from the remote; the row carries its key.
                let relationship = &table.remote_relationships[*r];
                let columns: Vec<String> =
                    relationship.lhs().iter().map(|(_, column)| format!("{alias}.{}", ident(column))).collect();
                pairs.push((super::hidden_key(&field.response_key), format!("json_build_array({})", columns.join(", "))));
                let path = self
                    .path
                    .iter()
                    .filter_map(|p| match p {
                        PathSegment::Key(k) => Some(k.clone()),
                        PathSegment::Index(_) => None,
                    })
                    .collect();
                self.joins.push(super::Join::at_hidden_key(relationship.clone(), path, field.clone()));
                self.path.pop();
                continue;
            }
            let expr = self.field_expression(table, alias, field)?;
            self.path.pop();
            pairs.push((field.response_key.clone(), expr));
        }
        Ok(build_object(&pairs))
    }

    fn field_expression(&mut self, table: &Table, alias: &str, field: &Field) -> Result<String, GraphqlError> {
        if field.name == "__typename" {
            return Ok(typename(&table.type_name));
        }
        let model = self.model;
        match table.fields.get(&field.name) {
            Some(FieldRef::Column(c)) => Ok(format!("{alias}.{}", ident(&table.columns[*c].sql_name))),
            Some(FieldRef::Relationship(r)) => {
                let rel = &table.relationships[*r];
                let target = &model.tables[rel.target];
                let parent = Parent { mapping: &rel.mapping, alias };
                match rel.kind {
                    RelKind::Object => self.related_object(target, field, parent),
                    RelKind::Array => self.list(target, field, Some(parent)),
                }
            }
            Some(FieldRef::RelationshipAggregate(r)) => {
                let rel = &table.relationships[*r];
                let target = &model.tables[rel.target];
                self.aggregate(target, field, Some(Parent { mapping: &rel.mapping, alias }))
            }
            Some(FieldRef::Computed(c)) => {
                let computed = &table.computed[*c];
                let row = format!("{alias}.{}", ident(super::ROW));
                let call = self.call(&computed.call, Some(&row), field)?;
                match &computed.returns {
                    ComputedReturns::Scalar { .. } => Ok(format!("to_json({call})")),
                    ComputedReturns::Rows { target, set: true } => self.list_from(&model.tables[*target], field, None, Some(RowSource { call: &call, one_row: false })),
                    ComputedReturns::Rows { target, set: false } => self.single_row(&model.tables[*target], field, &call),
                }
            }
            Some(FieldRef::RemoteRelationship(_)) | None => {
                Err(self.error(format!("field \"{}\" not found in type: '{}'", field.name, table.type_name)))
            }
        }
    }
}

impl Builder<'_> {
    /// A function's call for this field: its `args` bound as parameters.
    fn call(&mut self, call: &FunctionCall, row: Option<&str>, field: &Field) -> Result<String, GraphqlError> {
        super::call::with_args(call, row, field.arguments.get("args"), &mut self.emit.params).map_err(|m| self.error(m))
    }

    /// The one row a function returns, or a write returned (`call`, a FROM item), or
    /// null, as an object.
    pub fn single_row(&mut self, table: &Table, field: &Field, call: &str) -> Result<String, GraphqlError> {
        let rows = self.rows_for(table, &Map::new(), None, &[], Some(RowSource { call, one_row: true }))?.sql;
        let t = self.next_alias("t");
        let object = self.object(table, &t, &field.selection)?;
        Ok(format!("(select {object} from ({rows}) {t} limit 1)"))
    }

    /// A parameter filled when the statement runs (a write's rows): its placeholder.
    pub fn placeholder(&mut self, sql_type: &str) -> String {
        self.emit.params.bind_null(sql_type)
    }

    /// Continues the numbering after `params`, bound already (a write's, in the same
    /// statement).
    pub fn continue_after(&mut self, params: Vec<Option<String>>) {
        self.emit.params.extend(params);
    }

    /// `<t>_mutation_response` over the rows a write returned (`source`, a FROM item):
    /// `affected_rows` (the json expression `affected`) and `returning`, as the role
    /// may see them.
    pub fn mutation_response(&mut self, table: &Table, field: &Field, source: &str, affected: &str) -> Result<String, GraphqlError> {
        let mut pairs = Vec::new();
        for sub in &field.selection {
            self.path.push(PathSegment::Key(sub.response_key.clone()));
            let expression = match sub.name.as_str() {
                "__typename" => typename(&format!("{}_mutation_response", table.type_name)),
                "affected_rows" => affected.to_string(),
                "returning" => self.list_from(table, sub, None, Some(RowSource { call: source, one_row: false }))?,
                other => return Err(self.error(format!("unknown field \"{other}\""))),
            };
            self.path.pop();
            pairs.push((sub.response_key.clone(), expression));
        }
        Ok(build_object(&pairs))
    }


    /// A tracked function's root field: its rows as a list (`Function`, SETOF), one row
    /// or null (`Function`), or their aggregate (`FunctionAggregate`).
    pub fn function_root(&mut self, function: &TrackedFunction, aggregate: bool, field: &Field) -> Result<String, GraphqlError> {
        let call = self.call(&function.call, None, field)?;
        let table = &self.model.tables[function.target];
        match (aggregate, function.set) {
            (true, _) => self.aggregate_from(table, field, None, Some(RowSource { call: &call, one_row: false })),
            (false, true) => self.list_from(table, field, None, Some(RowSource { call: &call, one_row: false })),
            (false, false) => self.single_row(table, field, &call),
        }
    }
}

fn typename(name: &str) -> String {
    format!("to_json({}::text)", literal(name))
}

/// `json_build_object(k, v, …)`, the keys in the order given. Beyond 50 pairs (the
/// limit of one call) the objects of each 50 are joined as text: json has no `||`.
pub fn build_object(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return "'{}'::json".into();
    }
    let objects: Vec<String> = pairs
        .chunks(PAIRS_PER_CALL)
        .map(|chunk| {
            let args: Vec<String> = chunk.iter().map(|(k, v)| format!("{}, {v}", literal(k))).collect();
            format!("json_build_object({})", args.join(", "))
        })
        .collect();
    match objects.as_slice() {
        [one] => one.clone(),
        // `{"a" : 1}` and `{"b" : 2}` make `{"a" : 1, "b" : 2}`: each object but the
        // first loses its `{`, each but the last its `}`.
        many => {
            let last = many.len() - 1;
            let parts: Vec<String> = many
                .iter()
                .enumerate()
                .map(|(i, o)| match (i == 0, i == last) {
                    (true, _) => format!("left(({o})::text, -1)"),
                    (_, true) => format!("substr(({o})::text, 2)"),
                    _ => format!("substr(left(({o})::text, -1), 2)"),
                })
                .collect();
            format!("({})::json", parts.join(" || ', ' || "))
        }
    }
}
