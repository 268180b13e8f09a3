//! One composed schema per backend, keyed by (schema version, role, search_path,
//! exposed schemas). The schema version is bumped by event triggers on DDL and by
//! metadata writes, so a hit costs one tiny query and no catalog reflection.

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
    /// How to reach each remote (index as `remotes`); header secrets resolved once.
    pub connections: Vec<Result<crate::metadata::remote_schemas::Connection, String>>,
    pub schema: Valid<Schema>,
    pub implementers: HashMap<Name, Implementers>,
    /// Join fields of remote object types and actions' custom types, by our type name.
    pub type_joins: std::collections::HashMap<String, Vec<JoinField>>,
    /// Actions by root field name.
    pub actions: std::collections::HashMap<String, ActionModel>,
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
}

thread_local! {
    static CACHE: RefCell<Option<(CacheKey, Rc<Composed>)>> = const { RefCell::new(None) };
    static BUILDS: Cell<u64> = const { Cell::new(0) };
    static HITS: Cell<u64> = const { Cell::new(0) };
}

fn current_key() -> CacheKey {
    let row = spi::catalog_json(
        "select jsonb_build_array(
                    (select version from graphql.schema_version where singleton),
                    pg_catalog.current_setting('search_path'),
                    (select coalesce(string_agg(oid::text, ',' order by oid), '')
                       from pg_catalog.pg_roles where pg_catalog.pg_has_role(oid, 'MEMBER')))",
        &[],
    );
    // SAFETY: GetUserId only reads backend state.
    let role = unsafe { pgrx::pg_sys::GetUserId() }.to_u32();
    CacheKey {
        version: row.get(0).and_then(Value::as_i64).unwrap_or(0),
        role,
        search_path: row.get(1).and_then(Value::as_str).unwrap_or_default().to_string(),
        memberships: row.get(2).and_then(Value::as_str).unwrap_or_default().to_string(),
        exposed: crate::exposed_schemas(),
    }
}

/// The composed schema for the current role and settings, built if stale.
pub fn get() -> Result<Rc<Composed>, GraphqlError> {
    let key = current_key();
    let cached = CACHE.with(|c| {
        c.borrow().as_ref().filter(|(k, _)| *k == key).map(|(_, composed)| composed.clone())
    });
    if let Some(composed) = cached {
        HITS.with(|h| h.set(h.get() + 1));
        return Ok(composed);
    }
    let composed = Rc::new(compose(&key.exposed)?);
    BUILDS.with(|b| b.set(b.get() + 1));
    CACHE.with(|c| *c.borrow_mut() = Some((key, composed.clone())));
    Ok(composed)
}

fn compose(exposed: &[String]) -> Result<Composed, GraphqlError> {
    let metadata = store::load().map_err(|e| GraphqlError::new(code::UNEXPECTED, e.message))?;
    let mut model = model::build(exposed, &metadata);
    let composition = compose::compose(&mut model, &metadata, &compose::stored_introspections());
    let schema = composition.schema.map_err(|message| GraphqlError::new(code::UNEXPECTED, message))?;
    let implementers = schema.implementers_map();
    let mut remote_roots = std::collections::HashMap::new();
    for (index, remote) in composition.remotes.iter().enumerate() {
        for root in remote.root_fields.keys() {
            remote_roots.insert(root.clone(), index);
        }
    }
    let connections = composition
        .remotes
        .iter()
        .map(|r| crate::metadata::remote_schemas::connection(&r.definition))
        .collect();
    let actions = composition.actions.into_iter().map(|a| (a.name.clone(), a)).collect();
    Ok(Composed {
        model,
        remotes: composition.remotes,
        remote_roots,
        connections,
        schema,
        implementers,
        type_joins: composition.type_joins,
        actions,
    })
}

/// `graphql.cache_stats()`: how often this backend built the schema and reused it.
pub fn stats() -> Value {
    json!({"builds": BUILDS.with(Cell::get), "hits": HITS.with(Cell::get)})
}

/// The SDL the current role sees (for `graphql.sdl()`, debugging and docs).
pub fn sdl_text() -> Result<String, GraphqlError> {
    Ok(get()?.schema.to_string())
}
