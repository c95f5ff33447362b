#!/usr/bin/env bash
# The test suite again, on PostgreSQL: a throwaway cluster (scripts/postgres.sh) in a temporary folder, stopped and
# removed after. Skips, saying so, when PostgreSQL is not installed (`scripts/postgres.sh install` installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "test-postgres: SKIPPED the PostgreSQL run: PostgreSQL is not installed (run scripts/postgres.sh install)." >&2
    exit 0
fi
folder=$(mktemp -d /tmp/switchboard-postgres.XXXXXX)
chmod 755 "$folder"
trap 'scripts/postgres.sh stop "$folder" || true; rm -rf "$folder"' EXIT
url=$(scripts/postgres.sh start "$folder")
echo "test-postgres: running the tests on PostgreSQL ($(ls -d /usr/lib/postgresql/*/ | sort -V | tail -n 1 | xargs basename))"
# Each test gets its own schema and connections: 32 at a time keep well under the cluster's 500 connections.
SWITCHBOARD_TEST_POSTGRES="$url?sslmode=disable" SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=32 ${SWIFT:-swift} test "$@"
