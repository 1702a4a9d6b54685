#!/usr/bin/env bash
# Installs what this machine is missing for Pingan Grid: system packages (PostgreSQL + PostGIS,
# GDAL, gettext, Chromium and CJK fonts for the browser tests) through apt, and the pinned Python
# requirements into .venv.
# Idempotent: a second run checks and returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

REQUIREMENTS=${REQUIREMENTS:-requirements-dev.txt}
PYTHON=${PYTHON:-python3}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing+=("$1"); }

if [ -z "${DATABASE_URL:-}" ]; then
  # The project's own cluster needs a server with PostGIS; use the major version that is present
  # (Debian 12: 15) or install the distribution's default.
  pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
  if [ -z "$pg_major" ]; then
    echo "==> installing PostgreSQL"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  fi
  need_pkg "postgresql-${pg_major}-postgis-3"
fi
# fonts-noto-cjk + poppler-utils + libharfbuzz-subset0: briefing PDFs (WeasyPrint) and their PNG pages;
# chromium: the Playwright browser tests (tests/browser) and docs screenshots.
for pkg in gdal-bin gettext python3-venv wrk libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils libharfbuzz-subset0 chromium; do need_pkg "$pkg"; done
# nginx + logrotate: tests/ops checks the generated production config with `nginx -t` and
# `logrotate` (docs/deploy.md); outside a container Debian also starts nginx on port 80.
for pkg in nginx logrotate; do need_pkg "$pkg"; done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=.venv/.installed-$(cat requirements.txt "$REQUIREMENTS" | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> creating .venv with $REQUIREMENTS"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# Compiled translations are build output (not in git): rebuild when a catalogue is newer.
for po in $(find locale -name '*.po' 2>/dev/null); do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then msgfmt --check-format -o "$mo" "$po"; fi
done
