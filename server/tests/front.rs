//! End to end: the `pgf` binary against a real cluster, a real remote GraphQL API (the
//! fixture server) and real HTTP. `scripts/test.sh` runs these with the test cluster's
//! socket in PGF_FRONT_PGHOST/PGF_FRONT_PGPORT and the fixture at PGF_FIXTURE_ORIGIN.
//!
//! The front logs in as `pgf_front_auth`, an authenticator (NOINHERIT) that is a member of
//! the roles a request may take, as PostgREST's is; it may change metadata, so admin
//! requests run as it.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use common::{env, fresh_database, psql};

const DB: &str = "pgf_front";
const SECRET: &str = "front-admin-secret";
const HS_KEY: &str = "a-shared-key-for-hs256-of-32-bytes!";

/// The test database, made once per run: a table under row-level security that reads the
/// session variables from `request.jwt.claims`, roles, and a table → remote relationship.
fn database() {
    static MADE: OnceLock<()> = OnceLock::new();
    MADE.get_or_init(|| {
        fresh_database(DB, r#"
            do $$ begin
              if not exists (select from pg_roles where rolname = 'pgf_front_auth') then create role pgf_front_auth login noinherit; end if;
              if not exists (select from pg_roles where rolname = 'pgf_front_user') then create role pgf_front_user nologin; end if;
              if not exists (select from pg_roles where rolname = 'pgf_front_anon') then create role pgf_front_anon nologin; end if;
            end $$;
            grant pgf_front_user, pgf_front_anon to pgf_front_auth;
            create extension pg_federation;
            grant insert, update on graphql.metadata_document to pgf_front_auth;
            create table notes (id int primary key, owner int not null, body text not null);
            insert into notes values (1, 1, 'first of user 1'), (2, 1, 'second of user 1'), (3, 2, 'of user 2'), (4, 3, 'of user 3');
            alter table notes owner to pgf_front_auth;
            alter table notes enable row level security;
            create policy own_notes on notes for select to pgf_front_user
              using (owner = (current_setting('request.jwt.claims', true)::jsonb ->> 'x-hasura-user-id')::int);
            create policy public_notes on notes for select to pgf_front_anon using (owner = 3);
            grant select on notes to pgf_front_user, pgf_front_anon;
        "#);
        let origin = &env().fixture;
        psql(DB, &format!(r#"
            select graphql.metadata($${{"type": "add_remote_schema", "args": {{"name": "users_api",
              "definition": {{"url": "{origin}/graphql", "timeout_seconds": 10}}}}}}$$);
            select graphql.metadata($${{"type": "add_remote_schema", "args": {{"name": "users_forwarded",
              "definition": {{"url": "{origin}/graphql", "timeout_seconds": 10, "forward_client_headers": true,
                "customization": {{"root_fields_namespace": "forwarded"}}}}}}}}$$);
            select graphql.metadata($${{"type": "pg_create_remote_relationship", "args": {{"table": "notes", "name": "author",
              "definition": {{"to_remote_schema": {{"remote_schema": "users_api", "lhs_fields": ["owner"],
                "remote_field": {{"user": {{"arguments": {{"id": "$owner"}}}}}}}}}}}}}}$$);
        "#));
    });
}

/// A running `pgf serve`; stopped (SIGTERM) when dropped.
struct Front {
    child: Child,
    url: String,
}

impl Front {
    fn start(extra: &[(&str, &str)]) -> Front {
        Self::start_on(&format!("host={} port={} user=pgf_front_auth dbname={DB}", env().host, env().port), extra)
    }

    fn start_on(database_url: &str, extra: &[(&str, &str)]) -> Front {
        database();
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
        let mut command = Command::new(env!("CARGO_BIN_EXE_pgf"));
        command
            .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string(), "--database-url", database_url])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().expect("pgf starts");
        let front = Front { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{}/v1/version", front.url)).call().is_err() {
            assert!(Instant::now() < deadline, "pgf did not start listening on {}", front.url);
            std::thread::sleep(Duration::from_millis(50));
        }
        front
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
        let mut request = ureq::post(&format!("{}{path}", self.url)).set("content-type", "application/json");
        for (k, v) in headers {
            request = request.set(k, v);
        }
        answer(request.send_string(body))
    }

    fn graphql(&self, headers: &[(&str, &str)], query: &str) -> (u16, Value) {
        self.post("/v1/graphql", headers, &json!({"query": query}).to_string())
    }

    fn get(&self, path: &str) -> (u16, String) {
        match ureq::get(&format!("{}{path}", self.url)).call() {
            Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// Stops it with SIGTERM and returns its exit status and what it printed.
    fn stop(mut self) -> (Option<i32>, String) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let status = self.child.wait().ok().and_then(|s| s.code());
        let mut printed = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut printed);
        }
        (status, printed)
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> (u16, Value) {
    let (status, response) = match result {
        Ok(r) => (r.status(), r),
        Err(ureq::Error::Status(code, r)) => (code, r),
        Err(e) => panic!("request failed: {e}"),
    };
    let text = response.into_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn secured() -> Vec<(&'static str, String)> {
    vec![
        ("HASURA_GRAPHQL_ADMIN_SECRET", SECRET.to_string()),
        ("HASURA_GRAPHQL_JWT_SECRET", json!({"type": "HS256", "key": HS_KEY}).to_string()),
    ]
}

fn start_secured(more: &[(&'static str, String)]) -> Front {
    let vars: Vec<(&str, String)> = secured().into_iter().chain(more.iter().cloned()).collect();
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Front::start(&pairs)
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn hs_token(claims: Value) -> String {
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(HS_KEY.as_bytes())).expect("a token")
}

fn user_claims(user: &str, roles: &[&str], default: &str) -> Value {
    json!({"sub": user, "exp": now() + 600, "https://hasura.io/jwt/claims": {
        "x-hasura-allowed-roles": roles, "x-hasura-default-role": default, "x-hasura-user-id": user}})
}

fn note_ids(body: &Value) -> Vec<i64> {
    body["data"]["notes"].as_array().unwrap_or_else(|| panic!("no notes in {body}")).iter().map(|n| n["id"].as_i64().unwrap_or(-1)).collect()
}

/// Tests that read the fixture's request counter take turns.
fn fixture_turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn fixture_stats() -> Value {
    let text = ureq::get(&format!("{}/_stats", env().fixture)).call().expect("fixture answers").into_string().unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

const NOTES: &str = "{ notes(order_by: {id: asc}) { id } }";

#[test]
fn admin_secret_admits_admin_and_trusts_role_headers() {
    let front = start_secured(&[]);
    let (status, body) = front.graphql(&[("x-hasura-admin-secret", SECRET)], NOTES);
    assert_eq!((status, note_ids(&body)), (200, vec![1, 2, 3, 4]), "admin runs as the login role, which owns the table");

    let (status, body) = front.graphql(&[("x-hasura-admin-secret", SECRET), ("x-hasura-role", "pgf_front_user"), ("x-hasura-user-id", "2")], NOTES);
    assert_eq!((status, note_ids(&body)), (200, vec![3]), "the role header is taken and x-hasura-user-id reaches the policy");

    let (status, body) = front.graphql(&[("x-hasura-admin-secret", "wrong")], NOTES);
    assert_eq!(status, 401);
    assert_eq!(body["errors"][0]["extensions"]["code"], "access-denied", "{body}");
    assert_eq!(body["errors"][0]["message"], "invalid x-hasura-admin-secret/x-hasura-access-key");
    assert!(body.get("data").is_none(), "nothing ran: {body}");

    let (status, body) = front.graphql(&[("x-hasura-admin-secret", SECRET), ("x-hasura-role", "no_such_role")], NOTES);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "access-denied");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("no_such_role"), "{body}");
}

#[test]
fn a_jwt_chooses_the_role_and_its_claims_reach_row_level_security() {
    let front = start_secured(&[]);
    let token = format!("Bearer {}", hs_token(user_claims("1", &["pgf_front_user", "pgf_front_anon"], "pgf_front_user")));
    let (status, body) = front.graphql(&[("authorization", &token)], NOTES);
    assert_eq!((status, note_ids(&body)), (200, vec![1, 2]));

    // x-hasura-role picks another allowed role; one that is not allowed is refused.
    let (_, body) = front.graphql(&[("authorization", &token), ("x-hasura-role", "pgf_front_anon")], NOTES);
    assert_eq!(note_ids(&body), vec![4]);
    let (status, body) = front.graphql(&[("authorization", &token), ("x-hasura-role", "pgf_front_auth")], NOTES);
    assert_eq!((status, body["errors"][0]["message"].clone()), (400, json!("Your requested role is not in allowed roles")));

    // With a token, x-hasura-* headers are not trusted: the claims decide.
    let (_, body) = front.graphql(&[("authorization", &token), ("x-hasura-user-id", "2")], NOTES);
    assert_eq!(note_ids(&body), vec![1, 2]);

    // `none` (RESET ROLE) and the login role itself would be admin: refused even when
    // the token allows them; `admin` in a token is admin, as in Hasura.
    for role in ["none", "pgf_front_auth"] {
        let risky = format!("Bearer {}", hs_token(user_claims("1", &[role], role)));
        let (status, body) = front.graphql(&[("authorization", &risky)], NOTES);
        assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (400, json!("access-denied")), "{role}: {body}");
    }
    let admin = format!("Bearer {}", hs_token(user_claims("1", &["admin"], "admin")));
    assert_eq!(note_ids(&front.graphql(&[("authorization", &admin)], NOTES).1), vec![1, 2, 3, 4]);

    // A bad signature, an expired token, a token without Hasura's claims: 401, nothing ran.
    let forged = format!("Bearer {}", encode(&Header::new(Algorithm::HS256), &user_claims("1", &["pgf_front_user"], "pgf_front_user"), &EncodingKey::from_secret(b"another key")).unwrap());
    let (status, body) = front.graphql(&[("authorization", &forged)], NOTES);
    assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (401, json!("invalid-jwt")), "{body}");
    let mut expired = user_claims("1", &["pgf_front_user"], "pgf_front_user");
    expired["exp"] = json!(now() - 3600);
    let (status, body) = front.graphql(&[("authorization", &format!("Bearer {}", hs_token(expired)))], NOTES);
    assert_eq!(status, 401);
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("Expired"), "{body}");
    let (status, _) = front.graphql(&[("authorization", &format!("Bearer {}", hs_token(json!({"sub": "1"}))))], NOTES);
    assert_eq!(status, 401);

    // Neither a secret nor a token, and no unauthorized role: 401.
    let (status, body) = front.graphql(&[], NOTES);
    assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (401, json!("invalid-headers")));
}

#[test]
fn stringified_claims_under_another_namespace() {
    let config = json!({"type": "HS256", "key": HS_KEY, "claims_namespace": "app", "claims_format": "stringified_json"});
    let front = Front::start(&[("HASURA_GRAPHQL_ADMIN_SECRET", SECRET), ("HASURA_GRAPHQL_JWT_SECRET", &config.to_string())]);
    let hasura = json!({"x-hasura-allowed-roles": ["pgf_front_user"], "x-hasura-default-role": "pgf_front_user", "x-hasura-user-id": "2"});
    // x-hasura-* claims outside the configured namespace are not session variables.
    let token = hs_token(json!({"sub": "2", "app": hasura.to_string(), "x-hasura-user-id": "1",
                                "https://hasura.io/jwt/claims": {"x-hasura-user-id": "1"}}));
    let (status, body) = front.graphql(&[("authorization", &format!("Bearer {token}"))], NOTES);
    assert_eq!((status, note_ids(&body)), (200, vec![3]), "{body}");
}

#[test]
fn rs256_tokens_are_verified_with_the_public_key() {
    let dir = std::env::temp_dir().join(format!("pgf-front-rsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let private = dir.join("private.pem");
    let public = dir.join("public.pem");
    let ok = Command::new("openssl").args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out"]).arg(&private).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false)
        && Command::new("openssl").args(["pkey", "-pubout", "-in"]).arg(&private).arg("-out").arg(&public).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "openssl makes an RSA key pair");
    let public_pem = std::fs::read_to_string(&public).unwrap();
    let private_pem = std::fs::read(&private).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let config = json!({"type": "RS256", "key": public_pem});
    let front = Front::start(&[("HASURA_GRAPHQL_ADMIN_SECRET", SECRET), ("HASURA_GRAPHQL_JWT_SECRET", &config.to_string())]);
    let key = EncodingKey::from_rsa_pem(&private_pem).unwrap();
    let token = encode(&Header::new(Algorithm::RS256), &user_claims("1", &["pgf_front_user"], "pgf_front_user"), &key).unwrap();
    let (status, body) = front.graphql(&[("authorization", &format!("Bearer {token}"))], NOTES);
    assert_eq!((status, note_ids(&body)), (200, vec![1, 2]), "{body}");
    // The same claims signed with HS256 and the public key as the secret: refused.
    let confused = encode(&Header::new(Algorithm::HS256), &user_claims("1", &["pgf_front_user"], "pgf_front_user"), &EncodingKey::from_secret(public_pem.as_bytes())).unwrap();
    let (status, _) = front.graphql(&[("authorization", &format!("Bearer {confused}"))], NOTES);
    assert_eq!(status, 401);
}

#[test]
fn the_unauthorized_role_answers_anonymous_requests() {
    let front = start_secured(&[("HASURA_GRAPHQL_UNAUTHORIZED_ROLE", "pgf_front_anon".into())]);
    let (status, body) = front.graphql(&[], NOTES);
    assert_eq!((status, note_ids(&body)), (200, vec![4]));
    // A bad token is not anonymous: it is refused.
    let (status, _) = front.graphql(&[("authorization", "Bearer not-a-token")], NOTES);
    assert_eq!(status, 401);
}

#[test]
fn a_table_to_remote_join_through_the_front_is_one_request() {
    let _turn = fixture_turn();
    let front = start_secured(&[]);
    let token = format!("Bearer {}", hs_token(user_claims("1", &["pgf_front_user"], "pgf_front_user")));
    ureq::post(&format!("{}/_reset", env().fixture)).send_string("{}").expect("fixture resets");
    let (status, body) = front.graphql(&[("authorization", &token)], "{ notes(order_by: {id: asc}) { id author { id name } } }");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["notes"][0]["author"]["name"], "user 1", "{body}");
    assert_eq!(body["data"]["notes"].as_array().map(Vec::len), Some(2));
    let stats = fixture_stats();
    assert_eq!(stats["requests"], 1, "one batched request for the role's rows: {stats}");
    // The call's session variables travel to the remote as headers, the role included.
    let headers = stats["headers"].to_string();
    assert!(headers.contains("pgf_front_user") && headers.contains("x-hasura-user-id"), "{headers}");

    // A remote that forwards client headers gets the client's, never the admin secret.
    ureq::post(&format!("{}/_reset", env().fixture)).send_string("{}").expect("fixture resets");
    let admin = [("x-hasura-admin-secret", SECRET), ("x-app-trace", "t-42")];
    let (status, body) = front.graphql(&admin, "{ forwarded { user(id: 1) { name } } }");
    assert_eq!((status, body["data"]["forwarded"]["user"]["name"].clone()), (200, json!("user 1")), "{body}");
    let headers = fixture_stats()["headers"].to_string();
    assert!(headers.contains("t-42"), "client headers are forwarded: {headers}");
    assert!(!headers.contains(SECRET), "the admin secret never leaves the front: {headers}");
}

#[test]
fn a_full_queue_is_503_at_once() {
    let _turn = fixture_turn();
    let front = start_secured(&[("HASURA_GRAPHQL_PG_CONNECTIONS", "1".into()), ("PGF_MAX_QUEUE", "0".into())]);
    let slow = ureq::post(&format!("{}/_fault", env().fixture)).send_string(r#"{"mode": "delay", "delay_ms": 1500}"#);
    assert!(slow.is_ok(), "the fixture takes the fault");
    let url = front.url.clone();
    let first = std::thread::spawn(move || {
        let body = json!({"query": "{ notes { author { name } } }"}).to_string();
        answer(ureq::post(&format!("{url}/v1/graphql")).set("x-hasura-admin-secret", SECRET).send_string(&body))
    });
    std::thread::sleep(Duration::from_millis(400));
    let (status, body) = front.graphql(&[("x-hasura-admin-secret", SECRET)], NOTES);
    let _ = ureq::post(&format!("{}/_reset", env().fixture)).send_string("{}");
    assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (503, json!("unavailable")), "{body}");
    let (status, body) = first.join().expect("the first request ends");
    assert_eq!(status, 200, "the request holding the connection is served: {body}");
}

#[test]
fn variables_operation_name_get_and_batches() {
    let front = Front::start(&[]);
    let body = json!({"query": "query A($id: Int!) { notes_by_pk(id: $id) { body } } query B { __typename }",
                      "variables": {"id": 3}, "operationName": "A"});
    let (status, answer) = front.post("/v1/graphql", &[], &body.to_string());
    assert_eq!((status, answer["data"]["notes_by_pk"]["body"].clone()), (200, json!("of user 2")), "{answer}");

    let (status, text) = front.get("/v1/graphql?query=%7B%20notes_by_pk(id%3A%201)%20%7B%20id%20%7D%20%7D");
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["data"]["notes_by_pk"]["id"], 1);

    // A batch: each element answers for itself; one without a query stops all before any runs.
    let batch = json!([{"query": "{ notes_by_pk(id: 1) { id } }"}, {"query": "{ notes_by_pk(id: 2) { nope } }"}]);
    let (status, answer) = front.post("/v1/graphql", &[], &batch.to_string());
    assert_eq!(status, 200);
    assert_eq!(answer[0]["data"]["notes_by_pk"]["id"], 1, "{answer}");
    assert!(answer[1]["errors"][0]["message"].as_str().unwrap_or("").contains("nope"), "{answer}");
    let insert = "mutation { insert_notes_one(object: {id: 100, owner: 9, body: \"batched\"}) { id } }";
    let batch = json!([{"query": insert}, {"variables": {}}]);
    let (status, _) = front.post("/v1/graphql", &[], &batch.to_string());
    assert_eq!(status, 400);
    assert_eq!(psql(DB, "select count(*) from notes where id = 100"), "0", "nothing of the batch ran");

    // A GET runs read-only: a link cannot write.
    let (status, text) = front.get(&format!("/v1/graphql?query={}", url_encode(insert)));
    assert_eq!(status, 200);
    assert!(text.contains("read-only"), "{text}");
    assert_eq!(psql(DB, "select count(*) from notes where id = 100"), "0");

    // CORS: a browser's preflight from another origin is answered.
    let preflight = ureq::request("OPTIONS", &format!("{}/v1/graphql", front.url))
        .set("origin", "http://app.example")
        .set("access-control-request-method", "POST")
        .set("access-control-request-headers", "content-type, x-hasura-role")
        .call()
        .expect("the preflight is answered");
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));

    // A GraphQL error is HTTP 200 with the error and its path.
    let (status, answer) = front.graphql(&[], "{ notes { nope } }");
    assert_eq!(status, 200);
    assert!(answer["errors"][0]["message"].as_str().unwrap_or("").contains("nope"), "{answer}");
}

#[test]
fn bad_requests_get_hasuras_shapes() {
    let front = Front::start(&[("PGF_BODY_LIMIT", "2048")]);
    let (status, body) = front.post("/v1/graphql", &[], "not json");
    assert_eq!((status, body["code"].clone()), (400, json!("invalid-json")), "{body}");
    assert!(body["error"].is_string());
    let (status, body) = front.post("/v1/graphql", &[], r#"{"variables": {}}"#);
    assert_eq!((status, body["code"].clone()), (400, json!("bad-request")), "{body}");
    let big = json!({"query": format!("{{ __typename }} # {}", "x".repeat(4096))}).to_string();
    let (status, body) = front.post("/v1/graphql", &[], &big);
    assert_eq!((status, body["code"].clone()), (413, json!("payload-too-large")), "{body}");
    let (status, _) = front.post("/v1/metadata", &[], "{");
    assert_eq!(status, 400);
    let (status, text) = front.get("/healthz");
    assert_eq!((status, text.as_str()), (200, "OK"));
    let (status, text) = front.get("/v1/version");
    assert_eq!(status, 200);
    assert!(text.contains("version"));
}

#[test]
fn metadata_over_http_is_admin_only_and_errors_are_hasuras() {
    let front = start_secured(&[]);
    let admin = [("x-hasura-admin-secret", SECRET)];
    let (status, body) = front.post("/v1/metadata", &admin, r#"{"type": "export_metadata", "args": {}}"#);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["remote_schemas"][0]["name"], "users_api");

    let (status, body) = front.post("/v1/metadata", &admin, r#"{"type": "pg_track_table", "args": {"table": "nope"}}"#);
    assert_eq!(status, 400);
    assert_eq!(body["path"], "$");
    assert!(body["error"].as_str().unwrap_or("").contains("nope"), "{body}");
    assert!(body["code"].is_string());

    let token = format!("Bearer {}", hs_token(user_claims("1", &["pgf_front_user"], "pgf_front_user")));
    let (status, body) = front.post("/v1/metadata", &[("authorization", &token)], r#"{"type": "export_metadata", "args": {}}"#);
    assert_eq!((status, body["code"].clone()), (400, json!("access-denied")), "{body}");

    // A change through the front lands, and a refused one changes nothing.
    let comment = r#"{"type": "pg_set_table_customization", "args": {"table": "notes", "configuration": {"custom_root_fields": {"select": "all_notes"}}}}"#;
    let (status, body) = front.post("/v1/metadata", &admin, comment);
    assert_eq!(status, 200, "{body}");
    let (_, body) = front.graphql(&admin, "{ all_notes(order_by: {id: asc}, limit: 1) { id } }");
    assert_eq!(body["data"]["all_notes"][0]["id"], 1, "{body}");
    let undo = r#"{"type": "pg_set_table_customization", "args": {"table": "notes", "configuration": {}}}"#;
    assert_eq!(front.post("/v1/metadata", &admin, undo).0, 200);
}

#[test]
fn an_unreachable_database_is_503_and_shutdown_is_graceful() {
    // Nothing listens on this port: the front starts, and says the database is away.
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    let front = Front::start_on(&format!("host=127.0.0.1 port={port} user=nobody dbname=none connect_timeout=2"), &[("PGF_QUEUE_TIMEOUT_MS", "2000")]);
    let (status, body) = front.graphql(&[], "{ __typename }");
    assert_eq!((status, body["errors"][0]["extensions"]["code"].clone()), (503, json!("unavailable")), "{body}");
    let (status, _) = front.get("/healthz");
    assert_eq!(status, 503);
    let (code, printed) = front.stop();
    assert_eq!(code, Some(0), "SIGTERM ends it cleanly: {printed}");
    assert!(printed.contains("shutting down"), "{printed}");
}

#[test]
fn console_runs_a_remote_join_in_a_browser() {
    let front = start_secured(&[("HASURA_GRAPHQL_ENABLE_CONSOLE", "true".into())]);
    let (status, page) = front.get("/console");
    assert_eq!(status, 200);
    assert!(page.contains("graphiql.min.js"), "{page}");
    assert_eq!(front.get("/console/assets/graphiql.min.js").0, 200, "assets are served by the binary");
    let screenshot = std::env::var("PGF_TEST_OUT").map(std::path::PathBuf::from).unwrap_or_else(|_| std::env::temp_dir()).join("console.png");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/console/browser_test.mjs");
    let out = Command::new("node").arg(script).arg(&front.url).arg(SECRET).arg(&screenshot).output().expect("node runs");
    assert!(
        out.status.success(),
        "the console failed in Chromium (screenshot {}):\n{}{}",
        screenshot.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_client_that_hangs_up_cancels_its_statement() {
    let _turn = fixture_turn();
    let front = start_secured(&[]);
    ureq::post(&format!("{}/_fault", env().fixture)).send_string(r#"{"mode": "delay", "delay_ms": 5000}"#).expect("the fixture takes the fault");
    let impatient = ureq::AgentBuilder::new().timeout(Duration::from_millis(600)).build();
    let body = json!({"query": "{ notes { author { name } } }"}).to_string();
    let gave_up = impatient.post(&format!("{}/v1/graphql", front.url)).set("x-hasura-admin-secret", SECRET).send_string(&body);
    assert!(gave_up.is_err(), "the client gives up before the remote answers");
    // The backend stops waiting on the remote soon after, rather than in 5 s.
    std::thread::sleep(Duration::from_millis(1200));
    let busy = psql(DB, "select count(*) from pg_stat_activity where usename = 'pgf_front_auth' and state = 'active'");
    let _ = ureq::post(&format!("{}/_reset", env().fixture)).send_string("{}");
    assert_eq!(busy, "0", "the statement was cancelled when its client hung up");
}

#[test]
fn a_function_re_created_with_another_result_type_is_prepared_again() {
    const STALE: &str = "pgf_front_stale";
    fresh_database(STALE, "create extension pg_federation; create table t (id int primary key); insert into t values (7);");
    // One connection, so the second call meets the statement the first prepared.
    let front = Front::start_on(
        &format!("host={} port={} user=postgres dbname={STALE}", env().host, env().port),
        &[("HASURA_GRAPHQL_PG_CONNECTIONS", "1")],
    );
    let (status, body) = front.graphql(&[], "{ t { id } }");
    assert_eq!((status, body["data"]["t"][0]["id"].clone()), (200, json!(7)), "{body}");
    // What the update from 0.1.0 does to graphql.resolve: dropped and made again with
    // another result type, so that the connection's prepared call no longer fits.
    psql(STALE, r#"alter extension pg_federation drop function graphql.resolve(text, jsonb, text);
                   drop function graphql.resolve(text, jsonb, text);
                   create function graphql.resolve(query text, variables jsonb default '{}', operation_name text default null)
                     returns jsonb language sql as $$ select '{"data": {"t": [{"id": 8}]}}'::jsonb $$;"#);
    let (status, body) = front.graphql(&[], "{ t { id } }");
    assert_eq!((status, body["data"]["t"][0]["id"].clone()), (200, json!(8)), "{body}");
    drop(front);
    psql("postgres", &format!("drop database if exists {STALE} with (force)"));
}
