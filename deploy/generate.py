"""Writes the production service's configuration for this checkout (docs/deploy.md).

    python3 deploy/generate.py --out DIR --domain grid.example.gov.cn [--user pingan]
        [--workers N] [--memory-gb N] [--tls-cert FILE --tls-key FILE] [--env-file FILE]

From the templates in deploy/templates/ it writes into DIR: the systemd units pingan-web.service
(gunicorn with uvicorn workers), pingan-worker.service (the job worker), pingan-backup.service and
.timer (nightly backup), the nginx site pingan-nginx.conf, the PostgreSQL settings
pingan-postgresql.conf sized for the server, the logrotate file pingan-logrotate, the wrapper
pingan-manage, the environment file pingan.env and pingan-database.sql, which makes the database
role (both mode 0600: they hold secrets). The environment file keeps the keys and the database
password of an existing --env-file (default /etc/pingan/pingan.env) when it can read one, and
otherwise holds newly generated ones.

Only the standard library: it runs with the system's python3 before .venv or any key exists.
tests/ops/test_deploy_config.py checks the output with systemd-analyze, nginx -t, logrotate and
postgres.
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
KEYS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY")
# incidents.photos.MAX_PHOTOS and the PHOTO_MAX_MB default (tests/ops checks they agree).
MAX_PHOTOS = 6
# What one web process holds at most (DB_POOL_MAX_SIZE's default), and the job worker beyond its
# Django pool: procrastinate's own connections (listener, job fetching, concurrency).
POOL_MAX = 8
WORKER_EXTRA_CONNECTIONS = 10
# Files written, and their modes.
OUTPUTS = {
    "pingan-web.service": 0o644,
    "pingan-worker.service": 0o644,
    "pingan-backup.service": 0o644,
    "pingan-backup.timer": 0o644,
    "pingan-nginx.conf": 0o644,
    "pingan-postgresql.conf": 0o644,
    "pingan-logrotate": 0o644,
    "pingan-manage": 0o755,
    "pingan.env": 0o600,
    "pingan-database.sql": 0o600,
}


def memory_gb() -> int:
    """This machine's memory in whole GB (the default of --memory-gb)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return max(1, round(int(line.split()[1]) / 1024 / 1024))
    return 8


def existing_keys(env_file: Path) -> dict[str, str]:
    """The three keys and DATABASE_URL of an environment file already in use ({} when there is
    none to read)."""
    try:
        text = env_file.read_text()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() in (*KEYS, "DATABASE_URL") and value.strip():
            found[name.strip()] = value.strip()
    return found if set(KEYS) <= set(found) else {}


def new_keys(user: str) -> dict[str, str]:
    """Fresh keys, as docs/security/deployment.md generates them, and a database password."""
    # The local PostgreSQL over TCP with a password: root's `make upgrade` and the services reach
    # it alike (peer authentication would tie the role to one system user).
    password = secrets.token_hex(24)
    return {
        "DATABASE_URL": f"postgis://{user}:{password}@127.0.0.1:5432/pingan",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(48),
    }


def postgres_sizes(memory: int, workers: int, pool_max: int) -> dict[str, str]:
    """PostgreSQL memory and connection settings for ``memory`` GB shared with the site."""
    needed = workers * pool_max + pool_max + WORKER_EXTRA_CONNECTIONS
    # Room for manage.py commands, a backup, psql sessions and PostgreSQL's reserved slots.
    max_connections = max(100, math.ceil((needed + 20) / 10) * 10)
    mb = memory * 1024
    work_mem = max(4, mb // 4 // max_connections)
    return {
        "connections_needed": str(needed),
        "max_connections": str(max_connections),
        "shared_buffers": f"{mb // 4}MB",
        "effective_cache_size": f"{mb // 2}MB",
        "work_mem": f"{work_mem}MB",
        "maintenance_work_mem": f"{min(1024, mb // 16)}MB",
    }


def values(args: argparse.Namespace) -> dict[str, str]:
    """Every {{name}} the templates use."""
    root = args.root.resolve()
    photo_max_mb = int(os.environ.get("PHOTO_MAX_MB", "15"))
    keys = {**new_keys(args.user), **existing_keys(args.env_file)}
    if args.database_url:
        keys["DATABASE_URL"] = args.database_url
    database = urlsplit(keys["DATABASE_URL"])
    under_home = any(str(root).startswith(home) for home in ("/home/", "/root/", "/run/user/"))
    media_root = args.media_root or root / "var" / "media"
    backup_dir = args.backup_dir or root / "var" / "backups"
    return {
        "root": str(root),
        "user": args.user,
        "domain": args.domain,
        "workers": str(args.workers),
        "bind": f"127.0.0.1:{args.port}",
        "env_file": str(args.env_file),
        "media_root": str(media_root),
        "backup_dir": str(backup_dir),
        "static_root": str(root / "var" / "static"),
        "log_dir": str(args.log_dir),
        "tls_cert": str(args.tls_cert or f"/etc/ssl/certs/{args.domain}.crt"),
        "tls_key": str(args.tls_key or f"/etc/ssl/private/{args.domain}.key"),
        "protect_home": "read-only" if under_home else "true",
        "keep_days": str(args.keep_days),
        "max_photos": str(MAX_PHOTOS),
        "photo_max_mb": str(photo_max_mb),
        "client_max_body_size": f"{MAX_PHOTOS * photo_max_mb + 10}m",
        "memory_gb": str(args.memory_gb),
        "pool_max": str(POOL_MAX),
        "database_url": keys["DATABASE_URL"],
        "db_user": unquote(database.username or args.user),
        # Over a socket with peer authentication (a --database-url without one): no password.
        "db_password": f" PASSWORD '{unquote(database.password)}'" if database.password else "",
        "db_name": database.path.lstrip("/") or "pingan",
        "secret_key": keys["SECRET_KEY"],
        "field_encryption_keys": keys["FIELD_ENCRYPTION_KEYS"],
        "field_hash_key": keys["FIELD_HASH_KEY"],
        **postgres_sizes(args.memory_gb, args.workers, POOL_MAX),
    }


def render(template: str, name: str, given: dict[str, str]) -> str:
    """The template with each {{name}} replaced; an unknown name is an error, not a blank."""
    given = {**given, "generated": f"Generated by deploy/generate.py from deploy/templates/{name}"}

    def substitute(match: re.Match) -> str:
        try:
            return given[match.group(1)]
        except KeyError:
            raise SystemExit(f"deploy/templates/{name}: unknown {{{{{match.group(1)}}}}}") from None

    return re.sub(r"\{\{(\w+)\}\}", substitute, template)


def generate(args: argparse.Namespace) -> list[Path]:
    """Writes every file into args.out; returns their paths."""
    given = values(args)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, mode in OUTPUTS.items():
        path = args.out / name
        text = render((TEMPLATES / name).read_text(), name, given)
        # Created with its final mode: the environment file is never readable by others.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        path.chmod(mode)
        written.append(path)
    return written


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="deploy/generate.py", description=__doc__.split("\n\n")[0].strip()
    )
    p.add_argument("--out", type=Path, required=True, help="folder to write the files into")
    p.add_argument("--domain", required=True, help="the site's host name, e.g. grid.example.gov.cn")
    p.add_argument("--user", default="pingan", help="system user the services run as (pingan)")
    p.add_argument(
        "--workers",
        type=int,
        default=max(2, os.cpu_count() or 2),
        help="web processes (default: one per core, at least 2)",
    )
    p.add_argument(
        "--memory-gb",
        type=int,
        default=memory_gb(),
        help="the server's memory, for PostgreSQL's settings (default: this machine's)",
    )
    p.add_argument("--port", type=int, default=8000, help="gunicorn's port on 127.0.0.1 (8000)")
    p.add_argument("--tls-cert", type=Path, help="certificate chain (/etc/ssl/certs/DOMAIN.crt)")
    p.add_argument("--tls-key", type=Path, help="its private key (/etc/ssl/private/DOMAIN.key)")
    p.add_argument(
        "--env-file",
        type=Path,
        default=Path("/etc/pingan/pingan.env"),
        help="where the services read their environment (/etc/pingan/pingan.env)",
    )
    p.add_argument(
        "--database-url", help="default: the local PostgreSQL, role --user, a new password"
    )
    p.add_argument("--media-root", type=Path, help="MEDIA_ROOT (default: var/media)")
    p.add_argument("--backup-dir", type=Path, help="BACKUP_DIR (default: var/backups)")
    p.add_argument(
        "--log-dir",
        type=Path,
        default=Path("/var/log/pingan"),
        help="nginx's logs of the site (/var/log/pingan)",
    )
    p.add_argument("--keep-days", type=int, default=14, help="days nightly archives are kept (14)")
    p.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    kept = bool(existing_keys(args.env_file))
    for path in generate(args):
        print(path)
    print(
        f"keys in pingan.env: {'those of ' + str(args.env_file) if kept else 'newly generated'}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
