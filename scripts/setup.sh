#!/usr/bin/env bash
# Prepares a machine to build and run Switchboard. Safe to run again: it only does what is missing.
set -euo pipefail

say() { printf 'setup: %s\n' "$*"; }

if ! command -v swift >/dev/null 2>&1; then
    say "Swift 6.3 is not on PATH. Install it from swift.org (or use the Dockerfile), then run this again." >&2
    exit 1
fi

# GRDB builds against the system SQLite: it needs the headers and the library.
if [ ! -f /usr/include/sqlite3.h ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing libsqlite3-dev"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev >/dev/null
    else
        say "SQLite headers are missing: install libsqlite3-dev (sudo apt-get install libsqlite3-dev)." >&2
        exit 1
    fi
fi
