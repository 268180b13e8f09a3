//! What the end-to-end tests share: where the cluster and the fixture are, and psql.
// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::process::Command;
use std::sync::OnceLock;

pub struct Env {
    pub host: String,
    pub port: String,
    pub psql: String,
    pub fixture: String,
}

pub fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run these tests through scripts/test.sh (it starts the cluster and the fixture)"))
        };
        Env {
            host: var("PGF_FRONT_PGHOST"),
            port: var("PGF_FRONT_PGPORT"),
            psql: std::env::var("PSQL").unwrap_or_else(|_| "psql".into()),
            fixture: var("PGF_FIXTURE_ORIGIN"),
        }
    })
}

/// Runs SQL as the superuser `postgres` in `db`; its output (unaligned, tuples only).
pub fn psql(db: &str, sql: &str) -> String {
    let e = env();
    let out = Command::new(&e.psql)
        .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", &e.host, "-p", &e.port, "-U", "postgres", "-d", db, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "psql failed: {}\n{sql}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}


/// Creates `db` afresh (dropped first if a run left it) and runs `setup` in it.
pub fn fresh_database(db: &str, setup: &str) {
    psql("postgres", &format!("drop database if exists {db} with (force)"));
    psql("postgres", &format!("create database {db}"));
    psql(db, setup);
}
