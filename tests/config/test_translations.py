"""The Chinese catalogue is complete: the interface speaks Simplified Chinese by default."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PO_FILE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries_with(flag: str) -> list[str]:
    """msgids msgattrib selects with ``flag`` (the header entry left out)."""
    result = subprocess.run(
        ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=True,
    )
    msgids = [line for line in result.stdout.splitlines() if line.startswith("msgid ")]
    return [m for m in msgids if m != 'msgid ""']


@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_every_message_has_a_reviewed_chinese_translation(flag):
    assert entries_with(flag) == []
