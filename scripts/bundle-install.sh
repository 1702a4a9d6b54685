#!/usr/bin/env bash
# Pingan Grid offline installer: install.sh at the top of the bundle `make bundle` builds
# (scripts/bundle.sh; docs/operations/offline-install.md). Needs no network at all.
#   sudo ./install.sh [--prefix DIR] [--demo] [--serve] [--port N] [--force]
#     --prefix DIR  where the project goes (default /srv/pingan); an existing install there is
#                   upgraded in place: backup first, var/ (keys, database cluster, photos) kept,
#                   the services restarted (scripts/restart.sh)
#     --demo        load the Longxi demo county (manage.py load_demo) after migrating
#     --serve       then serve it in the foreground on 127.0.0.1:PORT (scripts/serve.sh)
#     --port N      the port --serve uses (default 8000)
#     --force       install on another Debian release or architecture than the bundle's
# Steps: check the files against MANIFEST.txt; copy project/ to DIR; scripts/setup.sh with apt
# on the bundle's repository (debs/) and pip on its wheelhouse only; generate the keys
# (scripts/secret-key.sh, var/ mode 0600); start the project's PostGIS (scripts/pg.sh); migrate;
# `manage.py check`, all with PINGAN_ENV=production. The static files come collected.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
args=("$@")

prefix=/srv/pingan demo=0 serve=0 port=8000 force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a directory}; shift ;;
    --demo) demo=1 ;;
    --serve) serve=1 ;;
    --port) port=${2:?--port needs a number}; shift ;;
    --force) force=1 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run this as root." >&2; exit 1; }
  exec sudo "$0" "${args[@]}"
fi

started=$(date +%s)
step() { printf '==> [%3ds] %s\n' "$(($(date +%s) - started))" "$*"; }
field() { sed -n "s/^$1: //p" "$here/MANIFEST.txt" | head -n 1; }

step "checking the bundle ($(field name))"
(cd "$here" && grep -E '^[0-9a-f]{64}  ' MANIFEST.txt | sha256sum --quiet -c -) \
  || { echo "The bundle's files do not match MANIFEST.txt: copy it again." >&2; exit 1; }
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != "$(field debian-codename)" ] ||
  [ "$(dpkg --print-architecture)" != "$(field debian-arch)" ]; then
  echo "This bundle is for Debian $(field debian-codename) $(field debian-arch);" \
    "this is ${PRETTY_NAME:-unknown} $(dpkg --print-architecture)." >&2
  [ "$force" -eq 1 ] || { echo "Build one on a machine like this server, or use --force." >&2; exit 1; }
fi

upgrade=0
[ -x "$prefix/.venv/bin/python" ] && [ -f "$prefix/manage.py" ] && upgrade=1
step "project: $prefix$([ "$upgrade" -eq 0 ] || echo " (upgrading the install there)")"
mkdir -p "$prefix"
# Over an existing install: the files of the previous bundle that this one no longer has are
# removed (a stale module or migration must not linger), the others replaced; var/ (keys,
# database cluster, photos, backups) and .venv/ stay.
files=$(mktemp)
(cd "$here/project" && find . ! -type d | LC_ALL=C sort) >"$files"
if [ -f "$prefix/.bundle-files" ]; then
  (cd "$prefix" && LC_ALL=C comm -23 .bundle-files "$files" | xargs -r -d '\n' rm -f --)
fi
cp -a "$here/project/." "$prefix/"
install -m 0644 "$files" "$prefix/.bundle-files"
rm -f "$files"
cd "$prefix"

step "system packages and Python packages (no network: debs/ and wheelhouse/ only)"
export DEBIAN_FRONTEND=noninteractive
APT_REPO="$here/debs" REQUIREMENTS=requirements.txt PIP_NO_INDEX=1 \
  PIP_FIND_LINKS="$here/wheelhouse" PYTHON=/usr/bin/python3 scripts/setup.sh

step "keys (var/secret_key, var/field_encryption_keys, var/field_hash_key; mode 0600)"
# Generated once, kept on upgrades: the encryption key must never change without rotation
# (docs/security/encryption.md). The service reads them into its environment the same way.
eval "$(scripts/dev-env.sh)"
chmod 0711 var
export PINGAN_ENV=production

step "PostgreSQL + PostGIS (scripts/pg.sh start)"
scripts/pg.sh start

if [ "$upgrade" -eq 1 ]; then
  # Restoring it is the way back if the new version fails (docs/operations/backup.md).
  step "backup before upgrading (manage.py backup)"
  .venv/bin/python manage.py backup
fi
step "migrate"
.venv/bin/python manage.py migrate --no-input -v 0
# The bundle ships the collected files (collectstatic compresses each one: minutes on a small
# server); only a project without them collects here.
[ -f var/static/staticfiles.json ] || .venv/bin/python manage.py collectstatic --no-input -v 0
if [ "$demo" -eq 1 ]; then
  step "demo county (manage.py load_demo)"
  .venv/bin/python manage.py load_demo
fi

step "manage.py check"
.venv/bin/python manage.py check

if [ "$upgrade" -eq 1 ]; then
  step "restart (scripts/restart.sh)"
  scripts/restart.sh
fi
step "installed in $prefix"
cat <<EOF
Serve it (uvicorn on 127.0.0.1:$port and the job worker, both stop with Ctrl-C):
  cd $prefix && eval "\$(scripts/dev-env.sh)" && PINGAN_ENV=production PORT=$port scripts/serve.sh
As services (systemd, nginx in front, TLS): docs/deploy.md in $prefix.
The database cluster: scripts/pg.sh start|stop|status; backups: make backup (docs/operations/backup.md).
EOF
if [ "$serve" -eq 1 ]; then
  step "serving on http://127.0.0.1:$port (Ctrl-C stops)"
  PORT=$port exec scripts/serve.sh
fi
