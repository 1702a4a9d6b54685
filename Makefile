# Pingan Grid — the two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
PY := .venv/bin/python
MANAGE := $(PY) manage.py

# Settings come from the environment (config/settings.py); the demo keeps a generated secret key
# in var/secret_key (mode 0600, scripts/secret-key.sh) so sessions survive restarts. A SECRET_KEY
# you export yourself wins.
SECRET_KEY ?= $(shell scripts/secret-key.sh)
export SECRET_KEY
# The same for the keys that encrypt parties' ID numbers and phones at rest and make them
# searchable (docs/security/encryption.md): var/field_encryption_keys, var/field_hash_key.
FIELD_ENCRYPTION_KEYS ?= $(shell scripts/secret-key.sh field_encryption_keys)
FIELD_HASH_KEY ?= $(shell scripts/secret-key.sh field_hash_key)
export FIELD_ENCRYPTION_KEYS FIELD_HASH_KEY

.PHONY: help setup db stop demo serve worker test lint check bench messages backup restore upgrade \
	bundle bundle-check docs-check screenshots

help:
	@echo "make demo   set up everything, load the Longxi demo county, serve http://127.0.0.1:$(PORT)"
	@echo "make test   set up everything, then ruff, import contracts, migrations check, pytest"
	@echo "make stop   stop the project's own PostgreSQL cluster"
	@echo "make worker run the job runner alone (make serve/demo start one beside the server)"
	@echo "make bench  run the benchmarks in bench/ (prints figures)"
	@echo "make backup                      archive database + photos under var/backups (BACKUP_DIR)"
	@echo "make restore FILE=<archive.tar>  restore an archive into the empty database (FORCE=1: replace)"
	@echo "make upgrade                     backup, migrate, collectstatic, compile messages, restart"
	@echo "make bundle        offline installation bundle under dist/ (docs/operations/offline-install.md)"
	@echo "make bundle-check  install the bundle in a clean Debian 12 root with no network, locate"
	@echo "make docs-check    run every command README and docs show, as written (~30 min)"
	@echo "make screenshots   the four journeys' screenshots into docs/screenshots/ (demo running)"

setup:
	@scripts/setup.sh

db: setup
	@scripts/pg.sh start

stop:
	@scripts/pg.sh stop

demo: db
	@$(MANAGE) migrate --no-input -v 0
	@$(MANAGE) load_demo
	@$(MANAGE) load_demo_roads
	@$(MANAGE) load_demo_incidents
	@$(MANAGE) load_demo_ledger
	@$(MANAGE) load_demo_responders
	@$(MANAGE) load_demo_service_points
	@$(MANAGE) collectstatic --no-input -v 0
	@$(MANAGE) demo_logins --url http://127.0.0.1:$(PORT)/
	@$(MAKE) --no-print-directory serve

# The site and, beside it, the job worker (periodic jobs, notification delivery); both stop
# together (docs/notifications/jobs.md).
serve:
	@PORT=$(PORT) scripts/serve.sh

# The job worker alone, e.g. a second one or beside a server started another way.
worker: db
	@$(MANAGE) migrate --no-input -v 0
	$(MANAGE) procrastinate worker

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

check: db
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) collectstatic --no-input -v 0
	$(MANAGE) makemigrations --check --dry-run

test: lint check
	.venv/bin/pytest -m "not docs"

# The four journeys' screenshots into docs/screenshots/, from the demo server `make demo` serves
# on $(PORT) (scripts/screenshots.py; another one: URL=http://host:port/).
screenshots: setup
	$(PY) scripts/screenshots.py --url $(or $(URL),http://127.0.0.1:$(PORT)/)

docs-check: lint check
	.venv/bin/pytest -m docs tests/docs

bench: db
	@$(MANAGE) migrate --no-input -v 0
	@$(MANAGE) load_demo
	@$(MANAGE) load_demo_roads
	@$(MANAGE) load_demo_incidents
	@$(MANAGE) load_demo_ledger
	@$(MANAGE) load_demo_responders
	$(PY) bench/locate.py
	$(PY) bench/intake.py
	$(PY) bench/dispatch.py
	$(PY) bench/notify.py
	$(PY) bench/hotspots.py
	@$(MANAGE) collectstatic --no-input -v 0
	$(PY) bench/map.py

messages: setup
	$(MANAGE) makemessages -l zh_Hans --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --ignore 'node_modules/*'
	$(MANAGE) makemessages -d djangojs -l zh_Hans --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --ignore 'node_modules/*'

# Backup, restore, upgrade (docs/operations/backup.md). `make backup` prints the archive's path.
backup: db
	@$(MANAGE) backup

restore: db
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=var/backups/pingan-backup-<time>.tar [FORCE=1]" >&2; exit 2; fi
	@$(MANAGE) restore "$(FILE)" $(if $(FORCE),--force)

# Run after getting the new code (git pull, or a new release unpacked over this one): `make db`
# installs the new pins and compiles the catalogues; the backup comes first, so that a failed
# migration can be rolled back by restoring it.
upgrade: db
	@echo "==> backup before upgrading"
	@$(MANAGE) backup
	@echo "==> migrate"
	@$(MANAGE) migrate --no-input
	@echo "==> collectstatic"
	@$(MANAGE) collectstatic --no-input -v 0
	@echo "==> compile messages"
	@$(MANAGE) compilemessages -v 0 --ignore=.venv --ignore=var --ignore=node_modules
	@scripts/restart.sh

# Offline installation (docs/operations/offline-install.md): one archive under dist/ with the
# project, its wheels and Debian packages; bundle-check installs it in a minimal Debian root with
# the network cut and asks it for a locate (as root; builds the bundle first when missing).
bundle: setup
	@scripts/bundle.sh

bundle-check: setup
	@scripts/bundle-check.sh
