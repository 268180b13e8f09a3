//! Remote root fields: the client's remote fields of a level go to each remote schema
//! as ONE request, sent on worker threads while the tables' SQL runs.

use serde_json::{json, Map, Value};

use super::forward::RemoteDocument;
use crate::error::{path_segments, GraphqlError, PathSegment};
use crate::http;
use crate::metadata::connection::Connection;
use super::joins::Context;
use crate::spi;

pub mod code {
    /// The remote could not be reached or answered something unusable.
    pub const REMOTE_UNAVAILABLE: &str = "remote-unavailable";
    /// The remote answered GraphQL errors.
    pub const REMOTE_ERROR: &str = "remote-error";
}

/// One request to one remote, and where its answer goes.
pub struct RootCall {
    remote: String,
    /// (our response key, true when it is the remote's namespace field)
    keys: Vec<(String, bool)>,
    /// The client's fields of each key, to map `__typename` answers back.
    fields: Vec<Vec<apollo_compiler::Node<apollo_compiler::executable::Field>>>,
    renames: crate::schema::remote::TypeRenames,
}

/// Headers an HTTP front (PostgREST) put in the `request.headers` setting, minus
/// those that describe the hop rather than the client.
pub fn client_headers() -> Vec<(String, String)> {
    const HOP: &[&str] = &[
        "host", "content-length", "content-type", "connection", "keep-alive", "transfer-encoding",
        "upgrade", "accept-encoding", "te", "trailer", "proxy-authorization", "proxy-connection",
    ];
    let value = spi::catalog_json(
        "select coalesce(nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb, '{}'::jsonb)",
        &[],
    );
    value
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !HOP.contains(&k.to_ascii_lowercase().as_str()))
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds the HTTP request for a connection and a document. The call's session
/// variables travel as headers (`x-hasura-role`, `x-hasura-user-id`, …), as Hasura sends
/// them, over forwarded client headers; configured headers win over both.
pub fn http_request(
    connection: &Connection,
    forward_client_headers: bool,
    session: &Map<String, Value>,
    query: String,
    variables: Value,
) -> http::Request {
    let mut headers = Vec::new();
    if forward_client_headers {
        headers.extend(client_headers());
    }
    for (name, value) in session {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.as_str().unwrap_or_default().to_string()));
    }
    // Configured headers win over forwarded ones.
    for (name, value) in &connection.headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.clone()));
    }
    http::Request {
        url: connection.url.clone(),
        headers,
        body: json!({"query": query, "variables": variables}),
        timeout: connection.timeout,
        max_bytes: crate::settings::max_remote_response_bytes(),
    }
}

/// Plans the remote root fields of the operation: one request per remote schema.
/// Fields whose remote cannot be reached at all get their error right away.
pub fn plan_root_calls(
    context: &Context,
    errors: &mut Vec<GraphqlError>,
    data: &mut Map<String, Value>,
) -> Vec<(RootCall, http::Request)> {
    let (composed, request, collector, variables) = (context.composed, context.request, context.collector, context.variables);
    let grouped = collector.group_ast(&request.operation.selection_set, "query_root");
    let operation_variables: Vec<_> =
        request.operation.variables.iter().map(|v| (v.name.clone(), v.ty.clone())).collect();
    let mut calls = Vec::new();
    for (index, remote) in composed.remotes.iter().enumerate() {
        let mut document = RemoteDocument::new(Some(composed));
        let mut keys = Vec::new();
        let mut key_fields = Vec::new();
        for (key, fields) in &grouped {
            let Some(first) = fields.first() else { continue };
            if composed.remote_roots.get(first.name.as_str()) != Some(&index) {
                continue;
            }
            let namespace = remote.root_fields.get(first.name.as_str()).map(Option::is_none).unwrap_or(false);
            for field in fields {
                if namespace {
                    let inner = collector.group_ast(&field.selection_set, &remote.query_type);
                    for inner_field in inner.values().flatten() {
                        document.add_field(&request.document, inner_field, &remote.query_type, &remote.renames);
                    }
                } else {
                    document.add_field(&request.document, field, "query_root", &remote.renames);
                }
            }
            keys.push((key.clone(), namespace));
            key_fields.push(fields.iter().map(|f| (*f).clone()).collect());
        }
        if keys.is_empty() {
            continue;
        }
        let connection = match &composed.connections[index] {
            Ok(c) => c,
            Err(reason) => {
                for (key, _) in &keys {
                    data.insert(key.clone(), Value::Null);
                    errors.push(
                        GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {reason}", remote.name))
                            .at(&[PathSegment::Key(key.clone())]),
                    );
                }
                continue;
            }
        };
        let used = document.client_variables(variables);
        let text = document.text(&request.document, &operation_variables, &remote.renames);
        let request = http_request(
            connection,
            remote.definition.definition.forward_client_headers,
            context.session(),
            text,
            Value::Object(used),
        );
        calls.push((RootCall { remote: remote.name.clone(), keys, fields: key_fields, renames: remote.renames.clone() }, request));
    }
    calls
}

/// A remote's mutation field (a field of mutation_root): ONE `mutation { … }` request
/// to its remote, in document order; the answer and its errors go into `data` and
/// `errors`. Returns the (response key, client AST fields) to find the joins under it.
pub fn run_mutation_field(
    context: &Context,
    field: &crate::query::normalize::Field,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
) -> Vec<(String, Vec<apollo_compiler::Node<apollo_compiler::executable::Field>>)> {
    let (composed, request, collector, variables) = (context.composed, context.request, context.collector, context.variables);
    let response_key = field.response_key.as_str();
    let fields = &field.ast;
    let Some(&index) = composed.remote_mutation_roots.get(field.name.as_str()) else { return Vec::new() };
    let remote = &composed.remotes[index];
    let namespace = remote.mutation_fields.get(field.name.as_str()).is_some_and(Option::is_none);
    let mut document = RemoteDocument::new(Some(composed)).mutation();
    for ast in fields {
        match (&remote.mutation_type, namespace) {
            (Some(mutation_type), true) => {
                let inner = collector.group_ast(&ast.selection_set, mutation_type);
                for inner_field in inner.values().flatten() {
                    document.add_field(&request.document, inner_field, mutation_type, &remote.renames);
                }
            }
            _ => document.add_field(&request.document, ast, "mutation_root", &remote.renames),
        }
    }
    let connection = match &composed.connections[index] {
        Ok(c) => c,
        Err(reason) => {
            data.insert(response_key.to_string(), Value::Null);
            errors.push(
                GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {reason}", remote.name))
                    .at(&[PathSegment::Key(response_key.to_string())]),
            );
            return Vec::new();
        }
    };
    let operation_variables: Vec<_> = request.operation.variables.iter().map(|v| (v.name.clone(), v.ty.clone())).collect();
    let used = document.client_variables(variables);
    let text = document.text(&request.document, &operation_variables, &remote.renames);
    let key_fields = fields.clone();
    let call = RootCall {
        remote: remote.name.clone(),
        keys: vec![(response_key.to_string(), namespace)],
        fields: vec![key_fields.clone()],
        renames: remote.renames.clone(),
    };
    let mut batch = http::Batch::default();
    let forward = remote.definition.definition.forward_client_headers;
    batch.push(http_request(connection, forward, context.session(), text, Value::Object(used)), call);
    apply_root_results(&request.document, batch.start().wait(), data, errors);
    vec![(response_key.to_string(), key_fields)]
}

/// The error for a field the remote's data lacks (under `key`, its response key or
/// alias there), unless one of the remote's errors already explains it (one at that
/// key, or one without a path): a missing value is never a silent null.
pub fn missing_value(remote: &str, remote_errors: &[Value], key: &str, path: &[PathSegment]) -> Option<GraphqlError> {
    let explained =
        remote_errors.iter().any(|e| e.pointer("/path/0").and_then(Value::as_str).is_none_or(|first| first == key));
    (!explained).then(|| {
        GraphqlError::new(code::REMOTE_ERROR, format!("remote schema \"{remote}\": the answer has no value for this field"))
            .at(path)
    })
}

/// Each call's (response key, client AST fields), to find the joins under them.
pub fn root_fields<'c>(
    calls: impl Iterator<Item = &'c RootCall>,
) -> Vec<(String, Vec<apollo_compiler::Node<apollo_compiler::executable::Field>>)> {
    calls.flat_map(|call| call.keys.iter().zip(&call.fields).map(|((key, _), fields)| (key.clone(), fields.clone()))).collect()
}

/// The path of a remote error, as the client sees it.
fn remote_path(error: &Value, namespace: Option<&str>) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = namespace.map(|n| vec![PathSegment::Key(n.to_string())]).unwrap_or_default();
    path.extend(path_segments(error.get("path").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])));
    path
}

/// Splices the remote answers into `data` and `errors`.
pub fn apply_root_results(
    document: &apollo_compiler::ExecutableDocument,
    answers: Vec<(RootCall, Result<Value, http::Failure>)>,
    data: &mut Map<String, Value>,
    errors: &mut Vec<GraphqlError>,
) {
    for (call, result) in answers {
        match result {
            Err(failure) => {
                for (key, _) in &call.keys {
                    data.insert(key.clone(), Value::Null);
                    errors.push(
                        GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {failure}", call.remote))
                            .at(&[PathSegment::Key(key.clone())]),
                    );
                }
            }
            Ok(answer) => {
                let remote_data = answer.get("data").cloned().unwrap_or(Value::Null);
                let remote_errors = answer.get("errors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                let namespace = call.keys.iter().find(|(_, ns)| *ns).map(|(k, _)| k.as_str());
                for ((key, is_namespace), fields) in call.keys.iter().zip(&call.fields) {
                    let mut value = if *is_namespace {
                        remote_data.clone()
                    } else {
                        match remote_data.get(key) {
                            Some(value) => value.clone(),
                            None => {
                                if remote_data.is_object() {
                                    errors.extend(missing_value(&call.remote, remote_errors, key, &[PathSegment::Key(key.clone())]));
                                }
                                Value::Null
                            }
                        }
                    };
                    // A root field is never `__typename` itself: its selection is what to map.
                    for field in fields {
                        super::forward::rename_typenames(&mut value, &field.selection_set, document, &call.renames);
                    }
                    data.insert(key.clone(), value);
                }
                for error in answer.get("errors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                    let message = error.get("message").and_then(Value::as_str).unwrap_or("remote error");
                    let path = remote_path(error, namespace);
                    let path = if path.is_empty() {
                        call.keys.first().map(|(k, _)| vec![PathSegment::Key(k.clone())]).unwrap_or_default()
                    } else {
                        path
                    };
                    errors.push(
                        GraphqlError::new(code::REMOTE_ERROR, format!("remote schema \"{}\": {message}", call.remote)).at(&path),
                    );
                }
                if !answer.is_object() || (answer.get("data").is_none() && answer.get("errors").is_none()) {
                    for (key, _) in &call.keys {
                        errors.push(
                            GraphqlError::new(
                                code::REMOTE_UNAVAILABLE,
                                format!("remote schema \"{}\": the answer is not a GraphQL response", call.remote),
                            )
                            .at(&[PathSegment::Key(key.clone())]),
                        );
                    }
                }
            }
        }
    }
}
