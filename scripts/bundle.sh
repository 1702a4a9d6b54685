#!/usr/bin/env bash
# `make bundle`: one archive, dist/pingan-grid-<version>-<codename>-<arch>.tar.gz, that installs
# Pingan Grid on a server with no network (docs/operations/offline-install.md). It holds:
#   install.sh     the installer (scripts/bundle-install.sh), run as root on the server
#   MANIFEST.txt   versions (commit, Python, each wheel and deb), and the sha256 of every other
#                  file (install.sh checks them first)
#   project/       `git archive HEAD`, with the compiled catalogues (.mo) and the collected static
#                  files (var/static: the vendored libraries included; the site serves them itself)
#   wheelhouse/    a wheel of every pinned runtime Python package (requirements.txt) for this
#                  platform and Python; sdists are built into wheels here
#   debs/          the Debian packages a server needs (scripts/setup.sh --print-packages) with their
#                  whole dependency closure, resolved against an empty dpkg status so that a
#                  minimal Debian (debootstrap --variant=minbase) lacks nothing; an apt repository
#                  (Packages, Release) that install.sh uses alone
# Run it on a Debian machine of the servers' release and architecture, with access to the Debian
# mirrors and PyPI, from a clean checkout (ALLOW_DIRTY=1 builds a dirty one, named -dirty, with
# only the committed files). `scripts/bundle.sh --print-path` prints the archive's path only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

dirty=""
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then dirty=-dirty; fi
version=$(git describe --tags --always --abbrev=10)$dirty
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}
arch=$(dpkg --print-architecture)
name=pingan-grid-$version-$codename-$arch
archive=dist/$name.tar.gz
if [ "${1:-}" = --print-path ]; then
  echo "$archive"
  exit 0
fi

started=$(date +%s)
step() { printf '==> [%3ds] %s\n' "$(($(date +%s) - started))" "$*"; }

if [ -n "$dirty" ]; then
  if [ "${ALLOW_DIRTY:-}" != 1 ]; then
    echo "The working tree has uncommitted changes; the bundle holds only what is committed." >&2
    echo "Commit them, or build anyway with ALLOW_DIRTY=1 (the name then ends in -dirty)." >&2
    exit 1
  fi
  echo "warning: uncommitted changes are NOT in the bundle (committed HEAD only)" >&2
fi
[ -x .venv/bin/python ] || { echo "No .venv: run \`make setup\` first." >&2; exit 1; }
python_version=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# The wheels must fit the servers' python3 (Debian 12: 3.11).
system_python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ -x /usr/bin/python3 ]; then
  system_python=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
fi
if [ -n "$system_python" ] && [ "$system_python" != "$python_version" ]; then
  echo ".venv has Python $python_version but this Debian's python3 is $system_python." >&2
  exit 1
fi

build=var/bundle/$name
rm -rf "$build"
mkdir -p "$build/wheelhouse" "$build/debs" dist

step "project: git archive $(git rev-parse --short HEAD) ($version)"
git archive --prefix=project/ HEAD | tar -x -C "$build"
cp scripts/bundle-install.sh "$build/install.sh"
chmod 0755 "$build/install.sh"

step "translations: msgfmt"
while IFS= read -r po; do
  msgfmt --check-format -o "$build/project/${po%.po}.mo" "$po"
done < <(git ls-files 'locale/*.po')

step "static files: collectstatic into project/var/static"
# Throw-away keys: settings need them to load; the server generates its own (install.sh).
(
  cd "$build/project"
  SECRET_KEY=bundle-build-only \
    FIELD_HASH_KEY=bundle-build-only-bundle-build-only \
    FIELD_ENCRYPTION_KEYS=$("$ROOT/.venv/bin/python" -c \
      'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
    "$ROOT/.venv/bin/python" manage.py collectstatic --no-input -v 0
)
echo "    $(find "$build/project/var/static" -type f | wc -l) files"

step "wheelhouse: pip wheel -r requirements.txt (Python $python_version)"
# (Lines about find-links locations this machine's pip configuration names but lacks are noise.)
.venv/bin/pip wheel -q --disable-pip-version-check -r requirements.txt -w "$build/wheelhouse" \
  2> >(grep -v '^WARNING: Location .* is neither a file nor a directory' >&2)
echo "    $(ls "$build/wheelhouse" | wc -l) wheels, $(du -sh "$build/wheelhouse" | cut -f1)"

mapfile -t packages < <(scripts/setup.sh --print-packages)
step "debs: resolving ${packages[*]}"
# The closure against an empty dpkg status: everything the packages need that is not Essential
# (dpkg, coreutils, bash… are on every Debian). Versions from this machine's apt sources, with
# the point release's updates and security fixes: a server's older base packages are upgraded
# from the bundle when the new ones require it.
apt_state=$(mktemp -d)
trap 'rm -rf "$apt_state"' EXIT
touch "$apt_state/status"
apt-get -q -o Dir::State::status="$apt_state/status" -o Dir::State::extended_states="$apt_state/ext" \
  -o Dir::Cache::archives="$apt_state" -o Debug::NoLocking=1 \
  install --print-uris -y -qq --no-install-recommends "${packages[@]}" >"$apt_state/uris"
# 'url' name_version_arch.deb size hash: apt-get download wants name:arch=version.
mapfile -t wanted < <(awk '{print $2}' "$apt_state/uris" | sed 's/%3a/:/g' |
  awk -F_ '{sub(/\.deb$/, "", $3); print $1 ":" $3 "=" $2}')
echo "    ${#wanted[@]} packages, $(awk '{s += $3} END {printf "%.0f MB", s / 1e6}' "$apt_state/uris")"
step "debs: apt-get download"
# As root, apt downloads as the _apt user, which may not write here: it need not.
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
(cd "$build/debs" && apt-get "${sandbox[@]}" download -qq "${wanted[@]}" >/dev/null)
[ "$(ls "$build/debs" | wc -l)" -eq "${#wanted[@]}" ] || { echo "download incomplete" >&2; exit 1; }
(
  cd "$build/debs"
  dpkg-scanpackages -m . /dev/null 2>/dev/null >Packages
  {
    echo "Origin: pingan-grid"
    echo "Label: pingan-grid offline bundle $version"
    echo "Date: $(LC_ALL=C date -u -R)"
    echo "SHA256:"
    echo " $(sha256sum Packages | cut -d' ' -f1) $(stat -c %s Packages) Packages"
  } >Release
  printf '%s\n' "${packages[@]}" >top-level
)

step "manifest"
{
  echo "# Pingan Grid offline bundle"
  echo "name: $name"
  echo "version: $version"
  echo "commit: $(git rev-parse HEAD)"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $PRETTY_NAME $arch"
  echo "python: $python_version"
  echo "debian-codename: $codename"
  echo "debian-arch: $arch"
  echo "debian-packages: ${packages[*]}"
  echo "# wheels"
  (cd "$build/wheelhouse" && ls) | sed 's/^/wheel: /'
  echo "# debs (name version)"
  (cd "$build/debs" && dpkg-deb -W --showformat='${Package} ${Version}\n' ./*.deb) | sed 's/^/deb: /'
  echo "# sha256 of every other file (install.sh checks these lines with sha256sum -c)"
  (cd "$build" && find . -type f ! -name MANIFEST.txt -printf '%P\n' | LC_ALL=C sort |
    xargs -d '\n' sha256sum)
} >"$build/MANIFEST.txt"
echo "    $(grep -cE '^[0-9a-f]{64}  ' "$build/MANIFEST.txt") files"

step "archive: $archive"
rm -f "$archive"
# The debs and wheels are compressed already: gzip -1 costs little and gains as much as -9.
tar -C var/bundle -cf - "$name" | gzip -1 >"$archive.part"
mv "$archive.part" "$archive"
rm -rf "$build"
step "done"
echo "$archive $(du -h "$archive" | cut -f1) ($(stat -c %s "$archive") bytes)"
