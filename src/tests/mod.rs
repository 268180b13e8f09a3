//! Rust-level tests run inside Postgres by `cargo pgrx test`.
