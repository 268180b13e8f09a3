#!/usr/bin/env bash
# The extension is installed into the system PostgreSQL, which every script on this
# machine shares (tests, demo, benchmarks, reliability runs). Each holds one lock from
# the install to the end of its run, so two of them never swap the library under each
# other:
#
#   source scripts/install_lock.sh
#   pgf_hold_install_lock
#
# The lock is file descriptor 9 of the calling shell; servers and fixtures a script
# starts close it (`9>&-`), so that it is released when the script ends.

PGF_INSTALL_LOCK=/tmp/pg_federation-install.lock

pgf_hold_install_lock() {
    exec 9>"$PGF_INSTALL_LOCK"
    if ! flock -n 9; then
        echo "waiting for another pg_federation run to finish (lock $PGF_INSTALL_LOCK)" >&2
        flock 9
    fi
}
