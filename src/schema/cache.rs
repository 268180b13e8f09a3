//! One composed schema per backend, keyed by (schema version, role, search_path,
//! role memberships, exposed schemas). The schema version is bumped by event triggers
//! on DDL and by metadata writes, which also send a relcache invalidation of
//! graphql.schema_version: a backend reads the version again only after one, so a hit
//! runs no query at all; memberships are re-read only after a role catalog changed.

use apollo_compiler::collections::HashMap;
use apollo_compiler::schema::Implementers;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::actions::ActionModel;
use super::compose;
use super::join_field::JoinField;
use super::model::{self, Model};
use super::remote::RemoteModel;
use crate::error::{code, GraphqlError};
use crate::metadata::store;
use crate::spi;

pub struct Composed {
    pub model: Model,
    /// Remote schemas in the schema, and which root field goes to which.
    pub remotes: Vec<RemoteModel>,
    pub remote_roots: std::collections::HashMap<String, usize>,
    /// The same for remote mutation fields (fields of mutation_root).
    pub remote_mutation_roots: std::collections::HashMap<String, usize>,
    /// How to reach each remote (index as `remotes`); header secrets resolved once.
    pub connections: Vec<Result<crate::metadata::connection::Connection, String>>,
    pub schema: Valid<Schema>,
    pub implementers: HashMap<Name, Implementers>,
    /// Join fields of remote object types and actions' custom types, by our type name.
    pub type_joins: std::collections::HashMap<String, Vec<JoinField>>,
    /// Actions by root field name.
    pub actions: std::collections::HashMap<String, ActionModel>,
    /// Documents validated against `schema`.
    pub documents: crate::query::request::DocumentCache,
}

impl Composed {
    /// The join field `field` of object type `type_name`, if it is one.
    pub fn type_join(&self, type_name: &str, field: &str) -> Option<&JoinField> {
        self.type_joins.get(type_name)?.iter().find(|j| j.name() == field)
    }
}

#[derive(Clone, PartialEq, Debug)]
struct CacheKey {
    version: i64,
    role: u32,
    search_path: String,
    /// Roles the current role is a member of: membership changes fire no event
    /// trigger, yet change what the role may read.
    memberships: String,
    exposed: Vec<String>,
    remote_schema_permissions: bool,
}

/// How many composed schemas a backend keeps (least recently used dropped).
const KEPT_SCHEMAS: usize = 8;

thread_local! {
    /// The schemas composed last, most recent last: one per role (and settings) a
    /// backend serves in turn, so that a front switching roles per request (`SET
    /// ROLE`) does not compose again at every switch.
    static CACHE: RefCell<Vec<(CacheKey, Rc<Composed>)>> = const { RefCell::new(Vec::new()) };
    static BUILDS: Cell<u64> = const { Cell::new(0) };
    static HITS: Cell<u64> = const { Cell::new(0) };
}

fn current_key() -> CacheKey {
    // SAFETY: GetUserId only reads backend state.
    let role = unsafe { pgrx::pg_sys::GetUserId() }.to_u32();
    CacheKey {
        version: schema_version(),
        role,
        search_path: search_path(),
        memberships: memberships(role),
        exposed: crate::settings::exposed_schemas(),
        remote_schema_permissions: crate::settings::remote_schema_permissions(),
    }
}

/// The current `search_path` setting, from the GUC itself.
fn search_path() -> String {
    // SAFETY: search_path always exists; the result is a palloc'd copy of its value.
    unsafe {
        let value = pgrx::pg_sys::GetConfigOptionByName(c"search_path".as_ptr(), std::ptr::null_mut(), false);
        if value.is_null() {
            return String::new();
        }
        std::ffi::CStr::from_ptr(value).to_string_lossy().into_owned()
    }
}

thread_local! {
    /// The schema version last read, while no invalidation of graphql.schema_version
    /// came since: then a call need not read it.
    static KNOWN_VERSION: Cell<Option<i64>> = const { Cell::new(None) };
    /// Counts those invalidations, to tell whether one came while the version was read.
    static VERSION_INVALIDATIONS: Cell<u64> = const { Cell::new(0) };
    /// graphql.schema_version's oid, once the invalidation callback is registered.
    static VERSION_RELATION: Cell<Option<pgrx::pg_sys::Oid>> = const { Cell::new(None) };
    /// Whether the installed triggers send those invalidations: not before `ALTER
    /// EXTENSION pg_federation UPDATE` to 0.2.0 (a newer library over older SQL); then
    /// every call reads the version, as before.
    static INVALIDATIONS_SENT: Cell<bool> = const { Cell::new(false) };
}

/// The version as this statement sees it, and graphql.schema_version's oid.
const VERSION_SQL: &str = "select jsonb_build_array((select version from graphql.schema_version where singleton),
                                                    'graphql.schema_version'::regclass::oid::bigint)";

/// The schema version, read only when an invalidation of graphql.schema_version
/// arrived since the last read (or never read yet).
fn schema_version() -> i64 {
    // Commits of other backends since this transaction's last look are taken in now, as
    // reading the row would see them (read committed).
    // SAFETY: a plain call on the backend thread inside a transaction.
    unsafe { pgrx::pg_sys::AcceptInvalidationMessages() };
    if let Some(version) = KNOWN_VERSION.with(Cell::get) {
        return version;
    }
    register_version_callback();
    let before = VERSION_INVALIDATIONS.with(Cell::get);
    // The version this statement sees: what the schema is composed from.
    let row = spi::catalog_json_kept(VERSION_SQL, &[]);
    let version = row.get(0).and_then(Value::as_i64).unwrap_or(0);
    // The table's oid changes when the extension is dropped and created again.
    if let Some(oid) = row.get(1).and_then(Value::as_u64).and_then(|o| u32::try_from(o).ok()) {
        VERSION_RELATION.with(|r| r.set(Some(pgrx::pg_sys::Oid::from(oid))));
    }
    // Kept for the next calls only when it is the latest committed version (a statement
    // that started before another session's change sees the older one, and a repeatable
    // read transaction keeps seeing it), and no invalidation came while reading.
    let keep = INVALIDATIONS_SENT.with(Cell::get)
        && !uses_transaction_snapshot()
        && latest_version() == Some(version)
        && VERSION_INVALIDATIONS.with(Cell::get) == before;
    if keep {
        KNOWN_VERSION.with(|k| k.set(Some(version)));
    }
    version
}

/// Repeatable read and serializable: every statement sees the transaction's snapshot.
fn uses_transaction_snapshot() -> bool {
    // SAFETY: a plain read of backend state.
    unsafe { pgrx::pg_sys::XactIsoLevel >= pgrx::pg_sys::XACT_REPEATABLE_READ as i32 }
}

/// The latest committed version, whatever this statement's snapshot.
fn latest_version() -> Option<i64> {
    struct Latest;
    impl Drop for Latest {
        fn drop(&mut self) {
            // SAFETY: pops the snapshot pushed below.
            unsafe { pgrx::pg_sys::PopActiveSnapshot() }
        }
    }
    // SAFETY: a fresh snapshot, active while the version is read, popped by the guard.
    unsafe { pgrx::pg_sys::PushActiveSnapshot(pgrx::pg_sys::GetLatestSnapshot()) };
    let _latest = Latest;
    spi::catalog_json_kept(VERSION_SQL, &[]).get(0).and_then(Value::as_i64)
}

fn register_version_callback() {
    if VERSION_RELATION.with(Cell::get).is_some() {
        return;
    }
    let row = spi::catalog_json_kept(
        "select jsonb_build_array('graphql.schema_version'::regclass::oid::bigint,
                                  pg_catalog.to_regprocedure('graphql.invalidate_schema_caches()') is not null)",
        &[],
    );
    let Some(oid) = row.get(0).and_then(Value::as_u64).and_then(|o| u32::try_from(o).ok()) else { return };
    VERSION_RELATION.with(|r| r.set(Some(pgrx::pg_sys::Oid::from(oid))));
    INVALIDATIONS_SENT.with(|s| s.set(row.get(1) == Some(&Value::Bool(true))));
    // SAFETY: registers a callback that only touches this thread's state.
    unsafe { pgrx::pg_sys::CacheRegisterRelcacheCallback(Some(version_invalidated), pgrx::pg_sys::Datum::from(0)) };
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn version_invalidated(_arg: pgrx::pg_sys::Datum, relation: pgrx::pg_sys::Oid) {
    // InvalidOid: every relation (a cache reset).
    let ours = VERSION_RELATION.with(Cell::get);
    if relation == pgrx::pg_sys::InvalidOid || Some(relation) == ours {
        KNOWN_VERSION.with(|k| k.set(None));
        VERSION_INVALIDATIONS.with(|n| n.set(n.get() + 1));
    }
}

/// For the metadata and DDL triggers (graphql.invalidate_schema_caches()): once this
/// transaction commits, every backend reads the schema version again.
pub fn invalidate_everywhere() {
    let row = spi::catalog_json_kept("select to_jsonb('graphql.schema_version'::regclass::oid::bigint)", &[]);
    if let Some(oid) = row.as_u64().and_then(|o| u32::try_from(o).ok()) {
        // SAFETY: a relcache invalidation of an existing relation, sent at commit.
        unsafe { pgrx::pg_sys::CacheInvalidateRelcacheByRelid(pgrx::pg_sys::Oid::from(oid)) };
    }
}

thread_local! {
    /// The roles each of the last roles served is a member of (a front switches roles
    /// per request), until a change to pg_auth_members or pg_authid (in any backend)
    /// clears them: scanning pg_roles with pg_has_role on every call was half the time
    /// of a cache hit.
    static MEMBERSHIPS: RefCell<Vec<(u32, String)>> = const { RefCell::new(Vec::new()) };
    static CALLBACKS_REGISTERED: Cell<bool> = const { Cell::new(false) };
    /// Counts role catalog changes, to tell whether one came while memberships were read.
    static MEMBERSHIP_CHANGES: Cell<u64> = const { Cell::new(0) };
}

/// Roles `role` is a member of (directly or not), comma-separated oids.
fn memberships(role: u32) -> String {
    if let Some(known) = MEMBERSHIPS.with(|m| m.borrow().iter().find(|(r, _)| *r == role).map(|(_, l)| l.clone())) {
        return known;
    }
    register_membership_callbacks();
    let before = MEMBERSHIP_CHANGES.with(Cell::get);
    let row = spi::catalog_json_kept(
        "select to_jsonb(coalesce(string_agg(oid::text, ',' order by oid), ''))
           from pg_catalog.pg_roles where pg_catalog.pg_has_role(oid, 'MEMBER')",
        &[],
    );
    let list = row.as_str().unwrap_or_default().to_string();
    // A change taken in while reading may be one the read did not see: not kept then.
    if MEMBERSHIP_CHANGES.with(Cell::get) != before {
        return list;
    }
    MEMBERSHIPS.with(|m| {
        let mut known = m.borrow_mut();
        if known.len() >= KEPT_SCHEMAS {
            known.remove(0);
        }
        known.push((role, list.clone()));
    });
    list
}

/// Clears the known memberships when role catalogs change, as acl.c does for its own
/// membership cache. Registered once per backend (callbacks cannot be removed).
fn register_membership_callbacks() {
    if CALLBACKS_REGISTERED.with(Cell::get) {
        return;
    }
    use pgrx::pg_sys::SysCacheIdentifier::{AUTHMEMROLEMEM, AUTHOID};
    for cache in [AUTHMEMROLEMEM, AUTHOID] {
        // SAFETY: registers a callback that only touches this thread's state.
        unsafe {
            pgrx::pg_sys::CacheRegisterSyscacheCallback(cache as std::ffi::c_int, Some(memberships_changed), pgrx::pg_sys::Datum::from(0))
        };
    }
    CALLBACKS_REGISTERED.with(|r| r.set(true));
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn memberships_changed(_arg: pgrx::pg_sys::Datum, _cache: std::ffi::c_int, _hash: u32) {
    MEMBERSHIPS.with(|m| m.borrow_mut().clear());
    MEMBERSHIP_CHANGES.with(|n| n.set(n.get() + 1));
}

/// The composed schema for the current role and settings, built if stale.
pub fn get() -> Result<Rc<Composed>, GraphqlError> {
    let key = current_key();
    let cached = CACHE.with(|c| {
        let mut entries = c.borrow_mut();
        let position = entries.iter().position(|(k, _)| *k == key)?;
        let entry = entries.remove(position);
        let composed = entry.1.clone();
        entries.push(entry);
        Some(composed)
    });
    if let Some(composed) = cached {
        HITS.with(|h| h.set(h.get() + 1));
        return Ok(composed);
    }
    let composed = Rc::new(compose(&key.exposed)?);
    BUILDS.with(|b| b.set(b.get() + 1));
    CACHE.with(|c| {
        let mut entries = c.borrow_mut();
        // A schema of an older version is never used again.
        entries.retain(|(k, _)| k.version == key.version);
        if entries.len() >= KEPT_SCHEMAS {
            entries.remove(0);
        }
        entries.push((key, composed.clone()));
    });
    Ok(composed)
}

fn compose(exposed: &[String]) -> Result<Composed, GraphqlError> {
    let metadata = store::load().map_err(|e| GraphqlError::new(code::UNEXPECTED, e.message))?;
    let mut model = model::build(exposed, &metadata);
    let composition = compose::compose(&mut model, &metadata, &compose::stored_introspections());
    let schema = composition.schema.map_err(|message| GraphqlError::new(code::UNEXPECTED, message))?;
    let implementers = schema.implementers_map();
    let mut remote_roots = std::collections::HashMap::new();
    let mut remote_mutation_roots = std::collections::HashMap::new();
    for (index, remote) in composition.remotes.iter().enumerate() {
        for root in remote.root_fields.keys() {
            remote_roots.insert(root.clone(), index);
        }
        for root in remote.mutation_fields.keys() {
            remote_mutation_roots.insert(root.clone(), index);
        }
    }
    let connections = composition
        .remotes
        .iter()
        .map(|r| crate::metadata::connection::connection(&r.definition))
        .collect();
    let actions = composition.actions.into_iter().map(|a| (a.name.clone(), a)).collect();
    Ok(Composed {
        model,
        remotes: composition.remotes,
        remote_roots,
        remote_mutation_roots,
        connections,
        schema,
        implementers,
        type_joins: composition.type_joins,
        actions,
        documents: Default::default(),
    })
}

/// `graphql.cache_stats()`: how often this backend built the schema and reused it.
pub fn stats() -> Value {
    json!({"builds": BUILDS.with(Cell::get), "hits": HITS.with(Cell::get)})
}
