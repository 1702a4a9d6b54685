"""Plain-text tables that stay aligned with Chinese text in a terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (on the left if ``right``)."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def text_table(
    rows: Sequence[Sequence[str]], *, header: bool = True, right: Sequence[int] = ()
) -> list[str]:
    """``rows`` as aligned lines, a rule under the header row; ``right``: right-aligned columns."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            pad(cell, width, right=index in right)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    if header:
        lines.insert(1, "  ".join("-" * width for width in widths))
    return lines
