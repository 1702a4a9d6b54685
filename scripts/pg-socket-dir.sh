#!/usr/bin/env bash
# Prints the socket directory of the project's own cluster. It lives in var/pg unless that path is
# too long for a Unix socket (107 bytes with ".s.PGSQL.5432"), then in /tmp under a hash of the
# project path. config/environment.py computes the same (local_socket_dir).
cd "$(dirname "$0")/.."
dir="$(pwd)/var/pg"
if [ ${#dir} -gt 90 ]; then
  dir="/tmp/pingan-$(printf '%s' "$(pwd)" | sha1sum | cut -c1-12)"
fi
printf '%s\n' "$dir"
