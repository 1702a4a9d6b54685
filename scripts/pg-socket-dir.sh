#!/usr/bin/env bash
# Where the project's own cluster lives; config/environment.py computes the same
# (cluster_home, local_socket_dir), tests/config/test_cluster_home.py checks they agree.
#   scripts/pg-socket-dir.sh          the socket directory
#   scripts/pg-socket-dir.sh --home   the cluster's directory (data/, server.log)
# The cluster's directory is var/pg, except as root when the postgres system user cannot reach
# var/ (a clone under /root, mode 0700: every directory on the way must let others pass, o+x).
# It then lives in $PINGAN_STATE_DIR (default /var/lib/pingan)/<hash of the project path>, owned
# by postgres, and is found there again whoever asks once it exists. A cluster already in var/pg
# (its data/ there) stays where it is. The socket is in the
# cluster's directory unless that path is too long for a Unix socket (107 bytes with
# ".s.PGSQL.5432"), then in /tmp/pingan-<hash of the project path>.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)
digest=$(printf '%s' "$root" | sha1sum | cut -c1-12)
relocated="${PINGAN_STATE_DIR:-/var/lib/pingan}/$digest"

reachable_by_others() { # every existing directory from $1 up to / has the others' x bit
  local dir=$1 mode
  while :; do
    if mode=$(stat -L -c '%a' "$dir" 2>/dev/null) && (((8#$mode & 1) == 0)); then
      return 1
    fi
    [ "$dir" = / ] && return 0
    dir=$(dirname "$dir")
  done
}

if [ -d "$relocated" ]; then
  home=$relocated
elif [ "$(id -u)" -eq 0 ] && [ ! -d "$root/var/pg/data" ] && ! reachable_by_others "$root/var"; then
  home=$relocated
else
  home="$root/var/pg"
fi
if [ "${1:-}" = --home ]; then
  printf '%s\n' "$home"
  exit 0
fi
if [ ${#home} -gt 90 ]; then
  home="/tmp/pingan-$digest"
fi
printf '%s\n' "$home"
