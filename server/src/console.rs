//! The GraphiQL console at `/console`. It works with no internet: GraphiQL and React come
//! from the npm registry (server/console/package-lock.json, installed by scripts/setup.sh),
//! are read once at start and served by this binary; the page and its script are ours.

use std::path::Path;

use axum::body::Bytes;
use axum::extract::Path as UrlPath;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const PAGE: &str = include_str!("../console/index.html");
const SCRIPT: &str = include_str!("../console/console.js");

/// The npm files served, by the name the page asks for.
const NPM_ASSETS: &[(&str, &str)] = &[
    ("graphiql.min.css", "node_modules/graphiql/graphiql.min.css"),
    ("graphiql.min.js", "node_modules/graphiql/graphiql.min.js"),
    ("react.production.min.js", "node_modules/react/umd/react.production.min.js"),
    ("react-dom.production.min.js", "node_modules/react-dom/umd/react-dom.production.min.js"),
];

#[derive(Clone)]
pub struct Console {
    /// (name, content type, bytes); `Bytes` so that serving one shares it, not copies it.
    assets: Vec<(&'static str, &'static str, Bytes)>,
}

impl Console {
    /// Reads the npm assets from `dir` (server/console); a missing one names the fix.
    pub fn load(dir: &Path) -> Result<Console, String> {
        let mut assets = Vec::new();
        for (name, relative) in NPM_ASSETS {
            let path = dir.join(relative);
            let bytes = std::fs::read(&path).map_err(|e| {
                format!("the console's assets are not installed ({}: {e}); run `npm ci` in server/console (scripts/setup.sh does)", path.display())
            })?;
            assets.push((*name, content_type(name), Bytes::from(bytes)));
        }
        assets.push(("console.js", content_type("console.js"), Bytes::from_static(SCRIPT.as_bytes())));
        Ok(Console { assets })
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/console", get(|| async { Html(PAGE) }))
            .route("/console/assets/{name}", get(move |UrlPath(name): UrlPath<String>| async move { self.asset(&name) }))
    }

    fn asset(&self, name: &str) -> Response {
        match self.assets.iter().find(|(n, _, _)| *n == name) {
            Some((_, kind, bytes)) => ([(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, "max-age=3600")], bytes.clone()).into_response(),
            None => (StatusCode::NOT_FOUND, "no such console asset").into_response(),
        }
    }
}

fn content_type(name: &str) -> &'static str {
    if name.ends_with(".css") { "text/css; charset=utf-8" } else { "text/javascript; charset=utf-8" }
}
