//! Hasura's JWT mode: `HASURA_GRAPHQL_JWT_SECRET` parsed once at start, tokens verified
//! per request. The verified claims keep their shape (they become `request.jwt.claims`);
//! Hasura's claims are found under `claims_namespace` (or `claims_namespace_path`), as an
//! object or, with `claims_format: stringified_json`, a JSON string of one.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

pub const DEFAULT_NAMESPACE: &str = "https://hasura.io/jwt/claims";

/// The body of `HASURA_GRAPHQL_JWT_SECRET`, as Hasura documents it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JwtSecretBody {
    #[serde(rename = "type")]
    algorithm: Option<String>,
    key: Option<String>,
    jwk_url: Option<String>,
    claims_namespace: Option<String>,
    claims_namespace_path: Option<String>,
    claims_format: Option<String>,
    audience: Option<Audience>,
    issuer: Option<String>,
    allowed_skew: Option<u64>,
    claims_map: Option<Value>,
    header: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Where Hasura's claims sit in a token.
enum Namespace {
    Key(String),
    /// `claims_namespace_path` as its keys: `$.hasura.claims` is `["hasura", "claims"]`.
    Path(Vec<String>),
}

pub struct JwtConfig {
    key: DecodingKey,
    validation: Validation,
    namespace: Namespace,
    stringified: bool,
}

/// Why a token was refused: its signature or registered claims (`invalid-jwt`), or
/// Hasura's claims in it (`jwt-invalid-claims`), as Hasura tells them apart.
#[derive(Debug)]
pub enum TokenError {
    Invalid(String),
    Claims(String),
}

/// A verified token: all its claims, and Hasura's claims found in them.
#[derive(Debug)]
pub struct VerifiedToken {
    pub claims: Map<String, Value>,
    pub hasura: Map<String, Value>,
}

impl JwtConfig {
    /// Parses Hasura's JWT configuration; an error names what is wrong with it.
    pub fn parse(text: &str) -> Result<JwtConfig, String> {
        let body: JwtSecretBody =
            serde_json::from_str(text).map_err(|e| format!("HASURA_GRAPHQL_JWT_SECRET is not a valid JWT configuration: {e}"))?;
        if body.jwk_url.is_some() {
            return Err("HASURA_GRAPHQL_JWT_SECRET: jwk_url is not supported; give the key itself in \"key\"".into());
        }
        if body.claims_map.is_some() || body.header.is_some() {
            return Err("HASURA_GRAPHQL_JWT_SECRET: claims_map and header are not supported".into());
        }
        let name = body.algorithm.ok_or("HASURA_GRAPHQL_JWT_SECRET: \"type\" is required")?;
        // Hasura names EdDSA by its curve.
        let algorithm: Algorithm = if name == "Ed25519" { Ok(Algorithm::EdDSA) } else { name.parse() }
            .map_err(|_| format!("HASURA_GRAPHQL_JWT_SECRET: unknown type {name:?}"))?;
        let key_text = body.key.ok_or("HASURA_GRAPHQL_JWT_SECRET: \"key\" is required")?;
        let key = decoding_key(algorithm, &key_text)
            .map_err(|e| format!("HASURA_GRAPHQL_JWT_SECRET: the key does not suit {name}: {e}"))?;
        let mut validation = Validation::new(algorithm);
        // Hasura requires no claim; `exp` and `nbf` are checked when present.
        validation.required_spec_claims.clear();
        validation.validate_nbf = true;
        validation.leeway = body.allowed_skew.unwrap_or(0);
        match body.audience {
            Some(Audience::One(one)) => validation.set_audience(&[one]),
            Some(Audience::Many(many)) => validation.set_audience(&many),
            None => validation.validate_aud = false,
        }
        if let Some(issuer) = body.issuer {
            validation.set_issuer(&[issuer]);
        }
        let namespace = match (body.claims_namespace, body.claims_namespace_path) {
            (Some(_), Some(_)) => {
                return Err("HASURA_GRAPHQL_JWT_SECRET: claims_namespace and claims_namespace_path exclude each other".into())
            }
            (_, Some(path)) => Namespace::Path(parse_path(&path)?),
            (key, None) => Namespace::Key(key.unwrap_or_else(|| DEFAULT_NAMESPACE.to_string())),
        };
        let stringified = match body.claims_format.as_deref() {
            None | Some("json") => false,
            Some("stringified_json") => true,
            Some(other) => return Err(format!("HASURA_GRAPHQL_JWT_SECRET: claims_format {other:?} is not json or stringified_json")),
        };
        Ok(JwtConfig { key, validation, namespace, stringified })
    }

    /// Verifies a token (signature, `exp`, `nbf`, `aud`, `iss`) and finds Hasura's claims.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &self.validation)
            .map_err(|e| TokenError::Invalid(format!("Could not verify JWT: {e}")))?;
        let claims = data.claims;
        let found = match &self.namespace {
            Namespace::Key(key) => claims.get(key).cloned(),
            // `$`: the claims themselves.
            Namespace::Path(keys) if keys.is_empty() => Some(Value::Object(claims.clone())),
            Namespace::Path(keys) => keys
                .iter()
                .try_fold(None::<&Value>, |at, key| {
                    let map = match at {
                        None => Some(&claims),
                        Some(value) => value.as_object(),
                    };
                    Some(map.and_then(|m| m.get(key)))
                })
                .flatten()
                .cloned(),
        };
        let hasura = match (found, self.stringified) {
            (Some(Value::Object(map)), false) => map,
            (Some(Value::String(text)), true) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => map,
                _ => return Err(TokenError::Claims("the claims namespace is not a JSON string of an object".into())),
            },
            (Some(_), _) => return Err(TokenError::Claims(format!("the claims namespace is not {}", self.format_name()))),
            (None, _) => return Err(TokenError::Claims(format!("claims key: '{}' not found", self.namespace_name()))),
        };
        Ok(VerifiedToken { claims, hasura })
    }

    /// Whether Hasura's claims are read from the default key, where graphql.resolve also
    /// looks for them.
    pub fn reads_default_namespace(&self) -> bool {
        matches!(&self.namespace, Namespace::Key(key) if key == DEFAULT_NAMESPACE)
    }

    fn format_name(&self) -> &'static str {
        if self.stringified { "a JSON string (claims_format: stringified_json)" } else { "an object (claims_format: json)" }
    }

    fn namespace_name(&self) -> String {
        match &self.namespace {
            Namespace::Key(key) => key.clone(),
            Namespace::Path(keys) => format!("$.{}", keys.join(".")),
        }
    }
}

fn decoding_key(algorithm: Algorithm, key: &str) -> Result<DecodingKey, jsonwebtoken::errors::Error> {
    use Algorithm::*;
    match algorithm {
        HS256 | HS384 | HS512 => Ok(DecodingKey::from_secret(key.as_bytes())),
        RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => DecodingKey::from_rsa_pem(key.as_bytes()),
        ES256 | ES384 => DecodingKey::from_ec_pem(key.as_bytes()),
        EdDSA => DecodingKey::from_ed_pem(key.as_bytes()),
    }
}

/// `$.a.b` as `["a", "b"]`, `$` as none (the claims themselves); Hasura's other JSONPath
/// forms are refused by name.
fn parse_path(path: &str) -> Result<Vec<String>, String> {
    if path == "$" {
        return Ok(Vec::new());
    }
    let rest = path.strip_prefix("$.").ok_or_else(|| format!("HASURA_GRAPHQL_JWT_SECRET: claims_namespace_path {path:?} must start with \"$.\""))?;
    let keys: Vec<String> = rest.split('.').map(str::to_string).collect();
    if keys.iter().any(|k| k.is_empty() || k.contains(['[', ']', '\'', '"'])) {
        return Err(format!("HASURA_GRAPHQL_JWT_SECRET: claims_namespace_path {path:?}: only dotted keys ($.a.b) are supported"));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    fn token(claims: Value, secret: &str) -> String {
        encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
    }

    #[test]
    fn finds_claims_under_the_namespace_in_both_formats() {
        let config = JwtConfig::parse(r#"{"type":"HS256","key":"a-secret-of-at-least-32-characters!!"}"#).unwrap();
        let t = token(json!({"sub": "7", "https://hasura.io/jwt/claims": {"x-hasura-user-id": "7"}}), "a-secret-of-at-least-32-characters!!");
        assert_eq!(config.verify(&t).unwrap().hasura["x-hasura-user-id"], "7");

        let config = JwtConfig::parse(r#"{"type":"HS256","key":"k","claims_format":"stringified_json","claims_namespace_path":"$.app.claims"}"#).unwrap();
        let t = token(json!({"app": {"claims": "{\"x-hasura-user-id\": \"8\"}"}}), "k");
        assert_eq!(config.verify(&t).unwrap().hasura["x-hasura-user-id"], "8");

        let config = JwtConfig::parse(r#"{"type":"HS256","key":"k","claims_namespace_path":"$"}"#).unwrap();
        let t = token(json!({"x-hasura-user-id": "9"}), "k");
        assert_eq!(config.verify(&t).unwrap().hasura["x-hasura-user-id"], "9");
    }

    #[test]
    fn refuses_a_wrong_signature_an_expired_token_and_a_missing_namespace() {
        let config = JwtConfig::parse(r#"{"type":"HS256","key":"k","audience":"app"}"#).unwrap();
        let claims = json!({"aud": "app", "https://hasura.io/jwt/claims": {}});
        let invalid = |claims: Value, key: &str| match config.verify(&token(claims, key)) {
            Err(TokenError::Invalid(message)) => message,
            other => panic!("not refused as invalid: {other:?}"),
        };
        assert!(invalid(claims.clone(), "other").contains("Could not verify JWT"));
        assert!(invalid(json!({"aud": "app", "exp": 1000, "https://hasura.io/jwt/claims": {}}), "k").contains("Expired"));
        assert!(invalid(json!({"aud": "app", "nbf": 4_000_000_000u64, "https://hasura.io/jwt/claims": {}}), "k").contains("Immature"));
        invalid(json!({"aud": "other", "https://hasura.io/jwt/claims": {}}), "k");
        assert!(matches!(config.verify(&token(json!({"aud": "app"}), "k")), Err(TokenError::Claims(m)) if m.contains("not found")));
        assert!(config.verify(&token(claims, "k")).is_ok());

        let with_issuer = JwtConfig::parse(r#"{"type":"HS256","key":"k","issuer":"https://auth.example"}"#).unwrap();
        let claims = |iss: &str| json!({"iss": iss, "https://hasura.io/jwt/claims": {}});
        assert!(with_issuer.verify(&token(claims("https://auth.example"), "k")).is_ok());
        assert!(matches!(with_issuer.verify(&token(claims("https://evil.example"), "k")), Err(TokenError::Invalid(_))));
    }

    fn refusal(text: &str) -> String {
        match JwtConfig::parse(text) {
            Ok(_) => panic!("accepted: {text}"),
            Err(message) => message,
        }
    }

    #[test]
    fn refuses_a_bad_configuration_by_name() {
        assert!(refusal("{").contains("not a valid JWT configuration"));
        assert!(refusal(r#"{"type":"XX1","key":"k"}"#).contains("unknown type"));
        assert!(refusal(r#"{"type":"RS256","key":"not a pem"}"#).contains("does not suit RS256"));
        assert!(refusal(r#"{"type":"HS256","key":"k","jwk_url":"http://x"}"#).contains("jwk_url"));
    }
}
