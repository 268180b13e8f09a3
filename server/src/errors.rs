//! Hasura's error shapes. `/v1/graphql` answers `{"errors": [{message, extensions: {path,
//! code}}]}`; `/v1/metadata` and bad bodies answer `{path, error, code}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into() }
    }

    pub fn unauthorized(code: &'static str, message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn bad_request(code: &'static str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// As `/v1/graphql` answers: a GraphQL response with one error.
    pub fn graphql(self) -> Response {
        let body = self.graphql_body();
        (self.status, axum::Json(body)).into_response()
    }

    /// The GraphQL response with this one error (an element of a batch's answer).
    pub fn graphql_body(&self) -> serde_json::Value {
        json!({"errors": [{"message": self.message, "extensions": {"path": "$", "code": self.code}}]})
    }

    /// As `/v1/metadata` (and every malformed request) answers.
    pub fn plain(self) -> Response {
        let body = json!({"path": "$", "error": self.message, "code": self.code});
        (self.status, axum::Json(body)).into_response()
    }
}
