#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's `postgresql` package.
#
#   scripts/postgres.sh install        installs the packages when missing (apt-get, as root): PostgreSQL, and nginx
#                                      for the multi-instance tests' load balancer
#   scripts/postgres.sh start DIR      creates a cluster in DIR on a free loopback port; prints its URL
#   scripts/postgres.sh stop DIR       stops it (DIR can then be deleted)
#   scripts/postgres.sh restart DIR [SECONDS]
#                                      stops it, waits SECONDS (default 0), starts it again on the same port (for
#                                      fault tests: an outage that long)
#
# initdb refuses to run as root, so as root the cluster belongs to the unprivileged `postgres` user.
set -euo pipefail

bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n "$dir" && -x "$dir/initdb" ]] || { echo "postgres.sh: PostgreSQL is not installed (scripts/postgres.sh install)" >&2; exit 1; }
    echo "$dir"
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_ctl_start() {
    local dir=$1 port=$2 fd
    # The server outlives this script: it must not keep the caller's descriptors open (a pipe, or the socket a
    # test's process monitor waits on to see this script end).
    for fd in /proc/$$/fd/*; do
        fd=${fd##*/}
        if [[ $fd -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=500 -c fsync=on" start >/dev/null
}

case "${1:-}" in
install)
    if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [[ -x /usr/sbin/nginx ]]; then exit 0; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql nginx >/dev/null
    ;;
start)
    dir=${2:?usage: postgres.sh start DIR}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    echo "$password" >"$dir/password"
    chmod 644 "$dir/password"
    as_owner "$(bin_dir)/initdb" -D "$dir/data" -U switchboard --pwfile="$dir/password" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    port=$(free_port)
    echo "$port" >"$dir/port"
    pg_ctl_start "$dir" "$port"
    as_owner "$(bin_dir)/createdb" -h "$dir" -p "$port" -U switchboard switchboard
    echo "postgres://switchboard:$password@127.0.0.1:$port/switchboard"
    ;;
stop)
    dir=${2:?usage: postgres.sh stop DIR}
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
restart)
    dir=${2:?usage: postgres.sh restart DIR}
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    sleep "${3:-0}"
    pg_ctl_start "$dir" "$(cat "$dir/port")"
    ;;
*)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
