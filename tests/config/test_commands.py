"""Every management command of the project answers --help, in the site's languages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.utils import translation

PROJECT_APPS = ("accounts", "gridmap", "incidents", "patrols", "volunteers", "analytics")
PROJECT_COMMANDS = sorted(name for name, app in get_commands().items() if app in PROJECT_APPS)


def test_the_project_has_its_commands():
    assert {"load_demo", "load_demo_incidents", "load_demo_responders", "briefing"} <= set(
        PROJECT_COMMANDS
    )


@pytest.mark.parametrize("name", PROJECT_COMMANDS)
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_help_renders(name, language):
    command = load_command_class(get_commands()[name], name)
    with translation.override(language):
        text = command.create_parser("manage.py", name).format_help()
    assert f"manage.py {name}" in text
    assert "--help" in text
