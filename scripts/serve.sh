#!/usr/bin/env bash
# Serves the site with uvicorn and, beside it, the jobs a deployment runs from cron: every minute
# `expire_offers` (an offer nobody answered goes to the next unit) and `deliver_notifications`
# (pending group-chat and SMS notifications go out); every ten minutes `check_deadlines` (overdue
# matters escalate) and `warn_deadlines` (matters near their deadline are announced); and, for the
# demo, `report_demo_positions` every minute (the synthetic units' phones; it touches nothing
# else). The jobs stop with the server. (Interim: a PostgreSQL job runner replaces this loop.)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}

(
  minute=0
  .venv/bin/python manage.py report_demo_positions -v 0 || true
  while sleep 60; do
    .venv/bin/python manage.py report_demo_positions -v 0 || true
    .venv/bin/python manage.py expire_offers -v 0 || true
    .venv/bin/python manage.py deliver_notifications -v 0 || true
    minute=$(((minute + 1) % 10))
    if [ "$minute" -eq 0 ]; then
      .venv/bin/python manage.py check_deadlines -v 0 || true
      .venv/bin/python manage.py warn_deadlines -v 0 || true
    fi
  done
) &
jobs_pid=$!
trap 'kill "$jobs_pid" 2>/dev/null || true' EXIT INT TERM

# ASGI (uvicorn, two worker processes): the live notification stream holds its connection open
# without holding a worker (docs/notifications/live.md). Proxy headers are Django's business
# (SECURE_PROXY_SSL_HEADER, NUM_PROXIES), so uvicorn leaves them alone.
.venv/bin/uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" --workers 2 \
  --no-proxy-headers --no-server-header --lifespan off --timeout-graceful-shutdown 10
