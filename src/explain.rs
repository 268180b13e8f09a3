//! `graphql.explain`: the plan of a document as a DBA reads it. Without `analyze`, the
//! plan made before anything runs: the root level's statements (text, parameters and
//! Postgres' EXPLAIN), its requests (where, the document, its variables), and the join
//! tree below (what each join joins to, where its key is, how it batches, and the joins
//! below it, every level planned before the first runs). With `analyze`, the document runs (in
//! a subtransaction rolled back afterwards, so a mutation writes nothing to this
//! database; one that would call a remote mutation or an action is refused, since those
//! cannot be rolled back) under a trace (`crate::trace`): every level as it ran, each
//! statement with its time and EXPLAIN ANALYZE, each request with its keys, bytes and
//! time, and which ran concurrently. Remote URLs are shown only to a role that may
//! change metadata (they may come from the server's environment).

use serde_json::{json, Map, Value};

use crate::error::GraphqlError;
use crate::execute;
use crate::http;
use crate::plan::mutation::{Write, WriteStep};
use crate::plan::operation::{MutationStep, Outbound, QueryPlan, Step};
use crate::plan::joins::KeyAt;
use crate::plan::{Join, Statement};
use crate::schema::join_field::JoinField;
use crate::schema::remote_join::BatchAnswers;
use crate::spi;

const CONCURRENCY: &str = "a level's requests are sent together, on worker threads, before its statements run; \
                           the statements run on the backend while the requests are under way; the next level \
                           starts when every answer is in";

pub fn explain(query: &str, variables: &Value, operation_name: Option<&str>, analyze: bool) -> Value {
    if analyze {
        analyzed(query, variables, operation_name)
    } else {
        planned(query, variables, operation_name)
    }
}

/// The plan, nothing run.
fn planned(query: &str, variables: &Value, operation_name: Option<&str>) -> Value {
    let result = execute::with_context(query, variables, operation_name, |context, root_fields, is_mutation| {
        let mut root = Level::default();
        let mut joins: Vec<Join> = Vec::new();
        let mut notes = Vec::new();
        if is_mutation {
            for (key, step) in crate::plan::operation::plan_mutation(context, root_fields, query) {
                match step {
                    MutationStep::Table(Ok(write)) => {
                        for write in write.writes {
                            match write {
                                Write::Answered(statement) => root.statement(&key, &statement, true),
                                Write::Shaped { write, shape, .. } => {
                                    match write {
                                        WriteStep::Statement(statement) => root.statement(&key, &statement, true),
                                        WriteStep::Rows(rows) => notes.push(format!(
                                            "{key}: a nested insert, one statement per row ({} rows at the top)",
                                            rows.len()
                                        )),
                                    }
                                    joins.extend(shape.joins.iter().cloned());
                                    root.statement(&key, &shape, false);
                                }
                            }
                        }
                    }
                    MutationStep::Function(Ok(statement)) => {
                        joins.extend(statement.joins.iter().cloned());
                        root.statement(&key, &statement, true);
                    }
                    MutationStep::Remote(Ok((call, request))) => root.request(&format!("remote schema \"{}\"", call.remote), &request),
                    MutationStep::Action(Ok((call, request))) => root.request(&format!("action \"{}\"", call.action), &request),
                    MutationStep::Table(Err(e))
                    | MutationStep::Function(Err(e))
                    | MutationStep::Remote(Err(e))
                    | MutationStep::Action(Err(e)) => root.errors.push(e.to_json()),
                    MutationStep::Typename | MutationStep::Unknown => {}
                }
            }
            notes.push("the root fields run one after another, in document order, as one unit".into());
        } else {
            match crate::plan::operation::plan_query(context, root_fields, query) {
                QueryPlan::Tables(statement) => {
                    joins = statement.joins.clone();
                    root.statement("every root field", &statement, false);
                }
                QueryPlan::Fields(plan) => {
                    for (key, step) in plan.steps {
                        match step {
                            Step::Table { statement: Ok(statement), .. } => {
                                joins.extend(statement.joins.iter().cloned());
                                root.statement(&key, &statement, false);
                            }
                            Step::Table { statement: Err(e), .. } | Step::Unknown(e) => root.errors.push(e.to_json()),
                            Step::Introspection => notes.push(format!("{key}: answered from the schema, no SQL")),
                            Step::Typename | Step::Outbound => {}
                        }
                    }
                    for (outbound, request) in &plan.outbound {
                        let target = match outbound {
                            Outbound::RemoteRoot(call) => format!("remote schema \"{}\"", call.remote),
                            Outbound::Action(call) => format!("action \"{}\"", call.action),
                        };
                        root.request(&target, request);
                    }
                    for (key, error) in plan.failed {
                        root.errors.push(json!({"field": key, "error": error.to_json()}));
                    }
                    for (key, fields) in &plan.remote_roots {
                        joins.extend(crate::plan::joins::in_remote_selection(context, fields, std::slice::from_ref(key)));
                    }
                }
            }
        }
        let joins: Vec<Value> = crate::plan::joins::complete(context, joins).iter().map(|j| describe_join(j, context)).collect();
        Ok(json!({
            "operation": if is_mutation { "mutation" } else { "query" },
            "analyze": false,
            "levels": [root.into_json(0)],
            "joins": joins,
            "concurrency": CONCURRENCY,
            "notes": notes,
        }))
    });
    result.unwrap_or_else(refused)
}

/// The document run under a trace, then rolled back.
fn analyzed(query: &str, variables: &Value, operation_name: Option<&str>) -> Value {
    // A document that does not validate is answered as the plan would be: its errors.
    // A mutation that would call a remote or an action handler is not run: those calls
    // cannot be rolled back.
    let outside = execute::with_context(query, variables, operation_name, |context, root_fields, is_mutation| {
        let steps = if is_mutation { crate::plan::operation::plan_mutation(context, root_fields, query) } else { Vec::new() };
        let outside: Vec<String> = steps
            .iter()
            .filter(|(_, step)| matches!(step, MutationStep::Remote(Ok(_)) | MutationStep::Action(Ok(_))))
            .map(|(key, _)| key.clone())
            .collect();
        Ok((is_mutation, outside))
    });
    let is_mutation = match outside {
        Ok((_, outside)) if !outside.is_empty() => {
            return json!({"analyze": true, "errors": [{"message": format!(
                "analyze would call a remote mutation or an action handler for real ({}); explain it without analyze",
                outside.join(", "))}]});
        }
        Ok((is_mutation, _)) => is_mutation,
        Err(errors) => return refused(errors),
    };
    let show_urls = crate::metadata::store::may_change();
    let query = query.to_string();
    let variables = variables.clone();
    let operation_name = operation_name.map(str::to_string);
    let outcome = spi::rolled_back(move || {
        let _tracing = crate::trace::start();
        let started = std::time::Instant::now();
        let response = execute::resolve(&query, &variables, operation_name.as_deref());
        let total_ms = started.elapsed().as_secs_f64() * 1000.0;
        let trace = crate::trace::finish();
        // Converted here: the answer lives in memory of this call.
        let response = response.into_value();
        let mut levels: Vec<(usize, Level)> = Vec::new();
        if let Some(trace) = trace {
            for event in trace.statements {
                let i = level_of(event.level, &mut levels);
                // A read runs again under EXPLAIN ANALYZE; a write would write twice.
                let explained = spi::explain_json(&event.sql, &event.params, !event.writes);
                levels[i].1.statements.push(json!({
                    "sql": event.sql,
                    "parameters": event.params,
                    "start_ms": round(event.start_ms),
                    "ms": round(event.ms),
                    "while_batches_under_way": event.during_batches,
                    "explain": explained.unwrap_or_else(|e| json!({"error": e.message})),
                    "explain_analyzed": !event.writes,
                }));
            }
            for event in trace.requests {
                let i = level_of(event.level, &mut levels);
                levels[i].1.requests.push(json!({
                    "batch": event.batch,
                    "url": shown_url(&event.url, show_urls),
                    "query": event.body.get("query").cloned().unwrap_or(Value::Null),
                    "variables": event.body.get("variables").cloned().unwrap_or(Value::Null),
                    "keys": event.keys,
                    "bytes_sent": event.bytes_sent,
                    "bytes_received": event.bytes_received,
                    "start_ms": round(event.start_ms),
                    "ms": event.ms.map(round),
                    "error": event.failure,
                }));
            }
        }
        levels.sort_by_key(|(level, _)| *level);
        json!({
            "operation": if is_mutation { "mutation" } else { "query" },
            "analyze": true,
            "total_ms": round(total_ms),
            "levels": levels.into_iter().map(|(level, l)| l.into_json(level)).collect::<Vec<_>>(),
            "concurrency": CONCURRENCY,
            "response": response,
            "notes": ["the document ran in a subtransaction that was rolled back: nothing it wrote in this database remains; \
                       each read statement ran once more for its EXPLAIN ANALYZE (a VOLATILE function it calls ran twice)"],
        })
    });
    outcome.unwrap_or_else(|e| json!({"analyze": true, "error": e.message}))
}

/// The index in `levels` of `level`, added when new.
fn level_of(level: usize, levels: &mut Vec<(usize, Level)>) -> usize {
    match levels.iter().position(|(l, _)| *l == level) {
        Some(i) => i,
        None => {
            levels.push((level, Level::default()));
            levels.len() - 1
        }
    }
}

/// One level of the plan.
#[derive(Default)]
struct Level {
    statements: Vec<Value>,
    requests: Vec<Value>,
    errors: Vec<Value>,
}

impl Level {
    fn statement(&mut self, serves: &str, statement: &Statement, writes: bool) {
        let explained = spi::explain_json(&statement.sql, &statement.params, false);
        self.statements.push(json!({
            "for": serves,
            "writes": writes,
            "sql": statement.sql,
            "parameters": statement.params,
            "explain": explained.unwrap_or_else(|e| json!({"error": e.message})),
        }));
    }

    fn request(&mut self, target: &str, request: &http::Request) {
        self.requests.push(json!({
            "to": target,
            "url": shown_url(&request.url, crate::metadata::store::may_change()),
            "query": request.body.get("query").cloned().unwrap_or(Value::Null),
            "variables": request.body.get("variables").cloned().unwrap_or(Value::Null),
            "timeout_s": request.timeout.as_secs_f64(),
        }));
    }

    fn into_json(self, level: usize) -> Value {
        let mut out = Map::new();
        out.insert("level".into(), json!(level));
        out.insert("statements".into(), Value::Array(self.statements));
        out.insert("requests".into(), Value::Array(self.requests));
        if !self.errors.is_empty() {
            out.insert("errors".into(), Value::Array(self.errors));
        }
        Value::Object(out)
    }
}

/// A join edge: the field, what it joins to and how it batches.
fn describe_join(join: &Join, context: &crate::plan::Context) -> Value {
    let composed = context.composed;
    let (to, how) = match &join.relationship {
        JoinField::Remote(relationship) => {
            let remote = composed.remotes.get(relationship.remote).map(|r| r.name.as_str()).unwrap_or("?");
            let field: Vec<&str> = relationship.path.iter().map(|step| step.field.as_str()).collect();
            let chunks = crate::settings::remote_batch_size();
            let how = match &relationship.batch {
                Some(batch) if join.field.arguments.is_empty() => {
                    let matched = match &batch.answers {
                        BatchAnswers::ByKeyField => format!("matched back by {}", batch.key_field),
                        BatchAnswers::InOrder { type_name, .. } => {
                            format!("one {type_name} representation by {} per key, answers matched back in order", batch.key_field)
                        }
                    };
                    format!(
                        "one request per relationship and level, ONE field {}({}: [every distinct key]) {matched} \
                         (chunks of {chunks} keys, sent concurrently)",
                        batch.field, batch.argument
                    )
                }
                _ => format!(
                    "one request per relationship and level, one aliased field per distinct key (chunks of {chunks} keys, sent concurrently)"
                ),
            };
            (format!("remote schema \"{remote}\", field {}", field.join(".")), how)
        }
        JoinField::Table(table_join) => {
            let table = composed.model.tables.get(table_join.table).map(|t| format!("{}.{}", t.schema, t.name)).unwrap_or_default();
            (format!("table {table}"), "one statement per relationship and level over the distinct keys".to_string())
        }
    };
    let lhs: Vec<&str> = match &join.relationship {
        JoinField::Remote(r) => r.lhs.iter().map(|(name, _)| name.as_str()).collect(),
        JoinField::Table(t) => t.lhs.iter().map(|(name, _)| name.as_str()).collect(),
    };
    let keys_at = match &join.key_at {
        KeyAt::HiddenKey => json!("the parent's hidden key"),
        KeyAt::Phantom(fields) => json!({"phantom_fields": fields}),
    };
    let below: Vec<Value> = join.below.iter().map(|j| describe_join(j, context)).collect();
    json!({"field": join.path.join("."), "to": to, "keys": lhs, "keys_at": keys_at, "how": how, "below": below})
}

/// A remote URL, or a note that it is hidden: a URL may come from the server's
/// environment (`url_from_env`, `{{ENV}}`), which only a metadata admin sees.
fn shown_url(url: &str, show: bool) -> Value {
    if show {
        json!(url)
    } else {
        json!("(hidden: only a role that may change metadata sees remote URLs)")
    }
}

fn refused(errors: Vec<GraphqlError>) -> Value {
    json!({"errors": errors.iter().map(GraphqlError::to_json).collect::<Vec<_>>()})
}

fn round(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}
