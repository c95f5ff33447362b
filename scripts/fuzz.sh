#!/usr/bin/env bash
# Fuzzing: schemathesis sends generated requests for every operation of Public/openapi.yaml to a real server
# on a temporary database and fails on any 5xx, or any status, content type or body the document does not allow.
# The event streams are left out: they stay open by design (EventStreamTests cover them); so is rotate-key,
# which would end the key the fuzzer calls with (OwnerKeyTests cover it).
# Usage: scripts/fuzz.sh [path/to/switchboard] [examples per operation]
set -euo pipefail
server=${1:-.build/debug/switchboard}
examples=${2:-30}
folder=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$server" serve --port "$port" --database "$folder/db.sqlite" >"$folder/out.txt" 2>"$folder/log.txt" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$folder"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
key=$(grep -o 'sk_[0-9a-f]*' "$folder/out.txt")
schemathesis run Public/openapi.yaml --url "http://127.0.0.1:$port" -H "Authorization: Bearer $key" \
    --max-examples "$examples" --phases examples,coverage,fuzzing --seed 1 \
    --exclude-path-regex '/events$|/rotate-key$' \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
kill -0 "$pid" || { echo "fuzz: the server died" >&2; exit 1; }
