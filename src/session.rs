//! The call's session variables, as Hasura has them: the JSON in the setting
//! `request.jwt.claims` (the PostgREST / Supabase convention: a front sets it per
//! transaction after verifying a JWT; a SQL caller may `SET LOCAL` it). When it holds
//! Hasura's claims namespace (`graphql.jwt_claims_namespace`, an object or a JSON string
//! of one) that object is used, else the top level. Only `x-hasura-*` keys count, named
//! in lower case; `x-hasura-role` is always `current_user`.

use pgrx::pg_sys;
use serde_json::{Map, Value};
use std::ffi::CStr;

/// Session variables by lower-case name, values as text.
pub type Variables = Map<String, Value>;

/// The session variables of the current call.
pub fn current() -> Variables {
    // Read where Postgres keeps them (what `current_setting('request.jwt.claims', true)`
    // and `current_user` read), not through a query on every call.
    // SAFETY: plain reads on the backend thread; both strings are copied at once.
    let (claims, role) = unsafe {
        let claims = pg_sys::GetConfigOption(c"request.jwt.claims".as_ptr(), true, false);
        let claims = (!claims.is_null()).then(|| CStr::from_ptr(claims).to_string_lossy().into_owned());
        let role = pg_sys::GetUserNameFromId(pg_sys::GetUserId(), true);
        let role = if role.is_null() { String::new() } else { CStr::from_ptr(role).to_string_lossy().into_owned() };
        (claims, role)
    };
    let claims = claims.filter(|text| !text.is_empty()).and_then(|text| serde_json::from_str::<Value>(&text).ok());
    from_claims(claims.as_ref(), &crate::settings::jwt_claims_namespace(), &role)
}

/// The session variables of `claims` (see the module's doc).
pub fn from_claims(claims: Option<&Value>, namespace: &str, role: &str) -> Variables {
    let scope = claims.map(|c| match c.get(namespace) {
        Some(Value::Object(_)) => c.get(namespace).cloned(),
        Some(Value::String(text)) => serde_json::from_str::<Value>(text).ok().filter(Value::is_object),
        _ => None,
    }.unwrap_or_else(|| c.clone()));
    let mut out = Map::new();
    if let Some(Value::Object(map)) = scope {
        for (key, value) in map {
            let key = key.to_ascii_lowercase();
            // The roles a JWT allows are the front's business (it picks the role); as in
            // Hasura, they are not session variables.
            if !key.starts_with("x-hasura-") || matches!(key.as_str(), "x-hasura-allowed-roles" | "x-hasura-default-role") {
                continue;
            }
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            out.insert(key, Value::String(text));
        }
    }
    out.insert("x-hasura-role".into(), Value::String(role.to_string()));
    out
}
