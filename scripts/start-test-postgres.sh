#!/usr/bin/env bash
# Starts the local PostgreSQL cluster and makes a throw-away role and database for the tests.
# Prints the URL to put in HALL_TEST_POSTGRES_URL.
set -euo pipefail
# Root is needed to start the cluster and act as the postgres user: ask sudo only when not root,
# so the same line works in a container where the user is root and there is no sudo.
if [ "$(id -u)" -ne 0 ]; then exec sudo "$0" "$@"; fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q online; then
    pg_ctlcluster "$ver" main start 2>/dev/null || service postgresql start
fi
for _ in $(seq 1 30); do
    su postgres -c "pg_isready -q" && break
    sleep 1
done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='hall'\" | grep -q 1 || psql -q -c \"CREATE ROLE hall LOGIN SUPERUSER PASSWORD 'hall'\"" >/dev/null
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='hall_test'\" | grep -q 1 || createdb -O hall hall_test" >/dev/null
echo "postgresql+psycopg://hall:hall@127.0.0.1:5432/hall_test"
