//! Who a request is, as Hasura decides it: an admin secret (then `x-hasura-role` and the
//! other `x-hasura-*` headers are trusted), a JWT verified with the configured key (its
//! `x-hasura-allowed-roles`, `x-hasura-default-role`, and `x-hasura-role` choosing among
//! them), or the unauthorized role. The outcome is a Postgres role to `SET LOCAL ROLE`
//! to (or none: admin runs as the login role) and the claims `graphql.resolve` reads.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use crate::errors::ApiError;
use crate::jwt::{JwtConfig, TokenError, DEFAULT_NAMESPACE};

pub struct AuthConfig {
    pub admin_secret: Option<String>,
    pub jwt: Option<JwtConfig>,
    pub unauthorized_role: Option<String>,
}

/// The identity a request runs with.
#[derive(Debug, PartialEq)]
pub struct Session {
    /// The Postgres role to take; `None` is admin, which runs as the login role.
    pub role: Option<String>,
    /// The value of `request.jwt.claims`: the token's claims, or the trusted headers,
    /// with the session variables (`x-hasura-*`, in lower case) at the top level.
    /// graphql.resolve takes `x-hasura-role` from `current_user` whatever it says here.
    pub claims: Map<String, Value>,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.role.is_none()
    }
}

const ADMIN: &str = "admin";

impl AuthConfig {
    pub fn check(&self) -> Result<(), String> {
        if self.admin_secret.as_deref().is_some_and(str::is_empty) {
            return Err("the admin secret is empty: an empty x-hasura-admin-secret header would be admin".into());
        }
        if self.admin_secret.is_none() && (self.jwt.is_some() || self.unauthorized_role.is_some()) {
            return Err("a JWT secret or an unauthorized role needs an admin secret too (HASURA_GRAPHQL_ADMIN_SECRET); without one every request is admin".into());
        }
        Ok(())
    }

    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Session, ApiError> {
        let Some(secret) = &self.admin_secret else {
            // Hasura's development mode: no secret, every request is admin.
            return Ok(trusted_headers(headers));
        };
        if let Some(given) = header(headers, "x-hasura-admin-secret").or_else(|| header(headers, "x-hasura-access-key")) {
            if constant_time_eq(given.as_bytes(), secret.as_bytes()) {
                return Ok(trusted_headers(headers));
            }
            return Err(ApiError::unauthorized("access-denied", "invalid x-hasura-admin-secret/x-hasura-access-key"));
        }
        if let Some(jwt) = &self.jwt {
            if let Some(authorization) = header(headers, "authorization") {
                let token = authorization
                    .strip_prefix("Bearer ")
                    .or_else(|| authorization.strip_prefix("bearer "))
                    .ok_or_else(|| ApiError::unauthorized("invalid-headers", "Malformed Authorization header"))?;
                return from_token(jwt, token.trim(), headers);
            }
        }
        match &self.unauthorized_role {
            Some(role) => Ok(session_for_role(role.clone(), Map::new())),
            None if self.jwt.is_some() => Err(ApiError::unauthorized(
                "invalid-headers",
                "Missing 'Authorization' or 'Cookie' header in JWT authentication mode",
            )),
            None => Err(ApiError::unauthorized("access-denied", "x-hasura-admin-secret/x-hasura-access-key required, but not found")),
        }
    }
}

fn from_token(jwt: &JwtConfig, token: &str, headers: &HeaderMap) -> Result<Session, ApiError> {
    let verified = jwt.verify(token).map_err(|e| match e {
        TokenError::Invalid(message) => ApiError::unauthorized("invalid-jwt", &message),
        TokenError::Claims(message) => ApiError::unauthorized("jwt-invalid-claims", &message),
    })?;
    let hasura = lower_case_keys(verified.hasura);
    let allowed: Vec<String> = match hasura.get("x-hasura-allowed-roles") {
        Some(Value::Array(roles)) => roles.iter().filter_map(|r| r.as_str().map(str::to_string)).collect(),
        _ => return Err(ApiError::unauthorized("jwt-missing-role-claims", "JWT claim does not contain x-hasura-allowed-roles")),
    };
    let default = hasura
        .get("x-hasura-default-role")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::unauthorized("jwt-missing-role-claims", "JWT claim does not contain x-hasura-default-role"))?;
    let role = header(headers, "x-hasura-role").unwrap_or(default).to_string();
    if !allowed.contains(&role) {
        return Err(ApiError::bad_request("access-denied", "Your requested role is not in allowed roles"));
    }
    // The token's claims as they are (a row-level security policy may read `sub`), with
    // only the verified session variables: `x-hasura-*` claims outside the namespace are
    // dropped (Hasura ignores them), and so is the default namespace key when another is
    // configured (graphql.resolve would read it first). The session variables then sit
    // at the top level, where graphql.resolve reads them when that key is absent.
    let mut claims = verified.claims;
    claims.retain(|key, _| !key.to_ascii_lowercase().starts_with("x-hasura-"));
    if !jwt.reads_default_namespace() {
        claims.remove(DEFAULT_NAMESPACE);
    }
    for (key, value) in hasura {
        if key.starts_with("x-hasura-") && key != "x-hasura-allowed-roles" && key != "x-hasura-default-role" {
            claims.insert(key, value);
        }
    }
    if role == ADMIN {
        return Ok(Session { role: None, claims });
    }
    Ok(session_for_role(role, claims))
}

/// Admin: `x-hasura-role` (when not `admin`) is the role, the `x-hasura-*` headers the
/// session variables.
fn trusted_headers(headers: &HeaderMap) -> Session {
    let mut claims = Map::new();
    for (name, value) in headers {
        let name = name.as_str();
        if name.starts_with("x-hasura-") && name != "x-hasura-admin-secret" && name != "x-hasura-access-key" {
            if let Ok(text) = value.to_str() {
                claims.insert(name.to_string(), Value::String(text.to_string()));
            }
        }
    }
    match claims.get("x-hasura-role").and_then(Value::as_str) {
        Some(role) if role != ADMIN => session_for_role(role.to_string(), claims),
        _ => Session { role: None, claims },
    }
}

/// A role's session; `x-hasura-role` is the role, as graphql.resolve has it too
/// (it is `current_user` there).
fn session_for_role(role: String, mut claims: Map<String, Value>) -> Session {
    claims.insert("x-hasura-role".into(), Value::String(role.clone()));
    Session { role: Some(role), claims }
}

fn lower_case_keys(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Compares secrets in a time that depends on neither where they differ nor the
/// secret's length (only the longer of the two lengths).
fn constant_time_eq(given: &[u8], secret: &[u8]) -> bool {
    let longest = given.len().max(secret.len());
    let mut difference = (given.len() != secret.len()) as u8;
    for i in 0..longest {
        difference |= given.get(i).copied().unwrap_or(0) ^ secret.get(i).copied().unwrap_or(0);
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    use serde_json::json;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn config() -> AuthConfig {
        AuthConfig {
            admin_secret: Some("s3cret".into()),
            jwt: Some(JwtConfig::parse(r#"{"type":"HS256","key":"k"}"#).unwrap()),
            unauthorized_role: None,
        }
    }

    fn bearer(claims: Value) -> String {
        let token = encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(b"k")).unwrap();
        format!("Bearer {token}")
    }

    #[test]
    fn admin_secret_trusts_the_role_header() {
        let s = config().authenticate(&headers(&[("x-hasura-admin-secret", "s3cret"), ("x-hasura-role", "reader"), ("x-hasura-user-id", "4")])).unwrap();
        assert_eq!(s.role.as_deref(), Some("reader"));
        assert_eq!(s.claims["x-hasura-user-id"], "4");
        let admin = config().authenticate(&headers(&[("x-hasura-admin-secret", "s3cret")])).unwrap();
        assert!(admin.is_admin());
        let wrong = config().authenticate(&headers(&[("x-hasura-admin-secret", "nope")])).unwrap_err();
        assert_eq!((wrong.status.as_u16(), wrong.code), (401, "access-denied"));
    }

    #[test]
    fn a_jwt_picks_its_role_among_the_allowed_ones() {
        let claims = json!({"sub": "u1", "https://hasura.io/jwt/claims": {
            "x-hasura-allowed-roles": ["reader", "writer"], "x-hasura-default-role": "reader", "X-Hasura-User-Id": "9"}});
        let s = config().authenticate(&headers(&[("authorization", &bearer(claims.clone()))])).unwrap();
        assert_eq!(s.role.as_deref(), Some("reader"));
        assert_eq!((s.claims["x-hasura-user-id"].clone(), s.claims["sub"].clone()), (json!("9"), json!("u1")));
        let s = config().authenticate(&headers(&[("authorization", &bearer(claims.clone())), ("x-hasura-role", "writer")])).unwrap();
        assert_eq!(s.role.as_deref(), Some("writer"));
        let refused = config().authenticate(&headers(&[("authorization", &bearer(claims)), ("x-hasura-role", "boss")])).unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (400, "access-denied"));
        // a header role without a valid token is ignored: no token, no role
        let missing = config().authenticate(&headers(&[("x-hasura-role", "writer")])).unwrap_err();
        assert_eq!((missing.status.as_u16(), missing.code), (401, "invalid-headers"));
    }

    #[test]
    fn the_unauthorized_role_serves_anonymous_requests() {
        let mut c = config();
        c.unauthorized_role = Some("anonymous".into());
        let s = c.authenticate(&HeaderMap::new()).unwrap();
        assert_eq!(s.role.as_deref(), Some("anonymous"));
        let bad = c.authenticate(&headers(&[("authorization", "Bearer not.a.jwt")])).unwrap_err();
        assert_eq!((bad.status.as_u16(), bad.code), (401, "invalid-jwt"));
    }
}
