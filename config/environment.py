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


def env_bool(name: str, default: bool) -> bool:
    raw = env(name, "true" if default else "false").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def local_socket_dir(base_dir: Path) -> str:
    """Socket directory of the project's own cluster; mirrors scripts/pg-socket-dir.sh."""
    directory = str(base_dir / "var" / "pg")
    if len(directory) > 90:
        digest = hashlib.sha1(str(base_dir).encode()).hexdigest()[:12]
        directory = f"/tmp/pingan-{digest}"
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
