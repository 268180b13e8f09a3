#!/usr/bin/env bash
# Fresh-machine setup (Debian 12, as root), then build + install pg_federation into the
# system PostgreSQL 15. Idempotent: every step checks first and skips finished work,
# so a second run only lets cargo rebuild what changed.
#
#   scripts/setup.sh               # everything
#   scripts/setup.sh --deps-only   # tools only, no extension build/install
#   PGF_RELEASE=1 scripts/setup.sh # install a --release build (and build pgf --release)
#   PGF_SETUP_BROWSER=1 scripts/setup.sh  # also Debian's chromium (the console's browser test)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_CONFIG="${PGF_PG_CONFIG:-/usr/bin/pg_config}"
PGRX_VERSION="0.18.1"
deps_only=0
[[ "${1:-}" == "--deps-only" ]] && deps_only=1

say() { echo "setup: $*"; }

if [[ "$(id -u)" -ne 0 ]]; then
    echo "setup: run as root (it installs Debian packages and writes into the system PostgreSQL)" >&2
    exit 1
fi

# --- Debian packages -------------------------------------------------------------
# postgresql-server-dev-15: pg_config + headers for pgrx; libclang/clang: bindgen;
# build-essential: the C toolchain rustc links with; sudo: `cargo pgrx test --runas`.
packages=(postgresql-15 postgresql-server-dev-15 postgresql-contrib libclang-dev clang sudo build-essential curl)
# Node only for the introspection check (tests/introspection); keep a node from
# elsewhere (nvm, nodesource) when there is one.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
# Chromium only for the console's browser test (scripts/test.sh asks for it).
[[ "${PGF_SETUP_BROWSER:-0}" == "1" ]] && packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
    # "install ok installed", not just known to dpkg (removed packages stay listed)
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    say "Debian packages present"
fi

# --- Rust toolchain ---------------------------------------------------------------
# rustup is not installed from here (its download site is not a package registry);
# pick up ~/.cargo/bin when the shell did not.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo not found; install Rust (https://rustup.rs) and re-run" >&2
    exit 1
fi

# --- cargo-pgrx -------------------------------------------------------------------
# Must match the pgrx version in Cargo.toml exactly.
if cargo pgrx --version 2>/dev/null | grep -q "$PGRX_VERSION"; then
    say "cargo-pgrx $PGRX_VERSION present"
else
    say "installing cargo-pgrx $PGRX_VERSION (takes a few minutes)"
    cargo install cargo-pgrx --version "$PGRX_VERSION" --locked
fi

# Point pgrx at the system PostgreSQL 15 (no private PostgreSQL build).
pgrx_config="${PGRX_HOME:-$HOME/.pgrx}/config.toml"
if [[ -f "$pgrx_config" ]] && grep -Eq '^[[:space:]]*pg15[[:space:]]*=' "$pgrx_config"; then
    say "pgrx already initialised for pg15"
else
    say "cargo pgrx init --pg15 $PG_CONFIG"
    cargo pgrx init --pg15 "$PG_CONFIG"
fi

# --- the console's assets (GraphiQL, React) from the npm registry, pinned by its lock file ---
# shellcheck source=./npm_ci.sh source-path=SCRIPTDIR
source scripts/npm_ci.sh
pgf_npm_ci server/console

if ((deps_only)); then
    say "done (tools only)"
    exit 0
fi

# --- build + install the extension ---------------------------------------------------
install_args=(--pg-config "$PG_CONFIG")
[[ "${PGF_RELEASE:-0}" == "1" ]] && install_args+=(--release)
say "cargo pgrx install ${install_args[*]}"
cargo pgrx install "${install_args[@]}"
say "done: pg_federation installed into $("$PG_CONFIG" --pkglibdir)"

# --- the HTTP front: target/{debug,release}/pgf ---------------------------------------
server_args=(-p pgf-server)
[[ "${PGF_RELEASE:-0}" == "1" ]] && server_args+=(--release)
say "cargo build ${server_args[*]}"
cargo build "${server_args[@]}"
say "done: the HTTP front is target/$([[ "${PGF_RELEASE:-0}" == "1" ]] && echo release || echo debug)/pgf"
