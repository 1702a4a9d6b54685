"""Reading settings from the environment: each value parsed and checked, a bad one named.

Pure functions of strings, used by config/settings.py (and tested on their own).
"""

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str | None = None, *, required: bool = False) -> str:
    """One environment variable; a missing required one names itself."""
    value = os.environ.get(name, default)
    if value is None or (required and value == ""):
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def production() -> bool:
    """Whether this is a production server: PINGAN_ENV=production, or HTTPS=true unless
    PINGAN_ENV says otherwise (a site served over TLS is a real one)."""
    mode = os.environ.get("PINGAN_ENV", "").strip().lower()
    if mode not in {"", "production", "development"}:
        raise ImproperlyConfigured(f"PINGAN_ENV must be production or development, not {mode!r}.")
    return mode == "production" or (mode == "" and env_bool("HTTPS", False))


def env_or_file(name: str, path: Path, *, production: bool) -> str:
    """A required secret: the environment variable, else (outside production) the file the
    Makefile keeps in var/ (scripts/secret-key.sh). The value itself never enters a message."""
    value = os.environ.get(name)
    if value is not None:
        if value == "":
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return value
    if production:
        raise ImproperlyConfigured(
            f"Set the environment variable {name} (production: no key file is read)."
        )
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    except OSError as error:
        raise ImproperlyConfigured(
            f"Set the environment variable {name}: {path} cannot be read ({error.strerror})."
        ) from None
    if not value:
        raise ImproperlyConfigured(
            f"Set the environment variable {name}, or run `make db` once to keep one in {path}."
        )
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "true" if default else "false").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Where a relocated cluster lives (below): one directory per project path, owned by postgres.
STATE_DIR = "/var/lib/pingan"


def _digest(base_dir: Path) -> str:
    return hashlib.sha1(str(base_dir).encode()).hexdigest()[:12]


def reachable_by_others(path: Path) -> bool:
    """Whether a user other than the owner may pass through every directory down to ``path``.

    Only the "others" search bit counts (not groups or ACLs): the postgres system user is neither
    the owner nor, normally, in the group of a directory under /root or /home.
    """
    for directory in [path, *path.parents]:
        try:
            mode = directory.stat().st_mode
        except OSError:
            continue  # not made yet (var/): its parents decide
        if not mode & 0o001:
            return False
    return True


def cluster_home(base_dir: Path, *, euid: int | None = None, state_dir: str | None = None) -> str:
    """Directory of the project's own cluster (data/, server.log, the socket); mirrors
    ``scripts/pg-socket-dir.sh --home``.

    As root the cluster runs as the postgres system user (initdb refuses root), which cannot
    enter a project kept in a private directory (a clone under /root, mode 0700). The cluster
    then lives in STATE_DIR/<hash of the project path> instead, and is found there again once
    made, whoever asks; otherwise (or when a cluster already lives there) in the project's var/pg.
    """
    euid = os.geteuid() if euid is None else euid
    state_dir = state_dir or os.environ.get("PINGAN_STATE_DIR") or STATE_DIR
    relocated = f"{state_dir}/{_digest(base_dir)}"
    own = base_dir / "var" / "pg"
    if Path(relocated).is_dir():
        return relocated
    if euid == 0 and not (own / "data").is_dir() and not reachable_by_others(base_dir / "var"):
        return relocated
    return str(own)


def local_socket_dir(
    base_dir: Path, *, euid: int | None = None, state_dir: str | None = None
) -> str:
    """Socket directory of the project's own cluster; mirrors scripts/pg-socket-dir.sh.

    The cluster's own directory, unless that path is too long for a Unix socket (107 bytes with
    ".s.PGSQL.5432"): then /tmp/pingan-<hash of the project path>.
    """
    directory = cluster_home(base_dir, euid=euid, state_dir=state_dir)
    if len(directory) > 90:
        directory = f"/tmp/pingan-{_digest(base_dir)}"
    return directory


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER from "Header-Name: value" ("" or "none": no proxy header)."""
    if raw.strip().lower() in {"", "none"}:
        return None
    name, sep, value = raw.partition(":")
    if not sep or not name.strip() or not value.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', not {raw!r}."
        )
    return "HTTP_" + name.strip().upper().replace("-", "_"), value.strip()


def fernet_keys(raw: str) -> list[str]:
    """FIELD_ENCRYPTION_KEYS: comma-separated Fernet keys (url-safe base64 of 32 bytes)."""
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured("Set the environment variable FIELD_ENCRYPTION_KEYS.")
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (ValueError, UnicodeEncodeError):
            valid = False
        if not valid:  # the key itself is never repeated in the message
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(url-safe base64 of 32 random bytes)."
            )
    return keys


def tile_sources(tiles: str, tile_url: str) -> list[str]:
    """Hosts the browser loads base-map tiles from, for the CSP's img-src ("" parts: own host)."""
    if tiles == "tianditu":
        return [f"https://t{n}.tianditu.gov.cn" for n in range(8)]  # incident-maps.js: t{s}
    if tiles != "osm":
        return []
    parts = urlsplit(tile_url)
    if not parts.netloc:
        return []  # a path on the site itself: 'self'
    host = parts.netloc
    if "{" in host:  # {s}.tile.example.org or t{s}.example.org: any subdomain of the rest
        host = "*." + host.split(".", 1)[1]
    return [f"{parts.scheme}://{host}"]
