#!/usr/bin/env bash
# Prints the demo's Django secret key, kept in var/secret_key and generated on first use (the
# Makefile exports it as SECRET_KEY unless one is set already). The key signs sessions and CSRF
# tokens: the file is readable by its owner only (0600) whatever the caller's umask, and an older,
# world-readable one is tightened. var/ itself stays traversable (0711, no listing for others):
# as root the PostgreSQL cluster under var/pg runs as the postgres user, which must reach it.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
[ -d var ] || mkdir -m 0711 var
key=var/secret_key
if [ ! -s "$key" ]; then
  tmp=$(mktemp var/.secret_key.XXXXXX)
  head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$tmp"
  mv "$tmp" "$key"
fi
chmod 600 "$key"
cat "$key"
