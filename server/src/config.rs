//! Command line and environment. Flags have Hasura's environment variables where one
//! applies, so an existing deployment's environment works unchanged.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "pgf", version, about = "pg_federation's HTTP front (Hasura's HTTP API) and metadata-directory tool")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve Hasura's HTTP API over graphql.resolve and graphql.metadata.
    Serve(ServeArgs),
    /// Hasura's metadata directory (config v3) to and from the database.
    Metadata {
        #[command(subcommand)]
        command: MetadataCommand,
    },
}

#[derive(Subcommand)]
pub enum MetadataCommand {
    /// Replace the database's metadata with the directory's, in one replace_metadata.
    Apply(DirArgs),
    /// Write the database's metadata as a directory (files that exist are replaced).
    Export(DirArgs),
    /// Show what `apply` would change, as a list of added, removed and changed objects.
    Diff(DirArgs),
}

#[derive(Args)]
pub struct DirArgs {
    /// The Postgres connection string (a libpq URL or key=value string).
    #[arg(long, env = "HASURA_GRAPHQL_DATABASE_URL")]
    pub database_url: String,
    /// The metadata directory (Hasura's `metadata/`).
    #[arg(long, default_value = "metadata")]
    pub dir: PathBuf,
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// The Postgres connection string. The login role is an authenticator: a member of
    /// every role a request may take (SET ROLE), and the role admin requests run as.
    #[arg(long, env = "HASURA_GRAPHQL_DATABASE_URL")]
    pub database_url: String,
    #[arg(long, env = "HASURA_GRAPHQL_SERVER_PORT", default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on; Hasura's `*` is every IPv4 address.
    #[arg(long, env = "HASURA_GRAPHQL_SERVER_HOST", default_value = "*")]
    pub host: String,
    /// Requests with this `x-hasura-admin-secret` are admin. Without one, every request is
    /// admin (Hasura's development mode) and no JWT can be configured. It may not be empty.
    #[arg(long, env = "HASURA_GRAPHQL_ADMIN_SECRET", hide_env_values = true)]
    pub admin_secret: Option<String>,
    /// Hasura's JWT configuration, a JSON object: `type` (HS256/384/512, RS256/384/512,
    /// ES256/384, EdDSA), `key`, `claims_namespace`, `claims_format`, `audience`, `issuer`,
    /// `allowed_skew`.
    #[arg(long, env = "HASURA_GRAPHQL_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// The role of requests that carry neither an admin secret nor a JWT.
    #[arg(long, env = "HASURA_GRAPHQL_UNAUTHORIZED_ROLE")]
    pub unauthorized_role: Option<String>,
    /// Origins a browser may call from: `*` (any, the default) or a comma-separated list
    /// of exact origins (`https://app.example.com, http://localhost:3000`).
    #[arg(long, env = "HASURA_GRAPHQL_CORS_DOMAIN", default_value = "*")]
    pub cors_domain: String,
    /// Serve the GraphiQL console at /console.
    #[arg(long, env = "HASURA_GRAPHQL_ENABLE_CONSOLE", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub enable_console: bool,
    /// Where the console's assets are (installed from the npm registry by scripts/setup.sh).
    #[arg(long, env = "PGF_CONSOLE_ASSETS", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/console"))]
    pub console_assets: PathBuf,
    /// Worker threads of the server (default: one per core).
    #[arg(long, env = "PGF_THREADS")]
    pub threads: Option<usize>,
    /// Connections in the pool.
    #[arg(long, env = "HASURA_GRAPHQL_PG_CONNECTIONS", default_value_t = 10)]
    pub pool_size: usize,
    /// Requests that may wait for a connection; beyond them a request gets 503 at once.
    #[arg(long, env = "PGF_MAX_QUEUE", default_value_t = 512)]
    pub max_queue: usize,
    /// How long a request waits for a connection before 503, in milliseconds.
    #[arg(long, env = "PGF_QUEUE_TIMEOUT_MS", default_value_t = 10_000)]
    pub queue_timeout_ms: u64,
    /// The largest request body accepted, in bytes; a larger one gets 413.
    #[arg(long, env = "PGF_BODY_LIMIT", default_value_t = 8 * 1024 * 1024)]
    pub body_limit: usize,
}
