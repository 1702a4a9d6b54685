#!/usr/bin/env bash
# Prints one of the demo's generated keys, kept in var/ and generated on first use (the Makefile
# exports each unless the variable is set already):
#   scripts/secret-key.sh                        SECRET_KEY: signs sessions and CSRF tokens
#   scripts/secret-key.sh field_encryption_keys  FIELD_ENCRYPTION_KEYS: a Fernet key that encrypts
#                                                parties' ID numbers and phones at rest
#   scripts/secret-key.sh field_hash_key         FIELD_HASH_KEY: the HMAC key that makes them searchable
# Each file is readable by its owner only (0600) whatever the caller's umask, and an older,
# world-readable one is tightened. var/ itself stays traversable (0711, no listing for others):
# as root the PostgreSQL cluster under var/pg runs as the postgres user, which must reach it
# (if it cannot, the cluster moves to /var/lib/pingan: scripts/pg-socket-dir.sh). Outside
# production config/settings.py reads these files too when the variables are not set.
# The key is printed on standard output only, for the Makefile: never into a log.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
name=${1:-secret_key}
case "$name" in
  secret_key | field_hash_key) generate() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; } ;;
  # Fernet: url-safe base64 of 32 random bytes, with its padding.
  field_encryption_keys) generate() { head -c 32 /dev/urandom | base64 | tr -d '\n' | tr '+/' '-_'; } ;;
  *) echo "usage: $0 [secret_key|field_encryption_keys|field_hash_key]" >&2; exit 2 ;;
esac
[ -d var ] || mkdir -m 0711 var
key=var/$name
if [ ! -s "$key" ]; then
  tmp=$(mktemp "var/.$name.XXXXXX")
  generate >"$tmp"
  mv "$tmp" "$key"
fi
chmod 600 "$key"
cat "$key"
