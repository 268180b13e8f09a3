//! The few ways this crate talks to SPI. Statements that input can make fail (bad
//! casts, permission denied) run inside a subtransaction, so that a failure becomes
//! a value and never aborts the caller's transaction: as plpgsql's EXCEPTION blocks do.

use pgrx::pg_sys;
use pgrx::pg_sys::panic::CaughtError;
use pgrx::prelude::*;
use pgrx::datum::DatumWithOid;
use pgrx::JsonB;
use serde_json::Value;

use crate::response::JsonDatum;

/// An error Postgres raised while running one of our statements.
#[derive(Debug, Clone)]
pub struct SqlError {
    pub message: String,
    pub sqlstate: PgSqlErrorCode,
}

impl SqlError {
    fn from_caught(caught: CaughtError) -> SqlError {
        match caught {
            CaughtError::PostgresError(report) | CaughtError::ErrorReport(report) => SqlError {
                message: report.message().to_string(),
                sqlstate: report.sql_error_code(),
            },
            CaughtError::RustPanic { ereport, .. } => SqlError {
                message: ereport.message().to_string(),
                sqlstate: PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
            },
        }
    }

    /// True for SQLSTATE class 22 (data exception: bad casts, out-of-range values).
    pub fn is_data_exception(&self) -> bool {
        let code = self.sqlstate as isize as i32;
        // SQLSTATEs are packed 6 bits a character; class "22" is the low 12 bits.
        (code & 0xFFF) == (('2' as i32 - '0' as i32) | (('2' as i32 - '0' as i32) << 6))
    }

    /// Class 23: a unique, foreign key, not-null or check constraint refused a write.
    pub fn is_constraint_violation(&self) -> bool {
        let code = self.sqlstate as isize as i32;
        (code & 0xFFF) == (('2' as i32 - '0' as i32) | (('3' as i32 - '0' as i32) << 6))
    }

    pub fn is_permission_denied(&self) -> bool {
        self.sqlstate == PgSqlErrorCode::ERRCODE_INSUFFICIENT_PRIVILEGE
    }
}

/// An internal subtransaction begun by `begin`, ended by `release` or `roll_back`,
/// which put the caller's memory context and resource owner back as plpgsql's
/// exec_stmt_block does.
#[derive(Clone, Copy)]
pub(crate) struct Subtransaction {
    context: pg_sys::MemoryContext,
    owner: pg_sys::ResourceOwner,
}

impl Subtransaction {
    pub(crate) fn begin() -> Subtransaction {
        // SAFETY: reads backend state and begins a subtransaction the caller ends with
        // `release` or `roll_back` on every path.
        unsafe {
            let begun = Subtransaction { context: pg_sys::CurrentMemoryContext, owner: pg_sys::CurrentResourceOwner };
            pg_sys::BeginInternalSubTransaction(std::ptr::null());
            pg_sys::MemoryContextSwitchTo(begun.context);
            begun
        }
    }

    pub(crate) fn release(self) {
        // SAFETY: ends the subtransaction `begin` started.
        unsafe {
            pg_sys::ReleaseCurrentSubTransaction();
            pg_sys::MemoryContextSwitchTo(self.context);
            pg_sys::CurrentResourceOwner = self.owner;
        }
    }

    pub(crate) fn roll_back(self) {
        // SAFETY: ends the subtransaction `begin` started, after an ERROR or not.
        unsafe {
            pg_sys::MemoryContextSwitchTo(self.context);
            pg_sys::RollbackAndReleaseCurrentSubTransaction();
            pg_sys::MemoryContextSwitchTo(self.context);
            pg_sys::CurrentResourceOwner = self.owner;
        }
    }
}

/// A snapshot that sees what this call wrote, active until dropped: read-only
/// statements otherwise keep the snapshot of the statement that called `resolve`.
pub struct FreshSnapshot(());

impl FreshSnapshot {
    pub fn push() -> FreshSnapshot {
        // SAFETY: plain calls on the backend thread inside a transaction; popped by Drop.
        unsafe {
            pg_sys::CommandCounterIncrement();
            pg_sys::PushActiveSnapshot(pg_sys::GetTransactionSnapshot());
        }
        FreshSnapshot(())
    }
}

impl Drop for FreshSnapshot {
    fn drop(&mut self) {
        // SAFETY: pops the snapshot `push` pushed.
        unsafe { pg_sys::PopActiveSnapshot() }
    }
}

/// Runs `f` in a subtransaction; an ERROR inside rolls the subtransaction back and
/// comes out as `Err`. Must be called with an SPI connection already open, or none.
pub fn in_subtransaction<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> Result<R, SqlError> {
    subtransaction(f, Ending::Release)
}

/// How a subtransaction that did not fail ends.
#[derive(Clone, Copy)]
enum Ending {
    Release,
    RollBack,
}

fn subtransaction<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe, ending: Ending) -> Result<R, SqlError> {
    let subtransaction = Subtransaction::begin();
    PgTryBuilder::new(move || {
        let result = f();
        match ending {
            Ending::Release => subtransaction.release(),
            Ending::RollBack => subtransaction.roll_back(),
        }
        Ok(result)
    })
    .catch_others(move |caught| {
        subtransaction.roll_back();
        // A cancel or statement_timeout must stop the whole statement, not become a
        // GraphQL error while the remaining fields run on.
        if crate::error::is_query_cancel(&caught) {
            crate::error::reraise(caught);
        }
        Err(SqlError::from_caught(caught))
    })
    .execute()
}

/// Runs `f` with an ERROR inside coming out as `Err` (a cancel as the ERROR), without a
/// subtransaction: the caller's must be rolled back before anything else runs.
fn caught<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> Result<R, SqlError> {
    PgTryBuilder::new(move || Ok(f()))
        .catch_others(|caught| {
            if crate::error::is_query_cancel(&caught) {
                crate::error::reraise(caught);
            }
            Err(SqlError::from_caught(caught))
        })
        .execute()
}

/// Runs `f` in a subtransaction that is rolled back whatever happens: what it wrote is
/// gone (`graphql.explain` of a mutation with `analyze`). An ERROR inside comes out as
/// `Err`, a cancel as the ERROR.
pub fn rolled_back<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> Result<R, SqlError> {
    subtransaction(f, Ending::RollBack)
}

/// Postgres' EXPLAIN (FORMAT JSON) of a generated statement with its parameters; with
/// `analyze` the statement runs (a read: graphql.explain never analyzes a write). In a
/// subtransaction rolled back afterwards.
pub fn explain_json(sql: &str, params: &[Option<String>], analyze: bool) -> Result<Value, SqlError> {
    let options = if analyze { "analyze, format json" } else { "format json" };
    let explain = format!("explain ({options}) {sql}");
    let params = params.to_vec();
    rolled_back(move || {
        Spi::connect_mut(|client| {
            let args = text_args(&params);
            let statement = client.prepare_mut(explain.as_str(), &text_oids(params.len()))?;
            let table = client.update(&statement, None, &args)?;
            Ok::<_, pgrx::spi::Error>(table.first().get_one::<pgrx::Json>()?.map(|j| j.0).unwrap_or(Value::Null))
        })
    })
    .and_then(|r| r.map_err(|e| SqlError { message: e.to_string(), sqlstate: PgSqlErrorCode::ERRCODE_INTERNAL_ERROR }))
}

/// Every parameter we bind is text; the SQL casts it to the column's type.
fn text_args(params: &[Option<String>]) -> Vec<DatumWithOid<'_>> {
    args(params, None)
}

/// A parameter given as a jsonb datum of the call (an insert's rows read in place)
/// instead of text: `index` counts from 0.
#[derive(Debug, Clone, Copy)]
pub struct JsonbParam {
    pub index: usize,
    pub datum: pg_sys::Datum,
}

/// The text parameters, and at most one jsonb datum among them.
fn args(params: &[Option<String>], jsonb: Option<JsonbParam>) -> Vec<DatumWithOid<'_>> {
    params
        .iter()
        .enumerate()
        .map(|(i, p)| match (p, jsonb) {
            // SAFETY: a jsonb datum of the call's memory, alive while the statement runs.
            (_, Some(j)) if j.index == i => unsafe { DatumWithOid::new(j.datum, pg_sys::JSONBOID) },
            (Some(s), _) => DatumWithOid::from(s.as_str()),
            (None, _) => DatumWithOid::null::<&str>(),
        })
        .collect()
}

/// How many generated statements each backend keeps prepared (see `select_json`).
const KEPT_STATEMENTS: usize = 256;

thread_local! {
    /// Generated SQL text -> its kept SPI plan, least recently used first. The text of a
    /// statement depends only on the document's shape (every value is a parameter), so a
    /// client repeating a query with new variables reuses the plan: no parse, analysis or
    /// rewrite, and Postgres' plan cache picks custom or generic plans as for any prepared
    /// statement (and replans after DDL or a search_path change).
    static STATEMENTS: std::cell::RefCell<indexmap::IndexMap<String, pgrx::spi::OwnedPreparedStatement>> =
        std::cell::RefCell::new(indexmap::IndexMap::new());
    /// Fixed catalog queries (their text is a `&'static str`) -> kept plan.
    static CATALOG_STATEMENTS: std::cell::RefCell<std::collections::HashMap<&'static str, pgrx::spi::OwnedPreparedStatement>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn text_oids(count: usize) -> Vec<pgrx::pg_sys::PgOid> {
    arg_oids(count, None)
}

fn arg_oids(count: usize, jsonb: Option<JsonbParam>) -> Vec<pgrx::pg_sys::PgOid> {
    (0..count)
        .map(|i| pgrx::pg_sys::PgOid::from(if jsonb.is_some_and(|j| j.index == i) { pg_sys::JSONBOID } else { pg_sys::TEXTOID }))
        .collect()
}

/// Runs a read-only statement returning one json or jsonb value; every parameter is
/// text. The statement's plan is kept per backend (bounded, least recently used dropped).
pub fn select_json(sql: &str, params: &[Option<String>]) -> Result<Option<Value>, SqlError> {
    run_kept(sql, params, None, Access::Read, first_value)
}

/// The first column of a result's first row as a tree: `json` (what the engine's
/// statements build, keys in selection order) or `jsonb`.
fn first_value(table: pgrx::spi::SpiTupleTable) -> pgrx::spi::SpiResult<Option<Value>> {
    if table.column_type_oid(1)?.value() == pg_sys::JSONOID {
        Ok(table.first().get_one::<pgrx::Json>()?.map(|j| j.0))
    } else {
        Ok(table.first().get_one::<JsonB>()?.map(|j| j.0))
    }
}

/// Runs a statement that may write (a VOLATILE tracked function's mutation field),
/// returning one json value, in a subtransaction; its plan is not kept.
pub fn write_json(sql: &str, params: &[Option<String>]) -> Result<Option<Value>, SqlError> {
    crate::trace::statement(sql, params, true, || write_json_untraced(sql, params))
}

fn write_json_untraced(sql: &str, params: &[Option<String>]) -> Result<Option<Value>, SqlError> {
    let sql = sql.to_string();
    let params = params.to_vec();
    in_subtransaction(move || {
        Spi::connect_mut(|client| {
            let args = text_args(&params);
            let table = client.update(sql.as_str(), Some(1), &args)?;
            if table.is_empty() {
                return Ok(None);
            }
            first_value(table)
        })
    })
    .and_then(|r: Result<Option<Value>, pgrx::spi::Error>| {
        r.map_err(|e| SqlError {
            message: e.to_string(),
            sqlstate: PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
        })
    })
}

/// `select_json` without the conversion: the json datum itself, copied compact into
/// the caller's memory context, for a response the statement built whole.
pub fn select_json_datum(sql: &str, params: &[Option<String>]) -> Result<Option<JsonDatum>, SqlError> {
    run_kept(sql, params, None, Access::Read, |table| {
        let Some(datum) = table.first().get_datum_by_ordinal(1)? else { return Ok(None) };
        // SAFETY: a json (text varlena) datum of the current SPI result; the copy goes
        // to the context that was current at SPI_connect, the function call's.
        Ok(Some(unsafe { JsonDatum::compact_copy(datum) }))
    })
}

/// `select_json` without the conversion: the json value's text, as the statement wrote it.
pub fn select_json_text(sql: &str, params: &[Option<String>]) -> Result<Option<String>, SqlError> {
    run_kept(sql, params, None, Access::Read, first_text)
}

/// The first column of a result's first row, a json value, as its text.
fn first_text(table: pgrx::spi::SpiTupleTable) -> pgrx::spi::SpiResult<Option<String>> {
    let Some(datum) = table.first().get_datum_by_ordinal(1)? else { return Ok(None) };
    // SAFETY: a json (text varlena) datum of the current SPI result, read before
    // SPI_finish frees it.
    Ok(Some(unsafe { crate::response::varlena_text(datum) }))
}

/// A table mutation's statement returning one json or jsonb value, through its kept
/// plan: not read-only, so it may write and sees what the statements before it wrote.
pub fn write_json_kept(sql: &str, params: &[Option<String>], jsonb: Option<JsonbParam>) -> Result<Option<Value>, SqlError> {
    run_kept(sql, params, jsonb, Access::Write, first_value)
}

/// `write_json_kept` without the conversion: the json value's text, as the statement
/// wrote it. Run inside the caller's unit (`execute::atomically`), without a
/// subtransaction of its own: on `Err` the caller must roll its unit back before it
/// runs anything else (as PL/pgSQL's statements run in an exception block's).
pub fn write_json_text_in_unit(sql: &str, params: &[Option<String>], jsonb: Option<JsonbParam>) -> Result<Option<String>, SqlError> {
    run_kept(sql, params, jsonb, Access::WriteInUnit, first_text)
}

/// Whether a kept statement runs read-only (a query) or may write, and whether in a
/// subtransaction of its own or in the caller's unit.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Read,
    Write,
    WriteInUnit,
}

/// Runs `sql` through its kept plan (prepared on first use) and reads the first row
/// of its result with `read`; `None` when there is no row.
fn run_kept<T: std::panic::UnwindSafe>(
    sql: &str,
    params: &[Option<String>],
    jsonb: Option<JsonbParam>,
    access: Access,
    read: impl FnOnce(pgrx::spi::SpiTupleTable) -> pgrx::spi::SpiResult<Option<T>> + std::panic::UnwindSafe,
) -> Result<Option<T>, SqlError> {
    crate::trace::statement(sql, params, access != Access::Read, || run_kept_untraced(sql, params, jsonb, access, read))
}

fn run_kept_untraced<T: std::panic::UnwindSafe>(
    sql: &str,
    params: &[Option<String>],
    jsonb: Option<JsonbParam>,
    access: Access,
    read: impl FnOnce(pgrx::spi::SpiTupleTable) -> pgrx::spi::SpiResult<Option<T>> + std::panic::UnwindSafe,
) -> Result<Option<T>, SqlError> {
    // A plan is kept per text and parameter types: the same text may take its rows as
    // text in one call and as a jsonb datum in another.
    let key = match jsonb {
        Some(j) => format!("{sql}\0jsonb ${}", j.index + 1),
        None => sql.to_string(),
    };
    let sql = sql.to_string();
    let params = params.to_vec();
    let run = move || {
        Spi::connect_mut(|client| {
            let args = args(&params, jsonb);
            // Taken out of the cache while it runs (a statement may call resolve again),
            // put back as the most recently used.
            let plan = match STATEMENTS.with(|cell| cell.borrow_mut().shift_remove(&key)) {
                Some(plan) => plan,
                None => client.prepare(sql.as_str(), &arg_oids(params.len(), jsonb))?.keep(),
            };
            let result = match access {
                Access::Read => client.select(&plan, Some(1), &args),
                Access::Write | Access::WriteInUnit => client.update(&plan, Some(1), &args),
            }
            .and_then(|table| {
                if table.is_empty() {
                    return Ok(None);
                }
                read(table)
            });
            STATEMENTS.with(|cell| {
                let mut kept = cell.borrow_mut();
                if kept.len() >= KEPT_STATEMENTS {
                    kept.shift_remove_index(0);
                }
                kept.insert(key, plan);
            });
            result
        })
    };
    let outcome = if access == Access::WriteInUnit { caught(run) } else { in_subtransaction(run) };
    outcome.and_then(|r: Result<Option<T>, pgrx::spi::Error>| {
        r.map_err(|e| SqlError {
            message: e.to_string(),
            sqlstate: PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
        })
    })
}

/// `catalog_json` for a fixed query run on every call (the schema cache key): its plan
/// is prepared once per backend and kept.
pub fn catalog_json_kept(sql: &'static str, params: &[Option<String>]) -> Value {
    catalog_value(Spi::connect(|client| {
        let args = text_args(params);
        CATALOG_STATEMENTS.with(|cell| {
            let mut kept = cell.borrow_mut();
            if !kept.contains_key(sql) {
                let plan = client.prepare(sql, &text_oids(params.len()))?.keep();
                kept.insert(sql, plan);
            }
            let Some(plan) = kept.get(sql) else { return Ok(None) };
            first_jsonb(client.select(plan, Some(1), &args)?)
        })
    }))
}

/// Runs a catalog query whose single column is jsonb, outside any subtransaction:
/// for our own fixed queries, where an ERROR is a bug worth surfacing as such.
pub fn catalog_json(sql: &str, params: &[Option<String>]) -> Value {
    catalog_value(Spi::connect(|client| {
        let args = text_args(params);
        first_jsonb(client.select(sql, Some(1), &args)?)
    }))
}

/// The jsonb of a result's first row, `None` when it has no row.
fn first_jsonb(table: pgrx::spi::SpiTupleTable) -> pgrx::spi::SpiResult<Option<JsonB>> {
    if table.is_empty() {
        return Ok(None);
    }
    table.first().get_one::<JsonB>()
}

/// A catalog query's value; its failure is our bug, raised as an ERROR.
fn catalog_value(result: Result<Option<JsonB>, pgrx::spi::Error>) -> Value {
    match result {
        Ok(Some(j)) => j.0,
        Ok(None) => Value::Null,
        Err(e) => {
            pgrx::error!("pg_federation catalog query failed: {e}")
        }
    }
}

/// Runs a writing statement with text parameters (metadata writes).
pub fn run(sql: &str, params: &[Option<String>]) {
    let result = Spi::connect_mut(|client| {
        let args = text_args(params);
        client.update(sql, None, &args).map(|_| ())
    });
    if let Err(e) = result {
        pgrx::error!("pg_federation catalog write failed: {e}")
    }
}

/// Runs `f` with the rights of the role owning `table` (for reading remote-schema
/// header secrets from inside `resolve`, which runs as the caller). The previous
/// user is restored on every path, errors included, as SECURITY DEFINER functions do.
pub fn as_owner_of<R>(table: &str, f: impl FnOnce() -> R + std::panic::UnwindSafe) -> R {
    let owner = catalog_json(
        "select to_jsonb(c.relowner::int8) from pg_catalog.pg_class c where c.oid = $1::regclass",
        &[Some(table.to_string())],
    );
    let Some(owner) = owner.as_u64() else {
        pgrx::error!("pg_federation: catalog table {table} is missing");
    };
    let mut previous_user = pg_sys::InvalidOid;
    let mut previous_context: std::ffi::c_int = 0;
    // SAFETY: reads and sets backend-local state; restored in `finally` below.
    unsafe {
        pg_sys::GetUserIdAndSecContext(&mut previous_user, &mut previous_context);
        pg_sys::SetUserIdAndSecContext(
            pg_sys::Oid::from(owner as u32),
            previous_context | pg_sys::SECURITY_LOCAL_USERID_CHANGE as std::ffi::c_int,
        );
    }
    PgTryBuilder::new(f)
        .finally(move || unsafe { pg_sys::SetUserIdAndSecContext(previous_user, previous_context) })
        .execute()
}
