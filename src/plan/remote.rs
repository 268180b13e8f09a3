//! Requests to remote schemas for root fields: the client's remote fields of a level
//! go to each remote schema as ONE request (a query), and each remote mutation field
//! as one `mutation`, with the call's session variables and the forwarded client
//! headers.

use serde_json::{Map, Value};

use super::forward::RemoteDocument;
use super::Context;
use crate::error::{code, GraphqlError, PathSegment};
use crate::http;
use crate::metadata::connection::Connection;
use crate::spi;

/// One request to one remote, and where its answer goes.
pub struct RootCall {
    pub(crate) remote: String,
    /// (our response key, true when it is the remote's namespace field)
    pub(crate) keys: Vec<(String, bool)>,
    /// The client's fields of each key, to map `__typename` answers back.
    pub(crate) fields: Vec<Vec<apollo_compiler::Node<apollo_compiler::executable::Field>>>,
    pub(crate) renames: crate::schema::remote::TypeRenames,
}

impl RootCall {
    /// Its (response key, client AST fields): where joins may sit in its answer.
    pub fn roots(&self) -> Vec<(String, Vec<apollo_compiler::Node<apollo_compiler::executable::Field>>)> {
        self.keys.iter().zip(&self.fields).map(|((key, _), fields)| (key.clone(), fields.clone())).collect()
    }
}

/// Headers an HTTP front (PostgREST) put in the `request.headers` setting, minus
/// those that describe the hop rather than the client, and minus `x-hasura-*`: those
/// are session variables, which come from the verified claims only (a client must not
/// be able to send its own).
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
                .filter(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    !HOP.contains(&k.as_str()) && !k.starts_with("x-hasura-")
                })
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
        // A variable that cannot be a header (a name that is not a token, a value with
        // other than visible ASCII) is not sent as one, rather than failing the request.
        let value = value.as_str().unwrap_or_default();
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if !name.chars().all(token) || !value.chars().all(|c| c == ' ' || c == '\t' || c.is_ascii_graphic()) {
            continue;
        }
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.to_string()));
    }
    // Configured headers win over forwarded ones.
    for (name, value) in &connection.headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.clone(), value.clone()));
    }
    http::Request {
        url: connection.url.clone(),
        headers,
        // Moved in: `json!` would copy the document and every variable.
        body: Value::Object(Map::from_iter([("query".to_string(), Value::String(query)), ("variables".to_string(), variables)])),
        timeout: connection.timeout,
        max_bytes: crate::settings::max_remote_response_bytes(),
        keys: None,
        text_answer: false,
    }
}

/// The error for a session variable a preset needs and the call lacks (Hasura's).
pub fn missing_session_variable(name: &str) -> GraphqlError {
    GraphqlError::new(code::NOT_FOUND, format!("missing session variable: \"{name}\""))
}

/// Plans the remote root fields of the operation: one request per remote schema.
/// Fields whose remote cannot be reached at all go to `unreachable` with their error.
pub fn plan_root_calls(context: &Context, unreachable: &mut Vec<(String, GraphqlError)>) -> Vec<(RootCall, http::Request)> {
    let (composed, request, collector, variables) = (context.composed, context.request, context.collector, context.variables);
    let grouped = collector.group_ast(&request.operation.selection_set, "query_root");
    let operation_variables: Vec<_> =
        request.operation.variables.iter().map(|v| (v.name.clone(), v.ty.clone())).collect();
    let mut calls = Vec::new();
    for (index, remote) in composed.remotes.iter().enumerate() {
        let mut document = RemoteDocument::new(Some(composed)).with_presets(remote, context.session());
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
                    let error = GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {reason}", remote.name))
                        .at(&[PathSegment::Key(key.clone())]);
                    unreachable.push((key.clone(), error));
                }
                continue;
            }
        };
        let text = document.text(&request.document, &operation_variables, &remote.renames);
        let used = document.client_variables(variables);
        if let Some(name) = document.missing_session_variable() {
            for (key, _) in &keys {
                unreachable.push((key.clone(), missing_session_variable(name).at(&[PathSegment::Key(key.clone())])));
            }
            continue;
        }
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

/// A remote's mutation field (a field of mutation_root): the ONE `mutation { … }`
/// request to its remote, or the error when the remote cannot be reached.
pub fn mutation_call(context: &Context, field: &crate::query::normalize::Field) -> Option<Result<(RootCall, http::Request), GraphqlError>> {
    let (composed, request, collector, variables) = (context.composed, context.request, context.collector, context.variables);
    let response_key = field.response_key.as_str();
    let fields = &field.ast;
    let &index = composed.remote_mutation_roots.get(field.name.as_str())?;
    let remote = &composed.remotes[index];
    let namespace = remote.mutation_fields.get(field.name.as_str()).is_some_and(Option::is_none);
    let mut document = RemoteDocument::new(Some(composed)).mutation().with_presets(remote, context.session());
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
            return Some(Err(GraphqlError::new(code::REMOTE_UNAVAILABLE, format!("remote schema \"{}\": {reason}", remote.name))
                .at(&[PathSegment::Key(response_key.to_string())])));
        }
    };
    let operation_variables: Vec<_> = request.operation.variables.iter().map(|v| (v.name.clone(), v.ty.clone())).collect();
    let text = document.text(&request.document, &operation_variables, &remote.renames);
    let used = document.client_variables(variables);
    if let Some(name) = document.missing_session_variable() {
        return Some(Err(missing_session_variable(name).at(&[PathSegment::Key(response_key.to_string())])));
    }
    let call = RootCall {
        remote: remote.name.clone(),
        keys: vec![(response_key.to_string(), namespace)],
        fields: vec![fields.clone()],
        renames: remote.renames.clone(),
    };
    let forward = remote.definition.definition.forward_client_headers;
    Some(Ok((call, http_request(connection, forward, context.session(), text, Value::Object(used)))))
}

