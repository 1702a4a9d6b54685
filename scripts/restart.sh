#!/usr/bin/env bash
# The last step of `make upgrade`: make the running site load the new code.
# - Under systemd (production, docs/deploy.md): restarts each unit in PINGAN_UNITS that is
#   installed (default: pingan-web.service pingan-worker.service).
# - Otherwise (`make demo` / `make serve` in a terminal) there is nothing this script can restart:
#   it says so, and the operator stops the server with Ctrl-C and runs `make serve` again.
# RESTART_COMMAND, when set, is run instead of all this (e.g. a supervisor or container command).
set -euo pipefail
if [ -n "${RESTART_COMMAND:-}" ]; then
  echo "==> restarting: $RESTART_COMMAND"
  exec bash -c "$RESTART_COMMAND"
fi
units=${PINGAN_UNITS:-pingan-web.service pingan-worker.service}
restarted=0
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for unit in $units; do
    if [ -n "$(systemctl list-unit-files --no-legend "$unit" 2>/dev/null)" ]; then
      echo "==> systemctl restart $unit"
      systemctl restart "$unit"
      restarted=1
    fi
  done
fi
if [ "$restarted" -eq 0 ]; then
  echo "==> no Pingan Grid service under systemd here ($units): nothing restarted."
  echo "    If \`make demo\` or \`make serve\` is running, stop it (Ctrl-C) and run \`make serve\` again."
fi
