"""The demo county loaded once for a test module, and rolled back after it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

# Six demo logins per load: the default PBKDF2 would cost a second and a half each.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def demo_loaded(django_db_blocker, *commands: str) -> Iterator[dict[str, str]]:
    """``load_demo``, then each of ``commands`` (their printed output by name), in one
    transaction that is rolled back when the block ends. A command may carry its options,
    split at spaces ("load_demo_incidents --all-years")."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO(), verbosity=0)
        outputs = {}
        for command in commands:
            output = io.StringIO()
            name, *arguments = command.split()
            call_command(name, *arguments, stdout=output)
            outputs[command] = output.getvalue()
        yield outputs
        transaction.set_rollback(True)
