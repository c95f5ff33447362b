#!/usr/bin/env bash
# The store comparison of docs/PERFORMANCE.md, in one run on one machine: the lifecycle and deliveries benchmarks
# on SQLite, on PostgreSQL with one instance, and on PostgreSQL with two (requests to each in turn), each
# PostgreSQL run on a fresh throwaway cluster (scripts/postgres.sh). Prints each benchmark's report and JSON line.
#
#   scripts/bench-databases.sh [--seconds N]      (default 5 s a phase; needs a release build and PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=5
[[ "${1:-}" == "--seconds" ]] && seconds=${2:?}
bench=.build/release/switchboard-bench
[[ -x $bench && -x .build/release/switchboard ]] || swift build -c release >/dev/null

run() {
    local label=$1
    shift
    for benchmark in lifecycle deliveries; do
        echo "== $label: $benchmark"
        "$bench" "$benchmark" --seconds "$seconds" "$@"
    done
}

# Each PostgreSQL configuration gets a cluster of its own, removed after.
with_cluster() {
    local folder
    folder=$(mktemp -d /tmp/switchboard-bench-postgres.XXXXXX)
    chmod 755 "$folder"
    trap 'scripts/postgres.sh stop "$folder/cluster" || true; rm -rf "$folder"' RETURN
    local url
    url=$(scripts/postgres.sh start "$folder/cluster")
    "$@" --database "$url?sslmode=disable"
}

run "SQLite"
with_cluster run "PostgreSQL, 1 instance"
with_cluster run "PostgreSQL, 2 instances" --instances 2
