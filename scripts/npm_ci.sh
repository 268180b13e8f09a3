#!/usr/bin/env bash
# Sourced by setup.sh, test.sh and bench/run.sh: installs a directory's npm packages
# from its lock file, only when node_modules is missing or was installed from another
# lock file (a stamp holds the hash of package.json + package-lock.json).
#
#   pgf_npm_ci DIR    # returns npm's status

pgf_npm_ci() {
    local dir="${1:?usage: pgf_npm_ci DIR}"
    (
        cd "$dir" || exit 1
        local lock_hash stamp=node_modules/.pgf-installed
        lock_hash="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
        if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
            echo "npm: $dir up to date"
            exit 0
        fi
        echo "npm: installing $dir from its lock file (npm ci)"
        npm ci --no-audit --no-fund --loglevel=error || exit 1
        echo "$lock_hash" >"$stamp"
    )
}
