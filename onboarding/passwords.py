"""One-time initial passwords for imported accounts, and the list the administrator receives."""

from __future__ import annotations

import csv
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from onboarding.hashers import InitialPasswordHasher

# No 0/O, 1/l/I: the list is read aloud and typed on phones.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_ALPHABET = _LOWER + _UPPER + _DIGITS
LENGTH = 14


@dataclass(frozen=True)
class IssuedPassword:
    """One line of the list: the account and its initial password (never logged)."""

    username: str
    name: str
    area: str
    password: str


def new_initial_password() -> str:
    """14 random characters with a lower-case letter, a capital and a digit (the site's rules)."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _i in range(LENGTH))
        if (
            any(c in _LOWER for c in password)
            and any(c in _UPPER for c in password)
            and any(c in _DIGITS for c in password)
        ):
            return password


def hash_initial_password(password: str) -> str:
    """The stored form of an initial password (onboarding.hashers.InitialPasswordHasher)."""
    # Encoded with the hasher itself, not through make_password(): settings that list other
    # hashers (fast test settings) must not make an import fail.
    hasher = InitialPasswordHasher()
    return hasher.encode(password, hasher.salt())


def write_password_list(path: Path, issued: list[IssuedPassword]) -> Path:
    """Write the list as CSV (UTF-8 with BOM, for Excel), readable by its owner only (0600).

    The file is created new (never over an existing one) with mode 0600 from the start, so no
    other user can read it even for a moment.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([_("Username"), _("Name"), _("Area"), _("Initial password")])
        for line in issued:
            writer.writerow([line.username, line.name, line.area, line.password])
    return path
