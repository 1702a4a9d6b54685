#!/usr/bin/env bash
# `make bundle-check`: the proof that the offline bundle installs and works with no network.
#   1. the bundle of HEAD (scripts/bundle.sh --print-path), built first when missing;
#   2. a clean Debian 12 root: `debootstrap --variant=minbase bookworm`, made once and kept as
#      var/bundle-check/minbase-bookworm-<arch>.tar (DEBOOTSTRAP_MIRROR, default deb.debian.org);
#      unpacked afresh on every run;
#   3. in a new network namespace (`unshare -n`: only a loopback, no route anywhere) and a chroot
#      into that root: ./install.sh --demo, then `manage.py check`, the server (scripts/serve.sh)
#      and GET /api/areas/locate?lon=104.63&lat=35.00 (public), which must name a grid; then
#      install.sh once more (the upgrade path: backup, migrate) and `make backup`;
#   4. everything it started is stopped and the root removed (KEEP_ROOT=1 keeps it).
# Prints the bundle's size and the install time. Root only (debootstrap, chroot, namespaces).
#   scripts/bundle-check.sh [BUNDLE.tar.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
[ "$(id -u)" -eq 0 ] || { echo "bundle-check needs root (debootstrap, chroot, unshare)." >&2; exit 1; }

started=$(date +%s)
step() { printf '==> [%3ds] %s\n' "$(($(date +%s) - started))" "$*"; }

bundle=${1:-$(scripts/bundle.sh --print-path)}
if [ ! -f "$bundle" ]; then
  step "no $bundle yet: make bundle"
  scripts/bundle.sh
fi
step "bundle $bundle: $(du -h "$bundle" | cut -f1) ($(stat -c %s "$bundle") bytes)"

arch=$(dpkg --print-architecture)
cache=var/bundle-check/minbase-bookworm-$arch.tar
mkdir -p var/bundle-check
if [ ! -f "$cache" ]; then
  if ! command -v debootstrap >/dev/null; then
    step "apt-get install debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  step "debootstrap --variant=minbase bookworm (once; kept as $cache)"
  base=var/bundle-check/minbase.tmp
  rm -rf "$base"
  debootstrap --variant=minbase bookworm "$base" "${DEBOOTSTRAP_MIRROR:-http://deb.debian.org/debian}" \
    >var/bundle-check/debootstrap.log 2>&1 || { tail -n 20 var/bundle-check/debootstrap.log >&2; exit 1; }
  tar -C "$base" -cf "$cache.part" .
  mv "$cache.part" "$cache"
  rm -rf "$base"
fi

root=$ROOT/var/bundle-check/root
cleanup() {
  # Whatever still runs inside the root (the server, the worker, PostgreSQL): by pid, found
  # through /proc/<pid>/root.
  local pid pids=()
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && pids+=("$pid")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    sleep 3
    kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  umount -R "$root/dev" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  if [ "${KEEP_ROOT:-}" != 1 ] && ! mountpoint -q "$root/dev" && ! mountpoint -q "$root/proc"; then
    rm -rf "$root"
  fi
}
cleanup
trap cleanup EXIT
step "fresh root from $cache"
mkdir -p "$root"
tar -C "$root" -xf "$cache"
# As in any chroot or container image: package scripts must not start services here.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
cp "$bundle" "$root/root/bundle.tar.gz"

step "unshare -n + chroot: install with the network cut"
log=var/bundle-check/last-run.log
(unshare -n -- bash -euo pipefail -c '
ip link set lo up
echo "    network interfaces in the namespace: $(ip -o link show | cut -d: -f2 | tr -d " " | tr "\n" " ")"
exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  /bin/bash -euo pipefail -s' _ "$root" <<'IN_ROOT'
step() { echo "  -> $*"; }
# deb.debian.org and pypi.org, by address (there is no resolver either): must not connect.
for addr in 151.101.2.132 151.101.0.223; do
  if timeout 5 bash -c "exec 3<>/dev/tcp/$addr/443" 2>/dev/null; then
    echo "network reachable ($addr): not a valid check" >&2
    exit 1
  fi
done
step "no connection to deb.debian.org or pypi.org (network cut)"
cd /root
tar -xzf bundle.tar.gz
rm bundle.tar.gz
cd pingan-grid-*/
t0=$(date +%s)
./install.sh --prefix /srv/pingan --demo
echo "INSTALL_SECONDS=$(($(date +%s) - t0))"

cd /srv/pingan
eval "$(scripts/dev-env.sh)"
export PINGAN_ENV=production
step "manage.py check"
.venv/bin/python manage.py check
step "serving (scripts/serve.sh) on 127.0.0.1:8000"
PORT=8000 setsid scripts/serve.sh >/tmp/serve.log 2>&1 &
serve_pid=$!
.venv/bin/python - <<'PY'
import json
import sys
import time
import urllib.error
import urllib.request

base = "http://127.0.0.1:8000"
for _ in range(120):
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            print("  -> GET /readyz", response.status)
            break
    except (urllib.error.URLError, ConnectionError):
        time.sleep(0.5)
else:
    sys.exit("the server did not become ready: " + open("/tmp/serve.log").read()[-2000:])
url = base + "/api/areas/locate?lon=104.63&lat=35.00"
with urllib.request.urlopen(url, timeout=10) as response:
    body = json.load(response)
    print("  -> GET /api/areas/locate?lon=104.63&lat=35.00", response.status)
print(json.dumps(body, ensure_ascii=False, indent=1)[:800])
assert body["grid"]["level"] == "grid" and body["county"]["code"], body
PY
kill -TERM "$serve_pid"
wait "$serve_pid" || true
# The same bundle again: the upgrade path (backup first, migrate, restart), still offline; then
# an operator's command through the Makefile (its setup step must not reach for the network).
cd /root/pingan-grid-*/
step "install.sh again (upgrade path)"
./install.sh --prefix /srv/pingan | grep -E '^==>|pingan-backup'
cd /srv/pingan
step "make backup"
make -s backup
ls var/backups/pingan-backup-*.tar | wc -l | grep -qx 2
scripts/pg.sh stop
echo "BUNDLE_CHECK_OK"
IN_ROOT
) 2>&1 | tee "$log"
grep -q '^BUNDLE_CHECK_OK$' "$log" || { echo "bundle check FAILED (log: $log)" >&2; exit 1; }
step "bundle check passed: $bundle, $(du -h "$bundle" | cut -f1); install with no network" \
  "$(sed -n 's/^INSTALL_SECONDS=//p' "$log") s (log: $log)"
