#!/usr/bin/env bash
# Starts a throw-away redis-server for the tests of several hall nodes on a loopback port (kept in
# memory only, no file written), unless one already answers there. Prints the URL to put in
# HALL_TEST_REDIS_URL on its last line.
set -euo pipefail
port=${HALL_TEST_REDIS_PORT:-6390}
dir=${TMPDIR:-/tmp}/hall-test-redis-$port
if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
    for _ in $(seq 1 50); do
        redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null
fi
echo "redis://127.0.0.1:$port/0"
