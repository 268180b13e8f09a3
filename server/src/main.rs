//! `pgf`: pg_federation's HTTP front and metadata-directory tool.
//!
//! - `pgf serve` answers Hasura's HTTP API (`/v1/graphql`, `/v1/metadata`, `/healthz`,
//!   `/v1/version`, `/console`) from a pool of Postgres connections; every GraphQL and
//!   metadata call is one `graphql.resolve` / `graphql.metadata` in one transaction.
//! - `pgf metadata apply|export|diff --dir metadata/` moves Hasura's metadata directory
//!   (config v3) to and from the database in one `replace_metadata` / `export_metadata`.

mod auth;
mod config;
mod console;
mod db;
mod errors;
mod jwt;
mod metadata_dir;
mod routes;

use std::process::ExitCode;

use clap::Parser;

use config::{Command, MetadataCommand};

fn main() -> ExitCode {
    let cli = config::Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Command::Serve(args) = &cli.command {
        if let Some(threads) = args.threads.filter(|t| *t > 0) {
            builder.worker_threads(threads);
        }
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("pgf: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => routes::serve(args).await,
            Command::Metadata { command } => match command {
                MetadataCommand::Apply(args) => metadata_dir::apply(&args).await,
                MetadataCommand::Export(args) => metadata_dir::export(&args).await,
                MetadataCommand::Diff(args) => metadata_dir::diff(&args).await,
            },
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pgf: {message}");
            ExitCode::FAILURE
        }
    }
}
