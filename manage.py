#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # A setting missing or wrong (config/environment.py names it) is the operator's to fix: one
    # line on standard error that says which, not a traceback through Django's start-up.
    try:
        settings.INSTALLED_APPS  # noqa: B018  (reading it loads config/settings.py)
    except ImproperlyConfigured as error:
        sys.exit(f"ImproperlyConfigured: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
