//! Runs the real `pgf-fixture` binary on an ephemeral port and talks HTTP to it with ureq
//! (the client the extension uses). Each test has its own server, so tests run in parallel.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Fixture {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Fixture {
    fn start() -> Fixture {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pgf-fixture"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn pgf-fixture");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("pgf-fixture listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .build();
        Fixture { child, base, agent }
    }

    /// (status, body) for any status.
    fn send(&self, req: ureq::Request, body: Option<&Value>) -> (u16, String) {
        let result = match body {
            Some(b) => req.send_json(b.clone()),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("transport error: {e}"),
        };
        let status = resp.status();
        let mut text = String::new();
        resp.into_reader()
            .read_to_string(&mut text)
            .expect("read body");
        (status, text)
    }

    fn post(&self, path: &str, body: &Value) -> (u16, String) {
        self.send(self.agent.post(&format!("{}{path}", self.base)), Some(body))
    }

    fn query(&self, query: &str, variables: Value) -> (u16, String) {
        self.post("/graphql", &json!({"query": query, "variables": variables}))
    }

    /// POST a query and parse the (200) JSON answer.
    fn gql(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.query(query, variables);
        assert_eq!(status, 200, "body: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("bad JSON {e}: {body}"))
    }

    fn stats(&self) -> Value {
        let (status, body) = self.send(self.agent.get(&format!("{}/_stats", self.base)), None);
        assert_eq!(status, 200);
        serde_json::from_str(&body).unwrap()
    }

    fn requests(&self) -> u64 {
        self.stats()["requests"].as_u64().unwrap()
    }

    fn fault(&self, body: Value) {
        let (status, text) = self.post("/_fault", &body);
        assert_eq!((status, text.as_str()), (200, r#"{"ok":true}"#));
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn one_query_counts_one_request_and_is_recorded() {
    let f = Fixture::start();
    assert_eq!(f.requests(), 0);
    let r = f.gql(
        "query Q($id: Int!) { user(id: $id) { name email country } }",
        json!({"id": 3}),
    );
    assert_eq!(
        r,
        json!({"data": {"user": {"name": "user 3", "email": "user3@example.com", "country": "NZ"}}})
    );
    let s = f.stats();
    assert_eq!(s["requests"], 1);
    assert_eq!(
        s["documents"],
        json!(["query Q($id: Int!) { user(id: $id) { name email country } }"])
    );
    assert_eq!(s["variables"], json!([{"id": 3}]));
    // /_stats itself is not counted
    assert_eq!(f.requests(), 1);
}

#[test]
fn aliases_in_one_document_count_one_request() {
    let f = Fixture::start();
    let r = f.gql("{ a: user(id:1){name} b: user(id:2){name} }", json!({}));
    assert_eq!(
        r,
        json!({"data": {"a": {"name": "user 1"}, "b": {"name": "user 2"}}})
    );
    assert_eq!(f.requests(), 1);
    f.gql("{ c: user(id:3){name} }", json!({}));
    assert_eq!(f.requests(), 2);
}

#[test]
fn reset_zeroes_counters_documents_and_fault() {
    let f = Fixture::start();
    f.gql("{ user(id:1){name} }", json!({}));
    f.gql("{ user(id:2){name} }", json!({}));
    f.fault(json!({"mode": "http500"}));
    assert_eq!(f.query("{ user(id:1){name} }", json!({})).0, 500);
    let (status, body) = f.post("/_reset", &json!({}));
    assert_eq!((status, body.as_str()), (200, r#"{"ok":true}"#));
    assert_eq!(
        f.stats(),
        json!({"requests": 0, "documents": [], "variables": []})
    );
    // the fault is gone too
    assert_eq!(f.query("{ user(id:1){name} }", json!({})).0, 200);
    assert_eq!(f.requests(), 1);
}

#[test]
fn stats_keep_the_last_50_documents_oldest_first() {
    let f = Fixture::start();
    for i in 1..=55 {
        f.gql(&format!("{{ user(id:{i}){{userId}} }}"), json!({"i": i}));
    }
    let s = f.stats();
    assert_eq!(s["requests"], 55);
    let docs = s["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 50);
    assert_eq!(docs[0], "{ user(id:6){userId} }");
    assert_eq!(docs[49], "{ user(id:55){userId} }");
    assert_eq!(s["variables"][0], json!({"i": 6}));
}

#[test]
fn get_and_introspection_are_counted() {
    let f = Fixture::start();
    let url = format!("{}/graphql", f.base);
    let (status, body) = f.send(
        f.agent
            .get(&url)
            .query("query", "{ user(id: 5) { userId } }"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"data": {"user": {"userId": 5}}})
    );
    let r = f.gql(
        "{ __schema { queryType { name } types { name } } }",
        json!({}),
    );
    assert_eq!(r["data"]["__schema"]["queryType"]["name"], "Query");
    assert_eq!(f.requests(), 2);
    // a body that is not a GraphQL request is rejected, and counted
    let (status, _) = f.post("/graphql", &json!([1, 2]));
    assert_eq!(status, 400);
    assert_eq!(f.requests(), 3);
}

#[test]
fn data_rules() {
    let f = Fixture::start();
    let r = f.gql(
        r#"{
          user(id: 14) { id userId name email country friends { userId } f3: friends(limit: 3) { userId }
                         avatar big: avatar(size: 256) posts { id postId title authorId } }
          none: user(id: 100001) { id }
          last: user(id: 100000) { friends { userId } }
          byEmail: userByEmail(email: "user12@example.com") { userId }
          noEmail: userByEmail(email: "user14@example.com") { userId }
          ids: users(ids: [9, 0, 2, 100001, 9]) { userId }
          first: users { userId }
          where: users(where: {id: {_in: [6, 3, 5, 4]}, country: {_eq: "NZ"}}) { userId }
          and: users(where: {_and: [{country: {_in: ["FR", "BR"]}}, {name: {_eq: "user 8"}}]}) { userId }
          limited: users(where: {country: {_eq: "BR"}}, limit: 3) { userId }
          fr: usersByCountry(country: "FR") { userId }
          u: node(id: "User:2") { id ... on User { name } }
          p: node(id: "Post:21") { id ... on Post { title authorId } }
          bad: node(id: "Nope:1") { id }
          search(text: "anything") { __typename ... on User { userId } ... on Post { postId } }
          namespaced { greeting(name: "ann") user(id: 4) { name } }
        }"#,
        json!({}),
    );
    let d = &r["data"];
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(
        d["user"],
        json!({"id": "User:14", "userId": 14, "name": "user 14", "email": null, "country": "BR",
               "friends": [{"userId": 15}, {"userId": 16}], "f3": [{"userId": 15}, {"userId": 16}, {"userId": 17}],
               "avatar": "https://img.example/14?s=64", "big": "https://img.example/14?s=256",
               "posts": [{"id": "Post:141", "postId": 141, "title": "post 141", "authorId": 14},
                         {"id": "Post:142", "postId": 142, "title": "post 142", "authorId": 14}]})
    );
    assert_eq!(d["none"], Value::Null);
    assert_eq!(d["last"], json!({"friends": []}));
    assert_eq!(d["byEmail"], json!({"userId": 12}));
    assert_eq!(d["noEmail"], Value::Null);
    assert_eq!(
        d["ids"],
        json!([{"userId": 9}, {"userId": 2}, {"userId": 9}])
    );
    assert_eq!(d["first"].as_array().unwrap().len(), 10);
    assert_eq!(d["first"][9], json!({"userId": 10}));
    assert_eq!(d["where"], json!([{"userId": 3}, {"userId": 6}]));
    assert_eq!(d["and"], json!([{"userId": 8}]));
    assert_eq!(
        d["limited"],
        json!([{"userId": 2}, {"userId": 5}, {"userId": 8}])
    );
    assert_eq!(d["fr"].as_array().unwrap().len(), 10);
    assert_eq!(d["u"], json!({"id": "User:2", "name": "user 2"}));
    assert_eq!(
        d["p"],
        json!({"id": "Post:21", "title": "post 21", "authorId": 2})
    );
    assert_eq!(d["bad"], Value::Null);
    assert_eq!(
        d["search"],
        json!([{"__typename": "User", "userId": 1}, {"__typename": "Post", "postId": 1}])
    );
    assert_eq!(
        d["namespaced"],
        json!({"greeting": "hello ann", "user": {"name": "user 4"}})
    );
    assert_eq!(f.requests(), 1);
}

#[test]
fn echo_round_trips_awkward_values() {
    let f = Fixture::start();
    let s = "quote\" back\\slash ü 😀";
    let value = json!({"s": s, "big": 12345678901234567890u64, "neg": -9007199254740993i64,
                       "nested": {"list": [1, 2.5, null, true, {"k": "\n\t"}]}});
    let (status, body) = f.query(
        "query($v: JSON, $t: String, $l: [String]) { echo(value: $v, text: $t, number: 1.5, list: $l) }",
        json!({"v": value, "t": s, "l": ["a", null, s]}),
    );
    assert_eq!(status, 200);
    // the big number comes back digit for digit, not as a float
    assert!(body.contains("12345678901234567890"), "{body}");
    assert!(body.contains("-9007199254740993"), "{body}");
    let r: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        r["data"]["echo"],
        json!({"value": value, "text": s, "number": 1.5, "list": ["a", null, s]})
    );
    // the same values written as literals in the document
    let r = f.gql(r#"{ echo(value: {s: "quote\" back\\slash ü 😀", big: 12345678901234567890}, text: "quote\" back\\slash \u00fc 😀") }"#, json!({}));
    assert_eq!(
        r["data"]["echo"]["value"],
        json!({"s": s, "big": 12345678901234567890u64})
    );
    assert_eq!(r["data"]["echo"]["text"], s);
    // absent arguments come back as null
    let r = f.gql("{ echo }", json!({}));
    assert_eq!(
        r["data"]["echo"],
        json!({"value": null, "text": null, "number": null, "list": null})
    );
}

#[test]
fn delay_serves_parallel_requests_concurrently() {
    let f = Fixture::start();
    f.fault(json!({"mode": "delay", "delay_ms": 1000}));
    let start = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..=2)
            .map(|i| {
                let f = &f;
                scope.spawn(move || f.gql(&format!("{{ user(id:{i}){{name}} }}"), json!({})))
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            let r = h.join().unwrap();
            assert_eq!(r["data"]["user"]["name"], format!("user {}", i + 1));
        }
    });
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(1000), "{elapsed:?}");
    assert!(
        elapsed < Duration::from_millis(1800),
        "two delayed requests were serialised: {elapsed:?}"
    );
    assert_eq!(f.requests(), 2);
}

#[test]
fn http500_graphql_errors_garbage() {
    let f = Fixture::start();
    let q = "{ user(id:1){name} }";
    f.fault(json!({"mode": "http500"}));
    assert_eq!(
        f.query(q, json!({})),
        (500, r#"{"message":"injected"}"#.to_string())
    );
    f.fault(json!({"mode": "graphql_errors"}));
    let (status, body) = f.query(q, json!({}));
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"data": null, "errors": [{"message": "injected failure"}]})
    );
    f.fault(json!({"mode": "garbage"}));
    assert_eq!(f.query(q, json!({})), (200, "not json{{".to_string()));
    f.fault(json!({"mode": "none"}));
    assert_eq!(f.gql(q, json!({}))["data"]["user"]["name"], "user 1");
    assert_eq!(f.requests(), 4);
}

#[test]
fn huge_is_valid_json_of_about_the_size_asked() {
    let f = Fixture::start();
    f.fault(json!({"mode": "huge", "bytes": 3_000_000}));
    let (status, body) = f.query("{ user(id:1){name} }", json!({}));
    assert_eq!(status, 200);
    assert!(
        (2_990_000..=3_010_000).contains(&body.len()),
        "size {}",
        body.len()
    );
    let r: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(r["data"]["user"]["name"], "user 1");
}

#[test]
fn fault_after_k_normal_requests() {
    let f = Fixture::start();
    f.fault(json!({"mode": "http500", "after": 2}));
    let q = "{ user(id:1){name} }";
    assert_eq!(f.query(q, json!({})).0, 200);
    assert_eq!(f.query(q, json!({})).0, 200);
    assert_eq!(f.query(q, json!({})).0, 500);
    assert_eq!(f.query(q, json!({})).0, 500);
    // control endpoints are never faulted
    assert_eq!(f.requests(), 4);
}

#[test]
fn hang_holds_the_request_until_the_client_gives_up() {
    let f = Fixture::start();
    f.fault(json!({"mode": "hang"}));
    let impatient = ureq::AgentBuilder::new()
        .timeout(Duration::from_millis(500))
        .build();
    let start = Instant::now();
    let result = impatient
        .post(&format!("{}/graphql", f.base))
        .send_json(json!({"query": "{ user(id:1){name} }"}));
    assert!(
        matches!(result, Err(ureq::Error::Transport(_))),
        "expected a timeout"
    );
    assert!(start.elapsed() >= Duration::from_millis(450));
    // the server still answers everything else
    assert_eq!(f.requests(), 1);
    f.post("/_reset", &json!({}));
    assert_eq!(
        f.gql("{ user(id:1){name} }", json!({}))["data"]["user"]["name"],
        "user 1"
    );
}

#[test]
fn bad_fault_bodies_are_rejected() {
    let f = Fixture::start();
    let (status, body) = f.post("/_fault", &json!({"mode": "explode"}));
    assert_eq!(status, 400);
    assert!(body.contains("unknown fault mode"), "{body}");
    let (status, _) = f.post("/_fault", &json!({"mode": "delay", "delay": 5}));
    assert_eq!(status, 400);
}
