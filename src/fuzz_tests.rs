//! Fuzzing the path from text to plan, inside Postgres (`cargo pgrx test`), with
//! proptest: random and mutated GraphQL documents, random variables and metadata
//! bodies go through the real entry points, `crate::execute::resolve` and
//! `crate::metadata::api::handle`. Every input must get an answer or an error: a Rust
//! panic fails the test, and so does an SQL ERROR escaping `resolve` (it never
//! raises for a bad request) or a single input taking longer than `SLOW`. Properties
//! whose generators are meant to produce valid documents also fail when too small a
//! share of their inputs is answered with data (the floors by the properties), so a
//! generator cannot drift into testing nothing past validation.
//!
//! Each input runs in a subtransaction that is rolled back, so inputs do not see each
//! other's metadata changes. The number of inputs per property is `DEFAULT_CASES`
//! (CI), or `PGF_FUZZ_CASES` from the server's environment (`scripts/reliability.sh`
//! passes it as `CARGO_PGF_FUZZ_CASES`, the prefix `cargo pgrx test --runas` lets
//! through to the server). `CARGO_PGF_FUZZ_SEED` picks the seed (default: fixed in
//! CI, from the clock when a case count is given); `CARGO_PGF_FUZZ_REPORT` names a
//! file where each property appends one line with its figures.
//!
//! The fixed hostile cases (deep nesting, alias fan-out, fragments that expand
//! exponentially or recursively, SQL injection in every position) are tests of their
//! own below.

#[pgrx::pg_schema]
mod tests {
    use pgrx::pg_sys;
    use pgrx::pg_sys::panic::CaughtError;
    use pgrx::prelude::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
    use serde_json::{json, Map, Value};
    use std::time::{Duration, Instant};

    const DEFAULT_CASES: u32 = 500;
    const SLOW: Duration = Duration::from_secs(20);

    // ---------------------------------------------------------------- harness

    enum Outcome<R> {
        Done(R),
        SqlError(String),
        Panic(String),
    }

    fn panic_text(caught: &CaughtError) -> String {
        match caught {
            CaughtError::RustPanic { ereport, .. }
            | CaughtError::PostgresError(ereport)
            | CaughtError::ErrorReport(ereport) => {
                format!("{} at {}:{}", ereport.message(), ereport.file(), ereport.line_number())
            }
        }
    }

    /// Makes what this test function wrote so far visible to `resolve`: its statements
    /// run through read-only SPI, which otherwise keeps the snapshot the test's own
    /// `SELECT` started with (in real use, each call to resolve is a statement of its
    /// own). Pushed at the current (sub)transaction level, popped by its end.
    fn fresh_snapshot() {
        // SAFETY: plain calls on the backend thread inside a transaction.
        unsafe {
            pg_sys::CommandCounterIncrement();
            pg_sys::PushActiveSnapshot(pg_sys::GetTransactionSnapshot());
        }
    }

    /// Runs `f` in a subtransaction that is always rolled back; Postgres ERRORs and
    /// Rust panics come back as values.
    fn guarded<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> Outcome<R> {
        let subtransaction = crate::spi::Subtransaction::begin();
        fresh_snapshot();
        let outcome = PgTryBuilder::new(move || Outcome::Done(f()))
            .catch_rust_panic(|caught| Outcome::Panic(panic_text(&caught)))
            .catch_others(|caught| match caught {
                CaughtError::RustPanic { .. } => Outcome::Panic(panic_text(&caught)),
                CaughtError::PostgresError(ref r) | CaughtError::ErrorReport(ref r) => {
                    Outcome::SqlError(r.message().to_string())
                }
            })
            .execute();
        subtransaction.roll_back();
        outcome
    }

    fn env_u64(name: &str) -> Option<u64> {
        std::env::var(format!("CARGO_{name}")).or_else(|_| std::env::var(name)).ok()?.trim().parse().ok()
    }

    fn runner() -> (TestRunner, u32, u64) {
        let cases = env_u64("PGF_FUZZ_CASES").map(|c| c.clamp(1, u32::MAX as u64) as u32);
        let seed = env_u64("PGF_FUZZ_SEED").unwrap_or_else(|| match cases {
            // A given case count is a long run: a new seed each time (reported).
            Some(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7),
            None => 0x5eed_f00d,
        });
        let cases = cases.unwrap_or(DEFAULT_CASES);
        let mut bytes = [0u8; 32];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed.rotate_left((i * 8) as u32) & 0xff) as u8 ^ i as u8;
        }
        let config = Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 200,
            // Inputs are generated from strategies that never reject; no global limit needed.
            ..Config::default()
        };
        (TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)), cases, seed)
    }

    #[derive(Default)]
    struct Tally {
        inputs: u64,
        answers: u64,
        errors: u64,
        /// SQL ERRORs out of an entry point. No samples are kept: the first one fails
        /// the property, and proptest's failure names the (shrunk) input and its message.
        sql_errors: u64,
        slowest: Duration,
        /// Why requests were refused: the first words of the first error, counted.
        refusals: std::collections::HashMap<String, u64>,
    }

    impl Tally {
        /// One more input refused, counted under the first words of `message`.
        fn refused(&mut self, message: &str) {
            self.errors += 1;
            *self.refusals.entry(message.chars().take(60).collect()).or_default() += 1;
        }
    }

    /// The first error's message of a response (empty when it has none).
    fn first_message(response: &Value) -> &str {
        response["errors"][0]["message"].as_str().unwrap_or("")
    }

    /// The most frequent refusals, most frequent first: "N× first words | ...".
    fn top_refusals(tally: &Tally) -> String {
        let mut refusals: Vec<(&String, &u64)> = tally.refusals.iter().collect();
        refusals.sort_by(|a, b| b.1.cmp(a.1));
        let top: Vec<String> = refusals.iter().take(4).map(|(m, n)| format!("{n}× {m}")).collect();
        top.join(" | ")
    }

    fn report(property: &str, cases: u32, seed: u64, tally: &Tally, elapsed: Duration) {
        let line = format!(
            "fuzz {property}: {} inputs in {:.1} s (cases {cases}, seed {seed}): {} answered (data, or metadata accepted), {} refused (request or metadata errors), {} SQL ERRORs, slowest {:.0} ms",
            tally.inputs,
            elapsed.as_secs_f64(),
            tally.answers,
            tally.errors,
            tally.sql_errors,
            tally.slowest.as_secs_f64() * 1000.0,
        );
        let top = top_refusals(tally);
        let line = if top.is_empty() { line } else { format!("{line}; most refused: {top}") };
        pgrx::log!("{line}");
        if let Ok(path) = std::env::var("CARGO_PGF_FUZZ_REPORT") {
            use std::io::Write;
            if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                let _ = writeln!(file, "{line}");
            }
        }
    }

    /// Below this many inputs the share of answered inputs is too noisy to hold to a
    /// floor (a long run may ask for few cases): at 200 inputs, a generator that really
    /// answers 12% falls under a 5% floor with a chance of about 2 in 10,000.
    const MIN_INPUTS_FOR_FLOOR: u64 = 200;

    /// Runs one property over its strategy; `check` sees each input and its outcome.
    /// `answered_floor`, for generators meant to produce valid documents: the property
    /// also fails when fewer than that share of inputs were answered with data, so a
    /// generator that drifted to refusing everything no longer passes by testing nothing
    /// past validation.
    fn fuzz<S: Strategy>(
        property: &str,
        answered_floor: Option<f64>,
        strategy: S,
        check: impl FnMut(&S::Value, &mut Tally) -> Result<(), String>,
    ) where
        S::Value: std::fmt::Debug,
    {
        let (mut runner, cases, seed) = runner();
        let tally = std::cell::RefCell::new(Tally::default());
        let check = std::cell::RefCell::new(check);
        let started = Instant::now();
        let result = runner.run(&strategy, |input| {
            let t0 = Instant::now();
            let verdict = (check.borrow_mut())(&input, &mut tally.borrow_mut());
            let spent = t0.elapsed();
            let mut t = tally.borrow_mut();
            t.inputs += 1;
            t.slowest = t.slowest.max(spent);
            drop(t);
            if spent > SLOW {
                return Err(TestCaseError::fail(format!("took {spent:?}")));
            }
            verdict.map_err(TestCaseError::fail)
        });
        let tally = tally.into_inner();
        report(property, cases, seed, &tally, started.elapsed());
        if let Err(e) = result {
            panic!("fuzz {property} (seed {seed}): {e}");
        }
        if let Some(floor) = answered_floor {
            if tally.inputs >= MIN_INPUTS_FOR_FLOOR {
                let share = tally.answers as f64 / tally.inputs as f64;
                assert!(
                    share >= floor,
                    "fuzz {property} (seed {seed}): only {} of {} inputs answered with data ({:.1}%, floor {:.1}%): the generator drifted to refusals; most refused: {}",
                    tally.answers,
                    tally.inputs,
                    share * 100.0,
                    floor * 100.0,
                    top_refusals(&tally)
                );
            }
        }
    }

    // ---------------------------------------------------------------- the schema under test

    /// Tables of every shape the planner knows, a relationship both ways, a view, an
    /// enum, and a remote schema whose stored introspection is our own schema and whose
    /// URL is a closed port (so remote fields and a table -> remote join are planned and
    /// fail fast, without a server).
    fn setup() -> bool {
        // Test functions run with the `tests` schema first in search_path.
        Spi::run("set local search_path = public").unwrap();
        Spi::run(
            r#"create type public.fz_mood as enum ('happy', 'sad');
               create table public.fz_user (id int primary key, name text, mood public.fz_mood, tags text[], meta jsonb,
                                     score numeric, born date, "weird col" text, uid uuid);
               create table public.fz_post (id int primary key, user_id int references public.fz_user(id), title text,
                                     body text, big bigint, at timestamptz);
               create view public.fz_view as select id, name from public.fz_user;
               insert into public.fz_user select g, 'user ' || g, case when g % 2 = 0 then 'happy' else 'sad' end::public.fz_mood,
                      array['a', 'b"c'], jsonb_build_object('k', g, 'l', jsonb_build_array(1, 'x')),
                      g * 1.5, date '2020-01-01' + g, E'q\'"\\', gen_random_uuid()
                 from generate_series(1, 20) g;
               insert into public.fz_post select g, g % 20 + 1, 'post ' || g, repeat('x', g), g::bigint * 1000000000000,
                      timestamptz '2020-01-01' + g * interval '1 hour'
                 from generate_series(1, 60) g;"#,
        )
        .unwrap();
        fresh_snapshot();
        // Our own introspection, stored as the remote's: no HTTP needed to compose it.
        let own = crate::execute::resolve(crate::schema::remote::INTROSPECTION_QUERY, &Value::Null, None).into_value();
        let Some(schema) = own.pointer("/data/__schema").cloned() else {
            return false;
        };
        Spi::run_with_args(
            "insert into graphql.remote_schema_introspection (remote_schema, introspection) values ('fake', $1)",
            &[pgrx::JsonB(json!({"__schema": schema})).into()],
        )
        .unwrap();
        let mut document = crate::metadata::api::handle(&json!({"type": "export_metadata", "args": {}})).unwrap();
        document["remote_schemas"] = json!([{"name": "fake", "definition": {
            "url": "http://127.0.0.1:9/graphql", "timeout_seconds": 1,
            "customization": {"root_fields_namespace": "fake", "type_names": {"prefix": "F_"}}}}]);
        Spi::run_with_args(
            "insert into graphql.metadata_document (singleton, document) values (true, $1)
             on conflict (singleton) do update set document = excluded.document",
            &[pgrx::JsonB(document).into()],
        )
        .unwrap();
        fresh_snapshot();
        let related = crate::metadata::api::handle(&json!({"type": "pg_create_remote_relationship", "args": {
            "table": "fz_post", "name": "remote_user",
            "definition": {"to_remote_schema": {"remote_schema": "fake", "lhs_fields": ["user_id"],
                           "remote_field": {"fz_user_by_pk": {"arguments": {"id": "$user_id"}}}}}}}));
        fresh_snapshot();
        let probe = crate::execute::resolve("{ fz_post(limit: 1) { id } }", &Value::Null, None).into_value();
        assert_eq!(probe, json!({"data": {"fz_post": [{"id": 1}]}}), "set-up: {related:?}");
        related.is_ok()
    }

    // ---------------------------------------------------------------- generators

    /// Strings that have broken SQL generators elsewhere, and text encodings' corners.
    const NASTY: &[&str] = &[
        "'; drop table fz_user; --",
        "\" or 1=1 --",
        "'' or ''='",
        "x'); select pg_sleep(10); --",
        "$1",
        "$$; select 1; $$",
        "\\",
        "\\\\'",
        "%s%s%n",
        "\u{0}",
        "a\u{0}b",
        "\u{FEFF}",
        "\u{1F600}",
        "\u{10FFFF}",
        "é\u{301}",
        "\t\r\n",
        "NaN",
        "Infinity",
        "-0",
        "1e999999",
        "99999999999999999999999999999999",
        "2020-13-45",
        "{\"a\":",
        "fz_user",
        "__typename",
        "",
        " ",
    ];

    const FIELDS: &[&str] = &[
        "fz_user", "fz_post", "fz_view", "fz_user_by_pk", "fz_post_by_pk", "fz_user_aggregate",
        "fz_post_aggregate", "id", "name", "mood", "tags", "meta", "score", "born", "uid", "user_id",
        "title", "body", "big", "at", "user", "fz_post", "aggregate", "count", "nodes", "sum", "avg",
        "max", "min", "__typename", "__schema", "__type", "types", "fields", "kind", "ofType", "fake",
        "remote_user", "nope", "query_root", "weird_col",
    ];
    const ARGUMENTS: &[&str] = &[
        "where", "order_by", "limit", "offset", "distinct_on", "id", "columns", "distinct", "name",
        "path", "if", "_eq", "x",
    ];
    const KEYS: &[&str] = &[
        "id", "name", "mood", "tags", "meta", "score", "user", "fz_post", "_eq", "_neq", "_gt", "_lt",
        "_in", "_nin", "_is_null", "_like", "_ilike", "_regex", "_similar", "_contains", "_has_key",
        "_and", "_or", "_not", "title", "big", "born", "uid",
    ];
    const TYPES: &[&str] = &[
        "fz_user", "fz_post", "fz_view", "query_root", "F_fz_user", "F_query_root", "Nope", "String",
        "fz_user_aggregate",
    ];
    const ENUMS: &[&str] = &["asc", "desc", "asc_nulls_first", "desc_nulls_last", "happy", "sad", "id", "name", "BOGUS"];

    fn pick(words: &'static [&'static str]) -> BoxedStrategy<String> {
        prop::sample::select(words).prop_map(str::to_string).boxed()
    }

    fn nasty_or_random_string() -> BoxedStrategy<String> {
        prop_oneof![pick(NASTY), ".{0,12}", "[a-z_]{1,8}"].boxed()
    }

    /// A GraphQL string literal, escapes included (lone surrogates as \uD800 too).
    fn string_literal() -> BoxedStrategy<String> {
        prop_oneof![
            4 => nasty_or_random_string().prop_map(|s| Value::String(s).to_string()),
            1 => prop::sample::select(&["\"\\uD800\"", "\"\\uDFFF\\uD800\"", "\"\\u0000\"", "\"\\x\"", "\"\"\"block \\\"\"\" \"\"\"", "\"unterminated"][..])
                .prop_map(str::to_string),
        ]
        .boxed()
    }

    fn graphql_value() -> BoxedStrategy<String> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(|i| i.to_string()),
            any::<f64>().prop_map(|f| if f.is_finite() { format!("{f:e}") } else { "1.5".into() }),
            prop::sample::select(&["0", "-1", "2147483648", "99999999999999999999999", "1.0e400", "true", "false", "null"][..])
                .prop_map(str::to_string),
            string_literal(),
            pick(ENUMS),
            prop::sample::select(&["$v", "$id", "$w", "$undefined"][..]).prop_map(str::to_string),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec((pick(KEYS), inner), 0..4).prop_map(|v| {
                    let fields: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", fields.join(", "))
                }),
            ]
        })
        .boxed()
    }

    fn arguments() -> BoxedStrategy<String> {
        prop_oneof![
            2 => Just(String::new()),
            1 => prop::collection::vec((pick(ARGUMENTS), graphql_value()), 1..3).prop_map(|v| {
                let args: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("({})", args.join(", "))
            }),
        ]
        .boxed()
    }

    fn directive() -> BoxedStrategy<String> {
        prop_oneof![
            6 => Just(String::new()),
            1 => prop::sample::select(&[" @skip(if: true)", " @include(if: false)", " @include(if: $v)", " @skip(if: \"x\")", " @nope", " @skip"][..])
                .prop_map(str::to_string),
        ]
        .boxed()
    }

    fn alias() -> BoxedStrategy<String> {
        prop_oneof![3 => Just(String::new()), 1 => "[a-z]{1,3}".prop_map(|a| format!("{a}: "))].boxed()
    }

    fn selection_set() -> BoxedStrategy<String> {
        let leaf = (alias(), pick(FIELDS), arguments(), directive()).prop_map(|(a, f, args, d)| format!("{a}{f}{args}{d}"));
        leaf.prop_recursive(6, 48, 4, |inner| {
            let set = prop::collection::vec(inner, 1..4).prop_map(|v| format!("{{ {} }}", v.join(" ")));
            prop_oneof![
                4 => (alias(), pick(FIELDS), arguments(), directive(), set.clone())
                    .prop_map(|(a, f, args, d, s)| format!("{a}{f}{args}{d} {s}")),
                1 => prop::sample::select(&["...A", "...B", "...Nope"][..]).prop_map(str::to_string),
                1 => (pick(TYPES), set.clone()).prop_map(|(t, s)| format!("... on {t} {s}")),
                1 => set.prop_map(|s| format!("... {s}")),
            ]
        })
        .prop_map(|s| format!("{{ {s} }}"))
        .boxed()
    }

    /// A whole document: an operation (named, with variables, or shorthand) and up to
    /// two fragments, which may refer to each other.
    fn document() -> BoxedStrategy<String> {
        let header = prop::sample::select(&[
            "",
            "query ",
            "query Q($v: Boolean, $id: Int!, $w: fz_user_bool_exp) ",
            "query Q($v: String = \"x\") ",
            "mutation M ",
            "subscription S ",
            "query Q($v: [Int!]!) ",
        ][..]);
        let fragment = (prop::sample::select(&["A", "B"][..]), pick(TYPES), selection_set())
            .prop_map(|(n, t, s)| format!("fragment {n} on {t} {s}"));
        (header, selection_set(), prop::collection::vec(fragment, 0..3))
            .prop_map(|(h, s, f)| format!("{h}{s} {}", f.join(" ")))
            .boxed()
    }

    // ------------------------------------------------ schema-aware documents

    /// What a field of the schema under test leads to, for the typed generator.
    #[derive(Clone, Copy, Debug)]
    enum To {
        /// A scalar column (or scalar field).
        Leaf,
        /// An object type; the arguments are those of a list of that table's rows.
        Rows(&'static str, &'static str),
        /// An object type, one row by primary key.
        ByPk(&'static str),
        /// An object type, no arguments.
        Object(&'static str),
        /// `count(columns:, distinct:)` of an aggregate.
        Count(&'static str),
    }

    /// The schema under test as the typed generator sees it: (type, [(field, what)]).
    fn fields_of(ty: &str) -> &'static [(&'static str, To)] {
        use To::*;
        match ty {
            "query_root" => &[
                ("fz_user", Rows("fz_user", "fz_user")), ("fz_post", Rows("fz_post", "fz_post")),
                ("fz_view", Rows("fz_view", "fz_view")), ("fz_user_by_pk", ByPk("fz_user")),
                ("fz_post_by_pk", ByPk("fz_post")), ("fz_post_aggregate", Rows("fz_post_aggregate", "fz_post")),
                ("fz_user_aggregate", Rows("fz_user_aggregate", "fz_user")), ("fake", Object("fake")),
                ("__typename", Leaf),
            ],
            "fz_user" => &[
                ("id", Leaf), ("name", Leaf), ("mood", Leaf), ("tags", Leaf), ("meta", Leaf), ("score", Leaf),
                ("born", Leaf), ("uid", Leaf), ("__typename", Leaf), ("fz_post", Rows("fz_post", "fz_post")),
                ("fz_post_aggregate", Rows("fz_post_aggregate", "fz_post")),
            ],
            "fz_post" => &[
                ("id", Leaf), ("user_id", Leaf), ("title", Leaf), ("body", Leaf), ("big", Leaf), ("at", Leaf),
                ("__typename", Leaf), ("user", Object("fz_user")), ("remote_user", Object("F_fz_user")),
            ],
            "fz_view" => &[("id", Leaf), ("name", Leaf)],
            "fz_post_aggregate" => &[("aggregate", Object("fz_post_fields")), ("nodes", Object("fz_post"))],
            "fz_user_aggregate" => &[("aggregate", Object("fz_user_fields")), ("nodes", Object("fz_user"))],
            "fz_post_fields" => &[
                ("count", Count("fz_post")), ("sum", Object("fz_post_num")), ("avg", Object("fz_post_num")),
                ("max", Object("fz_post_cmp")), ("min", Object("fz_post_cmp")),
            ],
            "fz_user_fields" => &[
                ("count", Count("fz_user")), ("sum", Object("fz_user_num")), ("max", Object("fz_user_cmp")),
            ],
            "fz_post_num" => &[("id", Leaf), ("user_id", Leaf), ("big", Leaf)],
            "fz_post_cmp" => &[("id", Leaf), ("title", Leaf), ("big", Leaf), ("at", Leaf)],
            "fz_user_num" => &[("id", Leaf), ("score", Leaf)],
            "fz_user_cmp" => &[("id", Leaf), ("name", Leaf), ("score", Leaf), ("born", Leaf)],
            "fake" => &[("fz_user", Rows("F_fz_user", "fz_user")), ("fz_post_by_pk", ByPk("F_fz_post")), ("__typename", Leaf)],
            "F_fz_user" => &[("id", Leaf), ("name", Leaf), ("mood", Leaf), ("__typename", Leaf)],
            "F_fz_post" => &[("id", Leaf), ("title", Leaf), ("__typename", Leaf)],
            _ => &[("__typename", Leaf)],
        }
    }

    const ORDERED: &[&str] = &["_eq", "_neq", "_gt", "_gte", "_lt", "_lte", "_in", "_nin", "_is_null"];
    const TEXTUAL: &[&str] = &[
        "_eq", "_neq", "_gt", "_lt", "_in", "_nin", "_is_null", "_like", "_nlike", "_ilike", "_nilike", "_similar",
        "_nsimilar", "_regex", "_nregex", "_iregex", "_niregex",
    ];
    const JSONB: &[&str] = &["_eq", "_is_null", "_contains", "_contained_in", "_has_key"];
    const ARRAY: &[&str] = &["_eq", "_is_null", "_contains", "_contained_in"];
    const ENUM: &[&str] = &["_eq", "_neq", "_in", "_nin", "_is_null"];

    /// One comparison on a column of `table`: `column: {op: value}`, the operator one
    /// the column's type has, the value mostly of its type (an overflowing integer, a
    /// bad date or a wrong enum label now and then).
    fn comparison(table: &'static str) -> BoxedStrategy<String> {
        let int = prop_oneof![4 => (0..70i32).prop_map(|i| i.to_string()), 1 => any::<i64>().prop_map(|i| i.to_string()), 2 => Just("$id".to_string())].boxed();
        let text = prop_oneof![string_literal(), Just("\"user 3\"".to_string()), Just("\"%1%\"".to_string()), Just("\"^p.*[0-9]$\"".to_string()), Just("$v".to_string())].boxed();
        let one = |column: &'static str, ops: &'static [&'static str], values: BoxedStrategy<String>| -> BoxedStrategy<String> {
            (prop::sample::select(ops), values, any::<bool>())
                .prop_map(move |(op, value, flag)| {
                    let value = match op {
                        "_in" | "_nin" => if flag { format!("[{value}]") } else { format!("[{value}, {value}]") },
                        "_is_null" => flag.to_string(),
                        "_has_key" => "\"k\"".to_string(),
                        _ => value,
                    };
                    format!("{column}: {{{op}: {value}}}")
                })
                .boxed()
        };
        let sel = |values: &'static [&'static str]| prop::sample::select(values).prop_map(str::to_string).boxed();
        let columns: Vec<BoxedStrategy<String>> = match table {
            "fz_user" | "fz_view" => vec![
                one("id", ORDERED, int.clone()),
                one("name", TEXTUAL, text.clone()),
                one("mood", ENUM, sel(&["happy", "sad", "happy", "glad"])),
                one("tags", ARRAY, sel(&["[\"a\"]", "[]", "[\"b\\\"c\"]", "\"a\""])),
                one("meta", JSONB, sel(&["{k: 1}", "{l: [1, \"x\"]}", "{k: {deep: [null, true]}}", "\"k\"", "[1]"])),
                one("score", ORDERED, prop_oneof![any::<f64>().prop_map(|f| if f.is_finite() { format!("{f:e}") } else { "0".into() }), int.clone()].boxed()),
                one("born", ORDERED, sel(&["\"2020-01-05\"", "\"2020-01-15\"", "\"2020-02-30\"", "\"infinity\""])),
                one("uid", ENUM, sel(&["\"00000000-0000-0000-0000-000000000000\"", "\"not-a-uuid\""])),
            ],
            _ => vec![
                one("id", ORDERED, int.clone()),
                one("user_id", ORDERED, int),
                one("title", TEXTUAL, text.clone()),
                one("body", TEXTUAL, text),
                one("big", ORDERED, prop_oneof![any::<i64>().prop_map(|i| i.to_string()), Just("5000000000000".to_string()), Just("92233720368547758070".to_string())].boxed()),
                one("at", ORDERED, sel(&["\"2020-01-01T05:00:00Z\"", "\"2020-01-02\"", "\"2020-01-01 25:00\""])),
            ],
        };
        proptest::strategy::Union::new(columns).boxed()
    }

    fn bool_exp(table: &'static str, depth: u32) -> BoxedStrategy<String> {
        let comparison = comparison(table);
        if depth == 0 {
            return comparison.prop_map(|c| format!("{{{c}}}")).boxed();
        }
        let inner = bool_exp(table, depth - 1);
        let relation = match table {
            "fz_post" => Some(bool_exp("fz_user", depth - 1).prop_map(|e| format!("user: {e}")).boxed()),
            "fz_user" => Some(bool_exp("fz_post", depth - 1).prop_map(|e| format!("fz_post: {e}")).boxed()),
            _ => None,
        };
        let mut parts: Vec<BoxedStrategy<String>> = vec![
            comparison.clone(),
            comparison,
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("_and: [{}]", v.join(", "))).boxed(),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("_or: [{}]", v.join(", "))).boxed(),
            inner.prop_map(|e| format!("_not: {e}")).boxed(),
        ];
        parts.extend(relation);
        prop::collection::vec(proptest::strategy::Union::new(parts), 1..3).prop_map(|v| format!("{{{}}}", v.join(", "))).boxed()
    }

    fn columns_of(table: &str) -> &'static [&'static str] {
        match table {
            "fz_user" | "fz_view" => &["id", "name", "mood", "score", "born"],
            _ => &["id", "user_id", "title", "big", "at"],
        }
    }

    fn rows_arguments(table: &'static str) -> BoxedStrategy<String> {
        let columns = columns_of(table);
        let order = (prop::sample::select(columns), prop::sample::select(&["asc", "desc", "asc_nulls_first", "desc_nulls_last"][..]))
            .prop_map(|(c, d)| format!("{{{c}: {d}}}"));
        // Each argument at most once (a repeated one is a validation error, not a test).
        (
            prop::option::weighted(0.6, bool_exp(table, 2).prop_map(|e| format!("where: {e}"))),
            prop::option::weighted(0.4, prop::collection::vec(order, 1..3).prop_map(|v| format!("order_by: [{}]", v.join(", ")))),
            prop::option::weighted(0.4, prop_oneof![8 => (0..30i64).prop_map(|i| i.to_string()), 1 => Just("-1".to_string()), 2 => Just("$id".to_string())].prop_map(|l| format!("limit: {l}"))),
            prop::option::weighted(0.2, (0..30i64).prop_map(|i| format!("offset: {i}"))),
            prop::option::weighted(0.1, prop::sample::select(columns).prop_map(|c| format!("distinct_on: [{c}]"))),
        )
            .prop_map(|(w, o, l, f, d)| {
                let given: Vec<String> = [w, o, l, f, d].into_iter().flatten().collect();
                if given.is_empty() { String::new() } else { format!("({})", given.join(", ")) }
            })
            .boxed()
    }

    /// A selection set of type `ty`, `depth` levels deep at most, valid but for the odd
    /// wrong value (a wrong enum, an overflowing integer, a bad date).
    fn typed_selection(ty: &'static str, depth: u32) -> BoxedStrategy<String> {
        let choices: Vec<BoxedStrategy<String>> = fields_of(ty)
            .iter()
            .filter(|(_, to)| depth > 0 || matches!(to, To::Leaf | To::Count(_)))
            .map(|&(name, to)| -> BoxedStrategy<String> {
                let name = name.to_string();
                match to {
                    To::Leaf => (alias(), typed_directive()).prop_map(move |(a, d)| format!("{a}{name}{d}")).boxed(),
                    To::Count(table) => {
                        let column = prop::sample::select(columns_of(table)).prop_map(str::to_string);
                        (unique_alias(), prop::option::of(column), any::<bool>())
                            .prop_map(move |(a, c, distinct)| match c {
                                Some(c) => format!("{a}{name}(columns: [{c}], distinct: {distinct})"),
                                None => format!("{a}{name}"),
                            })
                            .boxed()
                    }
                    To::Rows(target, table) => (unique_alias(), rows_arguments(table), typed_selection(target, depth - 1))
                        .prop_map(move |(a, args, sub)| format!("{a}{name}{args} {sub}"))
                        .boxed(),
                    To::ByPk(target) => {
                        let id = prop_oneof![8 => (0..70i32).prop_map(|i| i.to_string()), 2 => Just("$id".to_string()), 1 => string_literal()];
                        (unique_alias(), id, typed_selection(target, depth - 1))
                            .prop_map(move |(a, id, sub)| format!("{a}{name}(id: {id}) {sub}"))
                            .boxed()
                    }
                    To::Object(target) => (alias(), typed_directive(), typed_selection(target, depth - 1))
                        .prop_map(move |(a, d, sub)| format!("{a}{name}{d} {sub}"))
                        .boxed(),
                }
            })
            .collect();
        if choices.is_empty() {
            return Just("{ __typename }".to_string()).boxed();
        }
        prop::collection::vec(proptest::strategy::Union::new(choices), 1..4)
            .prop_map(|v| format!("{{ {} }}", v.join(" ")))
            .boxed()
    }

    /// Fields with arguments get an alias, so siblings rarely clash on arguments.
    fn unique_alias() -> BoxedStrategy<String> {
        "[a-z]{3,6}".prop_map(|a| format!("{a}: ")).boxed()
    }

    fn typed_directive() -> BoxedStrategy<String> {
        prop_oneof![
            12 => Just(String::new()),
            1 => Just(" @skip(if: true)".to_string()),
            1 => Just(" @include(if: false)".to_string()),
            1 => Just(" @include(if: true)".to_string()),
        ]
        .boxed()
    }

    /// Typed documents: mostly valid, so that planning and SQL generation run. `$id`
    /// and `$v` are always declared, and always used (an unused variable is an error).
    fn typed_document() -> BoxedStrategy<String> {
        let header = prop::sample::select(&["query Q($id: Int!, $v: String!) ", "query Q($id: Int!, $v: String!) ", "query Q($id: Int, $v: String) "][..]);
        (header, typed_selection("query_root", 3))
            .prop_map(|(h, s)| {
                let uses = "vars: fz_user(where: {id: {_eq: $id}, name: {_eq: $v}}) { id }";
                format!("{h}{{ {uses} {}", &s[1..])
            })
            .boxed()
    }

    fn typed_variables() -> BoxedStrategy<Value> {
        (prop_oneof![1 => any::<i32>().prop_map(|i| json!(i)), 6 => (0..70i32).prop_map(|i| json!(i)), 1 => json_value()], nasty_or_random_string())
            .prop_map(|(id, v)| json!({"id": id, "v": v}))
            .boxed()
    }

    /// Documents that are valid or nearly so, to be mutated.
    const SEEDS: &[&str] = &[
        r#"{ fz_user(where: {name: {_eq: "user 1"}}, order_by: {id: asc}, limit: 2) { id name mood tags meta score born fz_post { id title } } }"#,
        r#"query Q($id: Int!) { fz_user_by_pk(id: $id) { id name weird_col } }"#,
        r#"{ fz_post_aggregate(where: {big: {_gt: 5}}) { aggregate { count sum { big } max { title } } nodes { id user { name } } } }"#,
        r#"query ($w: fz_user_bool_exp) { fz_user(where: $w, distinct_on: [mood], order_by: [{mood: asc}, {id: desc}]) { id mood } }"#,
        r#"query { fz_post(limit: 3, offset: 1) { ...P } } fragment P on fz_post { id user { ...U } } fragment U on fz_user { name __typename }"#,
        r#"{ __schema { queryType { name } types { name kind fields { name type { name ofType { name } } } } } }"#,
        r#"{ __type(name: "fz_user") { name fields { name } } }"#,
        r#"{ fake { fz_user(limit: 1) { id } } fz_view { id } }"#,
        r#"{ fz_post(where: {id: {_lte: 3}}) { id remote_user { name } } }"#,
        r#"{ fz_user(where: {_or: [{tags: {_contains: ["a"]}}, {meta: {_has_key: "k"}}, {name: {_regex: "^u"}}]}) { id } }"#,
    ];

    #[derive(Debug, Clone)]
    enum Mutation {
        Delete(usize, usize),
        Insert(usize, String),
        Duplicate(usize, usize),
        Replace(usize, char),
    }

    fn mutation() -> BoxedStrategy<Mutation> {
        let token = prop_oneof![
            prop::sample::select(&["{", "}", "(", ")", "[", "]", ":", "$", "...", "@", "\"", "\\", "#", "on", "fragment", "query", ",", "!", "=", "\u{0}", "\u{FFFD}", "\u{1F600}"][..])
                .prop_map(str::to_string),
            pick(FIELDS),
            pick(NASTY),
            graphql_value(),
        ];
        prop_oneof![
            (any::<usize>(), 1..20usize).prop_map(|(p, n)| Mutation::Delete(p, n)),
            (any::<usize>(), token).prop_map(|(p, t)| Mutation::Insert(p, t)),
            (any::<usize>(), 1..40usize).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
            (any::<usize>(), any::<char>()).prop_map(|(p, c)| Mutation::Replace(p, c)),
        ]
        .boxed()
    }

    fn mutate(seed: &str, mutations: &[Mutation]) -> String {
        let mut chars: Vec<char> = seed.chars().collect();
        for m in mutations {
            let len = chars.len();
            match m {
                Mutation::Delete(p, n) if len > 0 => {
                    let at = p % len;
                    let end = (at + n).min(len);
                    chars.drain(at..end);
                }
                Mutation::Insert(p, text) => {
                    let at = p % (len + 1);
                    chars.splice(at..at, text.chars());
                }
                Mutation::Duplicate(p, n) if len > 0 => {
                    let at = p % len;
                    let end = (at + n).min(len);
                    let copy: Vec<char> = chars[at..end].to_vec();
                    chars.splice(end..end, copy);
                }
                Mutation::Replace(p, c) if len > 0 => chars[p % len] = *c,
                _ => {}
            }
        }
        chars.into_iter().collect()
    }

    fn json_value() -> BoxedStrategy<Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|i| json!(i)),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
            prop::sample::select(&["1e400", "123456789012345678901234567890", "-0.0", "0.1e-400"][..])
                .prop_map(|n| serde_json::from_str(n).unwrap_or(Value::Null)),
            nasty_or_random_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((pick(KEYS), inner), 0..4).prop_map(|v| Value::Object(v.into_iter().collect())),
            ]
        })
        .boxed()
    }

    fn variables() -> BoxedStrategy<Value> {
        prop_oneof![
            1 => json_value(),
            4 => prop::collection::vec((prop::sample::select(&["v", "id", "w", "x", ""][..]), json_value()), 0..4)
                .prop_map(|v| Value::Object(v.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())),
        ]
        .boxed()
    }

    fn operation_name() -> BoxedStrategy<Option<String>> {
        prop_oneof![4 => Just(None), 1 => Just(Some("Q".to_string())), 1 => nasty_or_random_string().prop_map(Some)].boxed()
    }

    /// The answer `resolve` must give: an object with `data` or a non-empty `errors`,
    /// every error with a message.
    fn check_response(response: &Value) -> Result<bool, String> {
        let Some(object) = response.as_object() else { return Err(format!("not an object: {response}")) };
        if object.keys().any(|k| k != "data" && k != "errors") {
            return Err(format!("unexpected keys: {response}"));
        }
        let errors = match object.get("errors") {
            None => return if object.contains_key("data") { Ok(false) } else { Err("neither data nor errors".into()) },
            Some(Value::Array(errors)) if !errors.is_empty() => errors,
            Some(other) => return Err(format!("errors is not a non-empty list: {other}")),
        };
        for error in errors {
            if error.get("message").and_then(|m| m.as_str()).is_none_or(str::is_empty) {
                return Err(format!("an error without a message: {error}"));
            }
        }
        Ok(true)
    }

    fn run_resolve(query: &str, variables: &Value, operation_name: Option<&str>, tally: &mut Tally) -> Result<(), String> {
        let (q, v, o) = (query.to_string(), variables.clone(), operation_name.map(str::to_string));
        match guarded(move || crate::execute::resolve(&q, &v, o.as_deref()).into_value()) {
            Outcome::Done(response) => {
                // Answered: no errors, or data beside them (a partial answer still ran
                // planning and SQL); refused: errors and no data.
                let has_errors = check_response(&response)?;
                if !has_errors || response.get("data").is_some_and(|d| !d.is_null()) {
                    tally.answers += 1;
                } else {
                    tally.refused(first_message(&response));
                }
                Ok(())
            }
            Outcome::SqlError(message) => {
                tally.sql_errors += 1;
                Err(format!("resolve raised an SQL ERROR: {message}"))
            }
            Outcome::Panic(message) => Err(format!("resolve panicked: {message}")),
        }
    }

    // ---------------------------------------------------------------- properties

    // Floors on the share of inputs answered with data, for the generators meant to
    // produce valid documents, each about half the share measured (500 inputs on the CI
    // seed; 20,000 on a random seed): low enough that another seed or a small change to
    // the schema under test does not trip it, high enough that a generator that stopped
    // producing valid documents fails.
    //   typed documents: 49.0% (245/500), 50.3% (10,051/20,000) -> floor 25%
    //   variables:       10.2% (51/500),  12.1% (2,426/20,000)  -> floor 5% (most random
    //                    JSON values do not fit the variable's type, on purpose)
    const TYPED_DOCUMENTS_ANSWERED_FLOOR: f64 = 0.25;
    const VARIABLES_ANSWERED_FLOOR: f64 = 0.05;
    //   permissions:     answered without an error and compared with the RLS oracle:
    //                    18.0% (90/500), 18.2% (3,634/20,000); the rest name `body` or
    //                    `uid` (refused, as they must be), a remote field, or a
    //                    non-numeric user id -> floor 9%
    const PERMISSIONS_COMPARED_FLOOR: f64 = 0.09;
    //   mutations:       29.8% (149/500), 28.7% (5,733/20,000) -> floor 15%
    const MUTATIONS_ANSWERED_FLOOR: f64 = 0.15;
    //   insert rows in place: 52.2% (261/500) answered, both ways alike -> floor 25%
    const ROWS_IN_PLACE_ANSWERED_FLOOR: f64 = 0.25;

    /// Grammar-level documents over random field names and headers: valid almost never
    /// (0 of 500 and 0 of 20,000 answered with data), so no floor; they exercise the
    /// parser and validation, and the typed documents cover planning and SQL.
    #[pg_test]
    fn fuzz_generated_documents() {
        assert!(setup(), "fuzz schema set-up");
        fuzz("generated documents", None, (document(), variables(), operation_name()), |(query, vars, op), tally| {
            run_resolve(query, vars, op.as_deref(), tally)
        });
    }

    #[pg_test]
    fn fuzz_typed_documents() {
        assert!(setup(), "fuzz schema set-up");
        fuzz("typed documents", Some(TYPED_DOCUMENTS_ANSWERED_FLOOR), (typed_document(), typed_variables()), |(query, vars), tally| {
            run_resolve(query, vars, None, tally)
        });
    }

    #[pg_test]
    fn fuzz_mutated_documents() {
        assert!(setup(), "fuzz schema set-up");
        let strategy = (prop::sample::select(SEEDS), prop::collection::vec(mutation(), 1..6), variables());
        // Mutations are meant to break documents: no floor.
        fuzz("mutated documents", None, strategy, |(seed, mutations, vars), tally| {
            run_resolve(&mutate(seed, mutations), vars, None, tally)
        });
    }

    #[pg_test]
    fn fuzz_variables() {
        assert!(setup(), "fuzz schema set-up");
        const TYPED: &[&str] = &[
            "query ($v: Int) { fz_user_by_pk(id: $v) { id } }",
            "query ($v: String) { fz_user(where: {name: {_eq: $v}}) { id } }",
            "query ($v: [String!]) { fz_user(where: {name: {_in: $v}}) { id } }",
            "query ($v: jsonb) { fz_user(where: {meta: {_contains: $v}}) { id } }",
            "query ($v: numeric) { fz_user(where: {score: {_gt: $v}}) { id } }",
            "query ($v: bigint) { fz_post(where: {big: {_lte: $v}}) { id } }",
            "query ($v: date) { fz_user(where: {born: {_eq: $v}}) { id } }",
            "query ($v: uuid) { fz_user(where: {uid: {_eq: $v}}) { id } }",
            "query ($v: fz_mood) { fz_user(where: {mood: {_eq: $v}}) { id } }",
            "query ($v: fz_user_bool_exp) { fz_user(where: $v) { id } }",
            "query ($v: [fz_user_order_by!]) { fz_user(order_by: $v) { id } }",
            "query ($v: Int) { fz_post(limit: $v, offset: $v) { id } }",
            "query ($v: String!) { fake { fz_user(where: {name: {_eq: $v}}) { id } } }",
        ];
        let strategy = (prop::sample::select(TYPED), json_value());
        fuzz("variables", Some(VARIABLES_ANSWERED_FLOOR), strategy, |(query, value), tally| {
            run_resolve(query, &json!({ "v": value }), None, tally)
        });
    }

    /// Mutation documents over the fuzz tables: every kind of table mutation, nested
    /// inserts, on_conflict, the update operators, with values mostly of their column's
    /// type (a clashing key, a dangling foreign key or a bad value now and then).
    fn typed_mutation() -> BoxedStrategy<String> {
        let id = prop_oneof![6 => (1..80i32).prop_map(|i| i.to_string()), 1 => Just("$id".to_string()), 1 => any::<i64>().prop_map(|i| i.to_string())].boxed();
        let text = prop_oneof![4 => string_literal(), 1 => Just("$v".to_string())].boxed();
        let post = (id.clone(), prop_oneof![(1..25i32).prop_map(|i| i.to_string()), Just("null".to_string())], text.clone())
            .prop_map(|(id, user, title)| format!("{{id: {id}, user_id: {user}, title: {title}}}"))
            .boxed();
        let user = (id.clone(), text.clone(), prop::sample::select(&["happy", "sad", "glad"][..]))
            .prop_map(|(id, name, mood)| format!("{{id: {id}, name: {name}, mood: {mood}}}"))
            .boxed();
        let returning = typed_selection("fz_post", 1).prop_map(|s| format!("{{ affected_rows returning {s} }}")).boxed();
        let fields: Vec<BoxedStrategy<String>> = vec![
            (prop::collection::vec(post.clone(), 0..4), returning.clone())
                .prop_map(|(objects, r)| format!("insert_fz_post(objects: [{}]) {r}", objects.join(", ")))
                .boxed(),
            (user.clone(), any::<bool>())
                .prop_map(|(object, update)| {
                    let columns = if update { "[name, mood]" } else { "[]" };
                    format!("insert_fz_user_one(object: {object}, on_conflict: {{constraint: fz_user_pkey, update_columns: {columns}}}) {{ id name }}")
                })
                .boxed(),
            (id.clone(), text.clone(), prop::collection::vec(post, 0..3))
                .prop_map(|(id, name, posts)| {
                    format!("insert_fz_user_one(object: {{id: {id}, name: {name}, fz_post: {{data: [{}]}}}}) {{ id fz_post {{ id }} }}", posts.join(", "))
                })
                .boxed(),
            (bool_exp("fz_post", 1), text.clone(), prop_oneof![any::<i64>(), 0..5i64], returning.clone())
                .prop_map(|(w, title, big, r)| format!("update_fz_post(where: {w}, _set: {{title: {title}}}, _inc: {{big: {big}}}) {r}"))
                .boxed(),
            (id.clone(), prop::sample::select(&["_append: {meta: {z: 1}}", "_prepend: {meta: [0]}", "_delete_key: {meta: \"k\"}", "_delete_elem: {meta: 0}", "_delete_at_path: {meta: [\"l\", \"0\"]}", "_set: {tags: [\"x\"]}"][..]))
                .prop_map(|(id, op)| format!("update_fz_user_by_pk(pk_columns: {{id: {id}}}, {op}) {{ id meta tags }}"))
                .boxed(),
            (bool_exp("fz_post", 1), bool_exp("fz_post", 0))
                .prop_map(|(a, b)| format!("update_fz_post_many(updates: [{{where: {a}, _set: {{body: \"x\"}}}}, {{where: {b}, _inc: {{big: 1}}}}]) {{ affected_rows }}"))
                .boxed(),
            (bool_exp("fz_post", 2), returning).prop_map(|(w, r)| format!("delete_fz_post(where: {w}) {r}")).boxed(),
            id.prop_map(|id| format!("delete_fz_user_by_pk(id: {id}) {{ id name }}")).boxed(),
        ];
        let header = prop::sample::select(&["mutation M($id: Int!, $v: String!) ", "mutation M($id: Int, $v: String) "][..]);
        (header, prop::collection::vec((unique_alias(), proptest::strategy::Union::new(fields)), 1..4))
            .prop_map(|(h, fields)| {
                // $id and $v are declared: each document uses both.
                let uses = "vars: update_fz_post(where: {id: {_eq: $id}}, _set: {title: $v}) { affected_rows }";
                let body: Vec<String> = fields.into_iter().map(|(a, f)| format!("{a}{f}")).collect();
                format!("{h}{{ {uses} {} }}", body.join(" "))
            })
            .boxed()
    }

    /// Mutations (each input rolled back): an answer or a GraphQL error, never a panic or
    /// an SQL ERROR escaping `resolve`.
    #[pg_test]
    fn fuzz_mutations() {
        assert!(setup(), "fuzz schema set-up");
        fuzz("mutations", Some(MUTATIONS_ANSWERED_FLOOR), (typed_mutation(), typed_variables()), |(query, vars), tally| {
            run_resolve(query, vars, None, tally)
        });
    }

    /// A value for an insert row's field: mostly of its column's type, now and then
    /// another JSON value (which coercion or Postgres refuses).
    fn row_value(key: &'static str) -> BoxedStrategy<Value> {
        let typed = match key {
            // Mostly new keys (the table holds 1 to 60).
            "id" => prop_oneof![9 => (100..100_000i32).prop_map(|i| json!(i)), 1 => (1..80i32).prop_map(|i| json!(i))].boxed(),
            "user_id" => prop_oneof![16 => (1..21i32).prop_map(|i| json!(i)), 1 => Just(json!(99)), 2 => Just(Value::Null)].boxed(),
            // Past 64 bits too: Postgres refuses it for a bigint, either way alike.
            "big" => prop_oneof![
                16 => any::<i64>().prop_map(|i| json!(i)),
                1 => Just(json!("12")),
                1 => Just(json!(1.5)),
                1 => Just(json!(92233720368547758070u128))
            ]
            .boxed(),
            "at" => prop_oneof![16 => Just(json!("2026-01-02T03:04:05Z")), 1 => Just(json!("not a time")), 2 => Just(Value::Null)].boxed(),
            _ => nasty_or_random_string().prop_filter("no NUL: jsonb refuses it", |s| !s.contains('\0')).prop_map(Value::String).boxed(),
        };
        let other = json_value().prop_filter("no NUL: jsonb refuses it", |v| !v.to_string().contains("\\u0000"));
        prop_oneof![40 => typed, 1 => other].boxed()
    }

    /// Rows for `insert_fz_post(objects: $rows)`: usually each with the same keys (the
    /// in-place path), `id` among them, now and then a row with keys of its own, an
    /// unknown key or not an object.
    fn insert_rows() -> BoxedStrategy<Value> {
        const KEYS: &[&str] = &["user_id", "title", "body", "big", "at"];
        let keys = prop::sample::subsequence(KEYS, 0..=KEYS.len()).prop_map(|mut keys| {
            keys.insert(0, "id");
            keys
        });
        let row_for = |keys: Vec<&'static str>| {
            keys.into_iter().map(|k| row_value(k).prop_map(move |v| (k.to_string(), v))).collect::<Vec<_>>().prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
        };
        let odd_row = prop_oneof![
            keys.clone().prop_flat_map(row_for),
            Just(json!({"id": 7, "nope": 1})),
            Just(json!(3)),
        ];
        (keys.prop_flat_map(move |k| prop::collection::vec(row_for(k), 0..6)), prop::option::weighted(0.2, odd_row))
            .prop_map(|(mut rows, odd)| {
                if let Some(odd) = odd {
                    rows.push(odd);
                }
                Value::Array(rows)
            })
            .boxed()
    }

    /// An insert's rows read in place (from the jsonb `graphql.resolve` receives) are
    /// answered exactly as the same rows coerced the ordinary way: the same data, the
    /// same errors at the same paths, each input rolled back.
    #[pg_test]
    fn fuzz_insert_rows_in_place() {
        assert!(setup(), "fuzz schema set-up");
        const DOCUMENTS: &[&str] = &[
            "mutation ($rows: [fz_post_insert_input!]!) { insert_fz_post(objects: $rows) { affected_rows returning { id user_id title body big at } } }",
            "mutation ($rows: [fz_post_insert_input!]!) { insert_fz_post(objects: $rows, on_conflict: {constraint: fz_post_pkey, update_columns: [title]}) { affected_rows returning { id title } } }",
        ];
        // What must agree: data, and each error's path and code.
        let comparable = |response: &Value| {
            let errors: Vec<Value> = response["errors"].as_array().into_iter().flatten().map(|e| json!([e["path"], e["extensions"]["code"]])).collect();
            json!({"data": response.get("data"), "errors": errors})
        };
        fuzz("insert rows in place", Some(ROWS_IN_PLACE_ANSWERED_FLOOR), (prop::sample::select(DOCUMENTS), insert_rows()), |(query, rows), tally| {
            // Both ways start from the jsonb a SQL caller sends: the ordinary one reads
            // it as pgrx's JsonB did (its text parsed into a tree).
            let run = |in_place: bool| {
                let (q, variables) = (query.to_string(), json!({ "rows": rows }));
                guarded(move || {
                    let datum = pgrx::JsonB(variables).into_datum().expect("a jsonb datum");
                    if in_place {
                        // SAFETY: a jsonb datum made just now in this memory context.
                        let arg = unsafe { <crate::jsonb::JsonbArg as pgrx::FromDatum>::from_datum(datum, false) }.expect("not null");
                        crate::execute::resolve(&q, crate::query::request::Variables::Jsonb(&arg), None).into_value()
                    } else {
                        // SAFETY: as above.
                        let tree = unsafe { <pgrx::JsonB as pgrx::FromDatum>::from_datum(datum, false) }.expect("not null").0;
                        crate::execute::resolve(&q, &tree, None).into_value()
                    }
                })
            };
            let [ordinary, in_place] = [false, true].map(|way| match run(way) {
                Outcome::Done(response) => Ok(response),
                Outcome::SqlError(m) => Err(format!("resolve (in place: {way}) raised an SQL ERROR: {m}")),
                Outcome::Panic(m) => Err(format!("resolve (in place: {way}) panicked: {m}")),
            });
            let (ordinary, in_place) = (ordinary?, in_place?);
            if check_response(&ordinary)? {
                tally.refused(first_message(&ordinary));
            } else {
                tally.answers += 1;
            }
            if comparable(&ordinary) != comparable(&in_place) {
                return Err(format!("rows in place answered\n{in_place}\nthe ordinary way\n{ordinary}"));
            }
            Ok(())
        });
    }

    /// Two roles read the fuzz tables: `fz_reader` under Hasura select permissions
    /// (rows of its own user's posts and of happy users; no `body`, no `uid`), and
    /// `fz_oracle` under Postgres' own means saying the same (row-level security
    /// policies, column privileges), with permissions that restrict nothing. Postgres
    /// is the independent reference.
    fn setup_permissions() {
        Spi::run(
            r#"create role fz_reader nologin;
               create role fz_oracle nologin;
               grant usage on schema public to fz_reader, fz_oracle;
               grant select on public.fz_user, public.fz_post, public.fz_view to fz_reader;
               grant select on public.fz_view to fz_oracle;
               grant select (id, user_id, title, big, at) on public.fz_post to fz_oracle;
               grant select (id, name, mood, tags, meta, score, born, "weird col") on public.fz_user to fz_oracle;
               alter table public.fz_user enable row level security;
               alter table public.fz_post enable row level security;
               create policy fz_reader_all_users on public.fz_user to fz_reader using (true);
               create policy fz_reader_all_posts on public.fz_post to fz_reader using (true);
               create policy fz_oracle_users on public.fz_user to fz_oracle using (mood = 'happy');
               create policy fz_oracle_posts on public.fz_post to fz_oracle
                 using (user_id = (current_setting('request.jwt.claims')::jsonb ->> 'x-hasura-user-id')::int);"#,
        )
        .unwrap();
        fresh_snapshot();
        let body = json!({"type": "bulk", "args": [
            {"type": "pg_track_table", "args": {"table": "fz_user"}},
            {"type": "pg_create_select_permission", "args": {"table": "fz_post", "role": "fz_reader", "permission": {
                "columns": ["id", "user_id", "title", "big", "at"],
                "filter": {"user_id": {"_eq": "X-Hasura-User-Id"}}, "allow_aggregations": true}}},
            {"type": "pg_create_select_permission", "args": {"table": "fz_user", "role": "fz_reader", "permission": {
                "columns": ["id", "name", "mood", "tags", "meta", "score", "born", "weird col"],
                "filter": {"mood": {"_eq": "happy"}}, "allow_aggregations": true}}},
            {"type": "pg_create_select_permission", "args": {"table": "fz_post", "role": "fz_oracle",
                "permission": {"columns": "*", "filter": {}, "allow_aggregations": true}}},
            {"type": "pg_create_select_permission", "args": {"table": "fz_user", "role": "fz_oracle",
                "permission": {"columns": "*", "filter": {}, "allow_aggregations": true}}}
        ]});
        crate::metadata::api::handle(&body).unwrap();
        fresh_snapshot();
    }

    /// The response to `query` as `role`, in the test's transaction.
    fn resolve_as(role: &str, query: &str, variables: &Value) -> Outcome<Value> {
        Spi::run(&format!("set local role {role}")).unwrap();
        let (q, v) = (query.to_string(), variables.clone());
        let outcome = guarded(move || crate::execute::resolve(&q, &v, None).into_value());
        Spi::run("reset role").unwrap();
        outcome
    }

    /// Every document the restricted role gets an answer to (no error at all) is
    /// answered exactly as the oracle answers it: no row its filter excludes (through a
    /// relationship, an aggregate, ordering or a filter), none missing, and no column
    /// outside its permission (the oracle refuses a document naming one).
    #[pg_test]
    fn fuzz_permissions() {
        assert!(setup(), "fuzz schema set-up");
        setup_permissions();
        let user = prop_oneof![(0..22u32).prop_map(|u| u.to_string()), Just("abc".to_string())];
        fuzz("permissions", Some(PERMISSIONS_COMPARED_FLOOR), (typed_document(), typed_variables(), user), |(query, vars, user), tally| {
            Spi::run(&format!("set local request.jwt.claims = '{{\"x-hasura-user-id\": \"{user}\"}}'")).unwrap();
            let restricted = match resolve_as("fz_reader", query, vars) {
                Outcome::Done(response) => response,
                Outcome::SqlError(m) => return Err(format!("resolve raised an SQL ERROR: {m}")),
                Outcome::Panic(m) => return Err(format!("resolve panicked: {m}")),
            };
            let has_errors = check_response(&restricted)?;
            if has_errors {
                tally.refused(first_message(&restricted));
                return Ok(());
            }
            let oracle = match resolve_as("fz_oracle", query, vars) {
                Outcome::Done(response) => response,
                other => return Err(format!("the oracle failed: {}", matches!(other, Outcome::Panic(_)))),
            };
            if restricted != oracle {
                return Err(format!("restricted role: {restricted}\nRLS oracle:      {oracle}"));
            }
            tally.answers += 1;
            Ok(())
        });
    }

    fn metadata_body() -> BoxedStrategy<Value> {
        let table = prop_oneof![
            pick(&["fz_user", "fz_post", "fz_view", "nope"]).prop_map(Value::String),
            (pick(&["public", "graphql", "pg_catalog", "nope"]), pick(&["fz_user", "fz_post", "metadata_document"]))
                .prop_map(|(s, n)| json!({"schema": s, "name": n})),
            nasty_or_random_string().prop_map(Value::String),
            json_value(),
        ];
        let name = prop_oneof![pick(&["r", "user", "fz_post", "id", "fake", "__r"]), nasty_or_random_string()];
        let url = prop_oneof![
            Just("http://127.0.0.1:9/graphql".to_string()),
            Just("not a url".to_string()),
            Just("ftp://127.0.0.1:9/".to_string()),
            Just("http://[::1:9/".to_string()),
            // A source's URL: postgres_fdw is set up, then the import fails (closed port).
            Just("postgres://postgres@127.0.0.1:9/nodb".to_string()),
            nasty_or_random_string(),
        ];
        let column = prop_oneof![pick(&["id", "user_id", "name", "nope", "weird col"]), nasty_or_random_string()].boxed();
        let typed = (
            prop::sample::select(&[
                "pg_track_table", "pg_untrack_table", "pg_set_table_customization", "pg_create_object_relationship",
                "pg_create_array_relationship", "pg_drop_relationship", "pg_rename_relationship",
                "pg_create_remote_relationship", "pg_update_remote_relationship", "pg_delete_remote_relationship",
                "add_remote_schema", "update_remote_schema", "remove_remote_schema", "reload_remote_schema",
                "introspect_remote_schema", "export_metadata", "replace_metadata", "clear_metadata",
                "reload_metadata", "get_inconsistent_metadata", "drop_inconsistent_metadata", "bulk", "nope",
                "create_remote_schema_remote_relationship", "update_remote_schema_remote_relationship",
                "delete_remote_schema_remote_relationship", "create_action", "update_action", "drop_action",
                "set_custom_types", "pg_add_source", "pg_drop_source",
            ][..]),
            table,
            name,
            url,
            column.clone(),
            column,
            json_value(),
            0..10u8,
        )
            .prop_map(|(kind, table, name, url, c1, c2, extra, shape)| {
                let args = match shape {
                    0 => json!({"table": table, "name": name, "using": {"foreign_key_constraint_on": c1}}),
                    1 => json!({"table": table, "name": name, "using": {"manual_configuration": {
                        "remote_table": table, "column_mapping": {c1: c2}}}}),
                    2 => json!({"name": name, "definition": {"url": url, "timeout_seconds": 1,
                        "headers": [{"name": c1, "value": c2}], "customization": extra}}),
                    3 => json!({"table": table, "name": name, "definition": {"to_remote_schema": {
                        "remote_schema": "fake", "lhs_fields": [c1], "remote_field": {"fz_user_by_pk": {"arguments": {"id": format!("${c2}")}}}}}}),
                    4 => json!({"table": table, "configuration": {"custom_name": name, "custom_root_fields": {"select": c1},
                        "column_config": {c2: {"custom_name": name}}}, "new_name": name}),
                    // Remote type -> table (the fake remote's types are ours, prefixed F_).
                    5 => json!({"remote_schema": "fake", "type_name": "F_fz_user", "name": name, "definition": {"to_source": {
                        "source": "default", "table": table, "relationship_type": "object", "field_mapping": {c1: c2}}}}),
                    6 => json!({"name": name, "definition": {"type": "query", "handler": url,
                        "arguments": [{"name": c1, "type": "Int!"}], "output_type": c2}}),
                    7 => json!({"objects": [{"name": name, "fields": [{"name": c1, "type": "Int"}],
                        "relationships": [{"name": c2, "type": "object", "remote_table": table, "field_mapping": {c1.clone(): c1}}]}]}),
                    8 => json!({"name": name, "configuration": {"connection_info": {"database_url": url}}}),
                    _ => extra,
                };
                if kind == "bulk" {
                    json!({"type": "bulk", "args": [{"type": "pg_track_table", "args": args}, {"type": "export_metadata", "args": {}}]})
                } else {
                    json!({"type": kind, "args": args})
                }
            });
        prop_oneof![4 => typed, 1 => json_value()].boxed()
    }

    /// Whether a string anywhere in `value` (object keys included) holds a NUL.
    fn has_nul(value: &Value) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }

    /// The refusal every body holding a NUL must get, whatever else is wrong with it:
    /// a metadata error that says so and names the field, never a raw SQL ERROR.
    fn check_nul_refusal(body: &Value, result: &Result<Value, crate::error::MetadataError>) -> Result<(), String> {
        const NAMED: &str = "contains the NUL character (\\u0000), which PostgreSQL cannot store";
        match result {
            Err(e) if e.message.contains(NAMED) => Ok(()),
            Err(e) => Err(format!("a body with a NUL got another error: {body}: {}", e.message)),
            Ok(v) => Err(format!("a body with a NUL was accepted: {body}: {v}")),
        }
    }

    /// One metadata body through the entry point: an answer or a metadata error (NULs
    /// refused by name), and the schema still builds and answers afterwards.
    fn check_metadata_body(body: &Value, tally: &mut Tally) -> Result<(), String> {
        let b = body.clone();
        match guarded(move || {
            let result = crate::metadata::api::handle(&b);
            // The schema must still build and answer after whatever the body did.
            let after = crate::execute::resolve("{ fz_user(limit: 1) { id } __typename }", &Value::Null, None).into_value();
            (result, after)
        }) {
            Outcome::Done((result, after)) => {
                if has_nul(body) {
                    check_nul_refusal(body, &result)?;
                }
                match result {
                    Ok(_) => tally.answers += 1,
                    Err(e) if e.message.is_empty() => return Err("a metadata error without a message".into()),
                    Err(e) => tally.refused(&e.message),
                }
                check_response(&after).map(|_| ())
            }
            // A bad body is a metadata error with its reason; Postgres' own ERROR (a
            // NUL reaching a text parameter was one) means a check is missing.
            Outcome::SqlError(message) => {
                tally.sql_errors += 1;
                Err(format!("metadata raised an SQL ERROR on {body}: {message}"))
            }
            Outcome::Panic(message) => Err(format!("metadata panicked on {body}: {message}")),
        }
    }

    #[pg_test]
    fn fuzz_metadata_bodies() {
        assert!(setup(), "fuzz schema set-up");
        // Mostly malformed bodies by design: no floor.
        fuzz("metadata bodies", None, metadata_body(), check_metadata_body);
    }

    // ---------------------------------------------------------------- hostile cases

    fn errors_of(response: &Value) -> Vec<String> {
        response["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["message"].as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    fn timed_resolve(query: &str) -> (Value, Duration) {
        let t0 = Instant::now();
        let q = query.to_string();
        match guarded(move || crate::execute::resolve(&q, &Value::Null, None).into_value()) {
            Outcome::Done(v) => (v, t0.elapsed()),
            Outcome::SqlError(m) => panic!("resolve raised an SQL ERROR: {m}"),
            Outcome::Panic(m) => panic!("resolve panicked: {m}"),
        }
    }

    #[pg_test]
    fn fuzz_hostile_deep_nesting() {
        assert!(setup());
        // Past the limit by one: refused, with the path down to the first field too deep.
        Spi::run("set local graphql.max_query_depth = 5").unwrap();
        let (out, _) = timed_resolve("{ fz_post { user { fz_post { user { fz_post { id } } } } } }");
        assert!(out.get("data").is_none(), "{out}");
        assert_eq!(out["errors"][0]["path"], json!(["fz_post", "user", "fz_post", "user", "fz_post", "id"]), "{out}");
        assert_eq!(out["errors"][0]["extensions"]["code"], "validation-failed");
        // At the limit: answered.
        let (out, _) = timed_resolve("{ fz_post(limit: 1) { user { fz_post(limit: 1) { user { id } } } } }");
        assert!(out.get("errors").is_none(), "{out}");
        // Through fragments, the depth is the depth once inlined.
        let (out, _) = timed_resolve(
            "{ fz_post { ...A } } fragment A on fz_post { user { ...B } } fragment B on fz_user { fz_post { user { fz_post { id } } } }",
        );
        assert!(errors_of(&out)[0].contains("max_query_depth"), "{out}");
        Spi::run("reset graphql.max_query_depth").unwrap();
        // Far deeper than any limit, and than the parser's own: an error, quickly, no crash.
        for depth in [100usize, 1_000, 100_000] {
            let query = format!("{}{}", "{ fz_post { user ".repeat(depth), "}".repeat(2 * depth));
            let (out, spent) = timed_resolve(&query);
            assert!(!errors_of(&out).is_empty(), "depth {depth}: {out}");
            assert!(spent < Duration::from_secs(5), "depth {depth} took {spent:?}");
        }
        // A long chain of fragments, each adding one level.
        let mut doc = String::from("{ fz_post { ...F0 } }");
        for i in 0..5_000 {
            let next = if i % 2 == 0 { format!("user {{ ...F{} }}", i + 1) } else { format!("fz_post {{ ...F{} }}", i + 1) };
            let on = if i % 2 == 0 { "fz_post" } else { "fz_user" };
            doc.push_str(&format!(" fragment F{i} on {on} {{ id {next} }}"));
        }
        doc.push_str(" fragment F5000 on fz_post { id }");
        let (out, spent) = timed_resolve(&doc);
        assert!(!errors_of(&out).is_empty(), "{out}");
        assert!(spent < Duration::from_secs(10), "fragment chain took {spent:?}");
    }

    #[pg_test]
    fn fuzz_hostile_fan_out_and_fragments() {
        assert!(setup());
        // Thousands of aliases: within graphql.max_query_fields they are answered ...
        let aliases: Vec<String> = (0..2_000).map(|i| format!("a{i}: __typename")).collect();
        let (out, spent) = timed_resolve(&format!("{{ {} }}", aliases.join(" ")));
        assert!(out.get("errors").is_none(), "{out}");
        assert_eq!(out["data"]["a1999"], "query_root");
        assert!(spent < Duration::from_secs(10), "{spent:?}");
        // ... beyond it, refused before any work.
        let aliases: Vec<String> = (0..20_000).map(|i| format!("a{i}: fz_user {{ id }}")).collect();
        let (out, spent) = timed_resolve(&format!("{{ {} }}", aliases.join(" ")));
        assert!(errors_of(&out).iter().any(|m| m.contains("max_query_fields")), "{out}");
        assert!(spent < Duration::from_secs(10), "{spent:?}");
        // Fragments that double at every step: 2^40 fields once inlined, refused at once.
        let mut doc = String::from("{ fz_user { ...F0 } }");
        for i in 0..40 {
            doc.push_str(&format!(" fragment F{i} on fz_user {{ a: fz_post {{ user {{ ...F{n} }} }} b: fz_post {{ user {{ ...F{n} }} }} }}", n = i + 1));
        }
        doc.push_str(" fragment F40 on fz_user { id }");
        Spi::run("set local graphql.max_query_depth = 0").unwrap();
        let (out, spent) = timed_resolve(&doc);
        assert!(errors_of(&out).iter().any(|m| m.contains("max_query_fields")), "{out}");
        assert!(spent < Duration::from_secs(5), "{spent:?}");
        Spi::run("reset graphql.max_query_depth").unwrap();
        // The same fragment spread many times in one selection set is expanded once.
        let mut doc = String::from("{ fz_user(limit: 1) { ...G0 } }");
        for i in 0..20 {
            doc.push_str(&format!(" fragment G{i} on fz_user {{ id ...G{n} ...G{n} }}", n = i + 1));
        }
        doc.push_str(" fragment G20 on fz_user { name }");
        let (out, spent) = timed_resolve(&doc);
        assert!(out.get("errors").is_none(), "{out}");
        assert_eq!(out["data"]["fz_user"][0], json!({"id": 1, "name": "user 1"}));
        assert!(spent < Duration::from_secs(5), "repeated spreads took {spent:?}");
        // Recursive fragments: a validation error, no loop.
        let (out, spent) = timed_resolve(
            "{ fz_user { ...A } } fragment A on fz_user { fz_post { ...B } } fragment B on fz_post { user { ...A } }",
        );
        assert!(!errors_of(&out).is_empty(), "{out}");
        assert!(spent < Duration::from_secs(5));
        let (out, _) = timed_resolve("{ fz_user { ...A } } fragment A on fz_user { ...A }");
        assert!(!errors_of(&out).is_empty(), "{out}");
    }

    #[pg_test]
    fn fuzz_hostile_injection_everywhere() {
        assert!(setup());
        let before: i64 = Spi::get_one("select count(*) from public.fz_user").unwrap().unwrap();
        for nasty in NASTY {
            let literal = Value::String(nasty.to_string()).to_string();
            let queries = [
                format!("{{ fz_user(where: {{name: {{_eq: {literal}}}}}) {{ id }} }}"),
                format!("{{ fz_user(where: {{name: {{_like: {literal}}}, meta: {{_has_key: {literal}}}}}) {{ id }} }}"),
                format!("{{ fz_user(where: {{name: {{_regex: {literal}}}}}) {{ id }} }}"),
                format!("{{ fz_user(where: {{tags: {{_contains: [{literal}]}}}}) {{ id }} }}"),
                format!("{{ fz_user_by_pk(id: {literal}) {{ id }} }}"),
                format!("{{ __type(name: {literal}) {{ name }} }}"),
                format!("{{ fz_user(order_by: {{name: {literal}}}) {{ id }} }}"),
                format!("{{ fake {{ fz_user(where: {{name: {{_eq: {literal}}}}}) {{ id }} }} }}"),
            ];
            for query in &queries {
                for vars in [json!({}), json!({"v": nasty})] {
                    let mut tally = Tally::default();
                    run_resolve(query, &vars, Some(*nasty), &mut tally).unwrap_or_else(|e| panic!("{query}: {e}"));
                }
            }
            let typed = "query ($v: String, $j: jsonb) { fz_user(where: {_or: [{name: {_eq: $v}}, {meta: {_contains: $j}}]}) { id } }";
            let mut tally = Tally::default();
            run_resolve(typed, &json!({"v": nasty, "j": {nasty.to_string(): nasty}}), None, &mut tally).unwrap();
            // Metadata: as table, column, relationship and custom names.
            for body in [
                json!({"type": "pg_track_table", "args": {"table": {"schema": "public", "name": nasty}}}),
                json!({"type": "pg_track_table", "args": {"table": {"schema": nasty, "name": "fz_user"}}}),
                json!({"type": "pg_create_object_relationship", "args": {"table": "fz_post", "name": nasty,
                    "using": {"foreign_key_constraint_on": nasty}}}),
                json!({"type": "pg_create_array_relationship", "args": {"table": "fz_user", "name": "r",
                    "using": {"manual_configuration": {"remote_table": nasty, "column_mapping": {"id": nasty}}}}}),
                json!({"type": "pg_set_table_customization", "args": {"table": "fz_user",
                    "configuration": {"custom_name": nasty, "column_config": {"name": {"custom_name": nasty}}}}}),
                json!({"type": "pg_create_remote_relationship", "args": {"table": "fz_post", "name": "x",
                    "definition": {"to_remote_schema": {"remote_schema": nasty, "lhs_fields": [nasty],
                                   "remote_field": {nasty.to_string(): {"arguments": {"id": format!("${nasty}")}}}}}}}),
                json!({"type": "add_remote_schema", "args": {"name": nasty, "definition": {"url": nasty}}}),
            ] {
                let mut tally = Tally::default();
                check_metadata_body(&body, &mut tally).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let after: i64 = Spi::get_one("select count(*) from public.fz_user").unwrap().unwrap();
        assert_eq!(before, after);
        assert!(Spi::get_one::<bool>("select to_regclass('public.fz_user') is not null").unwrap().unwrap());
    }
}
