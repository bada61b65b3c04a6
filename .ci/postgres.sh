#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the results-store tests and print its
# SQLAlchemy URL on stdout. Prints nothing (and exits 0) when no server can be had.
set -u
PGBIN=""
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && PGBIN="$dir"; done
if [ -z "$PGBIN" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) \
    >/tmp/specwright-ci-postgres-apt.log 2>&1
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && PGBIN="$dir"; done
fi
[ -n "$PGBIN" ] || exit 0
id postgres >/dev/null 2>&1 || exit 0
DATA=$(mktemp -d /tmp/specwright-pg.XXXXXX)
chown postgres "$DATA"
PORT=$((20000 + RANDOM % 20000))
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
as_pg "$PGBIN/initdb -D $DATA -U postgres -A trust" >/tmp/specwright-ci-postgres.log 2>&1 || exit 0
as_pg "$PGBIN/pg_ctl -D $DATA -l $DATA/log -o '-p $PORT -k $DATA -h 127.0.0.1' -w start" \
  >>/tmp/specwright-ci-postgres.log 2>&1 || exit 0
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
