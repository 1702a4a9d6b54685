#!/usr/bin/env bash
# The project's own PostgreSQL + PostGIS cluster under var/pg, reachable only through a Unix socket
# in that directory, so two clones side by side never collide on a port. As root, when the
# postgres system user cannot reach var/ (a clone under /root, mode 0700), the cluster lives in
# /var/lib/pingan/<hash of the project path> instead (scripts/pg-socket-dir.sh decides).
#   scripts/pg.sh start   initialise (once), start, create the database and the postgis extension
#   scripts/pg.sh stop    stop the cluster
#   scripts/pg.sh status
# Does nothing when DATABASE_URL is set: that server is used instead.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ -n "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL is set: using that server, not the project's own cluster."
  exit 0
fi

PGHOME=$(scripts/pg-socket-dir.sh --home)
DATA="$PGHOME/data"
SOCKET_DIR=$(scripts/pg-socket-dir.sh)
DB_NAME=pingan
DB_USER=pingan
LOG="$PGHOME/server.log"

pg_major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
BIN="/usr/lib/postgresql/${pg_major}/bin"

# initdb refuses to run as root: the cluster then belongs to the postgres system user.
if [ "$(id -u)" -eq 0 ]; then
  OWNER=postgres
  # From /: postgres may not be able to enter the project directory (every path used is absolute).
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  OWNER=$(id -un)
  as_owner() { "$@"; }
fi

running() { as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

start() {
  if [ "$PGHOME" != "$ROOT/var/pg" ] && [ ! -d "$PGHOME" ]; then
    echo "==> postgres cannot reach $ROOT/var: the cluster lives in $PGHOME"
    mkdir -p "$(dirname "$PGHOME")"
    chmod 0755 "$(dirname "$PGHOME")"
  fi
  mkdir -p "$PGHOME" "$SOCKET_DIR"
  chown "$OWNER" "$PGHOME" "$SOCKET_DIR"
  # Others may connect through the socket, never list or read the cluster's files.
  chmod 0711 "$PGHOME"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "==> initialising PostgreSQL ${pg_major} cluster in $DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U "$DB_USER" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$DATA/postgresql.conf" <<CONF
# Pingan Grid: socket only, in the cluster's own directory
listen_addresses = ''
unix_socket_directories = '$SOCKET_DIR'
max_connections = 200
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
fsync = on
CONF
  fi
  if ! running; then
    echo "==> starting PostgreSQL (socket in $SOCKET_DIR)"
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null \
      || { tail -n 20 "$LOG" >&2; exit 1; }
  fi
  psql_() { "$BIN/psql" -h "$SOCKET_DIR" -U "$DB_USER" -X -q -v ON_ERROR_STOP=1 "$@"; }
  if ! psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    psql_ -d postgres -c "CREATE DATABASE $DB_NAME"
  fi
  psql_ -d "$DB_NAME" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis"
}

case "${1:-start}" in
  start) start ;;
  stop)
    if [ -f "$DATA/PG_VERSION" ] && running; then
      as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null && echo "PostgreSQL stopped."
    else
      echo "PostgreSQL is not running."
    fi ;;
  status)
    if [ -f "$DATA/PG_VERSION" ] && running; then
      echo "running, data in $DATA, socket in $SOCKET_DIR"
    else
      echo "stopped"
    fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
