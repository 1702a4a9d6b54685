#!/usr/bin/env bash
# Prints `export` lines for the keys `make demo` and `make test` generate and keep in var/
# (SECRET_KEY, FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY), to have them in a shell:
#   eval "$(scripts/dev-env.sh)"
# manage.py and pytest no longer need it: outside production the settings read the same files
# (config/settings.py). Commands that use a key themselves (key rotation) still do.
# A variable already set in the environment is kept, as the Makefile does.
set -euo pipefail
cd "$(dirname "$0")/.."
for pair in SECRET_KEY:secret_key FIELD_ENCRYPTION_KEYS:field_encryption_keys \
  FIELD_HASH_KEY:field_hash_key; do
  name=${pair%%:*}
  value=${!name:-$(scripts/secret-key.sh "${pair#*:}")}
  printf 'export %s=%q\n' "$name" "$value"
done
