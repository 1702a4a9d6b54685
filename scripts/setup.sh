#!/usr/bin/env bash
# Installs what this machine is missing for Pingan Grid: system packages (PostgreSQL + PostGIS +
# pgRouting, GDAL, gettext, the PDF libraries and CJK fonts; Chromium and wrk for the tests and
# benchmarks) through apt, and the pinned Python requirements into .venv.
# Idempotent: a second run checks and returns in about a second.
#   REQUIREMENTS=requirements.txt  a server: runtime pins only, and no test-only system packages
#   APT_REPO=<dir>                 apt installs from that local repository only (a directory of
#                                  .deb files with a Packages index: the offline bundle,
#                                  docs/operations/offline-install.md); with PIP_NO_INDEX=1 and
#                                  PIP_FIND_LINKS=<wheelhouse> nothing is fetched from the network
#   scripts/setup.sh --print-packages   the system packages a server needs (the bundle's list)
set -euo pipefail
cd "$(dirname "$0")/.."

# A server installed with the runtime pins only (REQUIREMENTS=requirements.txt, the offline
# bundle) keeps them: `make backup`/`make upgrade` there must not fetch the test tools.
REQUIREMENTS=${REQUIREMENTS:-$(cat .venv/.requirements 2>/dev/null || echo requirements-dev.txt)}
PYTHON=${PYTHON:-python3}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt from the distribution's mirrors, or, with APT_REPO, from that directory alone (its own
# sources and lists: the machine's apt configuration is neither used nor changed).
apt_opts=() apt_install_opts=()
if [ -n "${APT_REPO:-}" ]; then
  apt_dir=$(mktemp -d)
  trap 'rm -rf "$apt_dir"' EXIT
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts"
  echo "deb [trusted=yes] file:$(cd "$APT_REPO" && pwd) ./" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Get::List-Cleanup=false")
  # The repository may lie where apt's _apt user cannot read (under /root): nothing is
  # downloaded from it, so apt reads it as root.
  [ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)
  # The bundle holds Depends only: a Recommends it does not hold must not fail the install.
  apt_install_opts=(--no-install-recommends)
fi
apt_install() {
  as_root apt-get "${apt_opts[@]}" update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq \
    "${apt_install_opts[@]}" "$@" >/dev/null
}

# The project's own cluster needs a server with PostGIS and pgRouting; the major version that is
# present (Debian 12: 15), else the distribution's default.
pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
# Runtime: gettext compiles the catalogues (make upgrade); WeasyPrint's libraries (pango,
# harfbuzz-subset) and fonts-noto-cjk: briefing PDFs; make: the operator's commands.
runtime_packages=(gdal-bin gettext python3-venv libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
  libharfbuzz-subset0 make)
# Tests and benchmarks only: poppler-utils (PDF pages as PNG), Chromium (Playwright browser tests
# and docs screenshots), wrk (bench), nginx + logrotate (tests/ops checks the generated production
# config with `nginx -t` and `logrotate`, docs/deploy.md).
test_packages=(poppler-utils chromium wrk nginx logrotate)

if [ "${1:-}" = --print-packages ]; then
  printf '%s\n' postgresql "postgresql-${pg_major:-15}" "postgresql-${pg_major:-15}-postgis-3" \
    "postgresql-${pg_major:-15}-pgrouting" "${runtime_packages[@]}" \
    nginx logrotate  # the production proxy and log rotation (docs/deploy.md)
  exit 0
fi

missing=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || missing+=("$1"); }

if [ -z "${DATABASE_URL:-}" ]; then
  if [ -z "$pg_major" ]; then
    echo "==> installing PostgreSQL"
    apt_install postgresql
    pg_major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  fi
  need_pkg "postgresql-${pg_major}-postgis-3"
  # Road network and travel times (roads app, docs/roads.md).
  need_pkg "postgresql-${pg_major}-pgrouting"
fi
packages=("${runtime_packages[@]}")
[ "$REQUIREMENTS" = requirements.txt ] || packages+=("${test_packages[@]}")
for pkg in "${packages[@]}"; do need_pkg "$pkg"; done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  apt_install "${missing[@]}"
  # Debian starts nginx on port 80 when it installs it: a developer's machine gets it for the
  # tests only, so a server this script just installed is stopped and not started at boot.
  if [[ " ${missing[*]} " == *" nginx "* ]] && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi

stamp=.venv/.installed-$(cat requirements.txt "$REQUIREMENTS" | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "==> creating .venv with $REQUIREMENTS"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$REQUIREMENTS"
  rm -f .venv/.installed-*
  touch "$stamp"
  echo "$REQUIREMENTS" >.venv/.requirements
fi

# Compiled translations are build output (not in git): rebuild when a catalogue is newer.
for po in $(find locale -name '*.po' 2>/dev/null); do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then msgfmt --check-format -o "$mo" "$po"; fi
done
