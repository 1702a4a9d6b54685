"""Blank templates per kind: the headers the importer reads, ID and phone columns as text."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from onboarding.columns import SYNONYMS

# The columns of each template, in order (the first synonym of each field is the header).
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "staff": ("name", "gender", "phone", "id_number", "township", "village", "grid", "area_code",
              "position"),
    "units": ("name", "kind", "skills", "capacity", "phone", "travel_mode", "township", "village",
              "area_code"),
    "volunteers": ("squad", "name", "gender", "phone", "id_number", "is_leader", "skills",
                   "township", "village"),
    "ledger": ("number", "received", "category", "description", "parties", "address", "township",
               "village", "grid", "lon", "lat", "crs", "outcome", "closed", "unit"),
}  # fmt: skip
# Typed as text so Excel keeps every digit (an ID number as a number loses its last three).
TEXT_FIELDS = {"phone", "id_number", "area_code", "number"}


def template_headers(kind: str) -> list[str]:
    """The header row of the template for ``kind``."""
    return [SYNONYMS[kind][field][0] for field in TEMPLATE_FIELDS[kind]]


def write_template(kind: str, path: Path | BinaryIO) -> Path | BinaryIO:
    """Write the blank .xlsx template of ``kind`` to ``path`` (a path or a binary file)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(template_headers(kind))
    for index, field in enumerate(TEMPLATE_FIELDS[kind], start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 16
        if field in TEXT_FIELDS:
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"
    workbook.save(path)
    return path
