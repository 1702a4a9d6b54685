#!/usr/bin/env bash
# Serves the site with uvicorn and, beside it, the job runner: a procrastinate worker on the same
# database that runs the periodic jobs (offers expiring, deadlines, warnings, briefings, clean-up)
# and delivers notifications within seconds (docs/notifications/jobs.md). They stop together:
# Ctrl-C or a TERM to this script stops both, the worker after its running jobs; either one
# ending stops the other.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}

server_pid="" worker_pid=""
stop_both() {
  # One TERM each: uvicorn closes its connections, the worker takes no new job and waits for
  # the running ones (JOBS_SHUTDOWN_TIMEOUT_S). A second signal would stop either at once.
  for pid in $server_pid $worker_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_both EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each in a session of its own (setsid), so that a Ctrl-C in the terminal reaches them only as
# the one TERM above.
setsid .venv/bin/python manage.py procrastinate worker &
worker_pid=$!
# ASGI (uvicorn, two worker processes): the live notification stream holds its connection open
# without holding a worker (docs/notifications/live.md). Proxy headers are Django's business
# (SECURE_PROXY_SSL_HEADER, NUM_PROXIES), so uvicorn leaves them alone.
setsid .venv/bin/uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" --workers 2 \
  --no-proxy-headers --no-server-header --lifespan off --timeout-graceful-shutdown 10 &
server_pid=$!
wait -n "$server_pid" "$worker_pid"
