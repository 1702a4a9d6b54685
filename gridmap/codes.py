"""Administrative codes as counties publish them, read into the 12/15-digit statistical form.

- 6-digit county codes (DataV, the civil-affairs list) and 9-digit township codes are padded with
  zeros to the 12-digit statistical code.
- Codes that went through a spreadsheet as numbers are read as the digits they stand for:
  ``621122100000.0`` and the number 621122100000.0 exactly; ``6.21122E+11`` (Excel's "General"
  display keeps 6 significant digits) only as far as its digits go: it stands for 621122000000, a
  county, whose code has no other significant digit. A scientific code whose level needs more
  digits than it shows, a fraction, or a number too large for a float to hold exactly, is refused:
  its digits were lost.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from gridmap.choices import CODE_PREFIX_LENGTH, level_for_code

# Lengths padded to the 12-digit statistical code: county (6) and township (9) prefixes.
PADDED_LENGTHS = (6, 9)
STATISTICAL_LENGTH = 12
# Integers a float (IEEE double) holds exactly; 15-digit grid codes are well below.
EXACT_FLOAT_LIMIT = 2**53
_DIGITS = re.compile(r"^[0-9]+$")
_DECIMAL = re.compile(r"^([0-9]+)\.([0-9]+)$")
_SCIENTIFIC = re.compile(r"^([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]{1,2})$")

# What happened to a code on the way in (AreaImport.report["notes"][...]["kind"]).
PADDED = "padded"
NUMBER = "number"
SCIENTIFIC = "scientific"


@dataclass(frozen=True)
class CodeReading:
    """A code as read: the digits stored, what the file held, and what was done to it.

    ``shown`` is the number of significant digits a scientific notation showed (None otherwise);
    ``error`` says why no code could be read.
    """

    code: str
    given: str
    kinds: tuple[str, ...] = ()
    shown: int | None = None
    error: str | None = None

    def lost_digits_for(self, level: str) -> bool:
        """True when a scientific code shows fewer digits than a ``level`` code's significant
        prefix: the digits after them were lost."""
        return self.shown is not None and self.shown < CODE_PREFIX_LENGTH.get(level, 0)

    def lost_digits_message(self) -> str:
        """Why a scientific code cannot be trusted, and what to do."""
        return _(
            "code %(given)s is a number in scientific notation that shows only %(shown)d "
            "digits: the rest of the code was lost (a spreadsheet rounded it). Format the code "
            "column as text and export the file again."
        ) % {"given": self.given, "shown": self.shown or 0}


def read_code(value: object) -> CodeReading:
    """The statistical code ``value`` stands for (digits, padded to 12), or why there is none."""
    if value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value))):
        return CodeReading(code="", given="")
    if isinstance(value, bool | np.bool_):
        return CodeReading(code="", given=str(value), error=_not_a_code(str(value)))
    if isinstance(value, int | np.integer):
        return _padded(CodeReading(code=str(int(value)), given=str(value)))
    if isinstance(value, float | np.floating):
        return _from_float(float(value))
    return _from_text(str(value))


def _from_float(number: float) -> CodeReading:
    given = repr(number)
    if not math.isfinite(number) or number < 0:
        return CodeReading(code="", given=given, error=_not_a_code(given))
    if not number.is_integer():
        return CodeReading(code="", given=given, error=_fraction(given))
    if number >= EXACT_FLOAT_LIMIT:
        return CodeReading(
            code="",
            given=given,
            error=_(
                "code %(given)s was stored as a floating-point number too large to hold every "
                "digit: digits were lost. Store the code as text."
            )
            % {"given": given},
        )
    return _padded(CodeReading(code=str(int(number)), given=given, kinds=(NUMBER,)))


def _from_text(raw: str) -> CodeReading:
    # Full-width digits and spaces (０-９, U+3000) come from Chinese input methods.
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    given = raw.strip()
    if _DIGITS.match(text):
        return _padded(CodeReading(code=text, given=given))
    decimal = _DECIMAL.match(text)
    if decimal:
        if decimal.group(2).strip("0"):
            return CodeReading(code="", given=given, error=_fraction(given))
        return _padded(CodeReading(code=decimal.group(1), given=given, kinds=(NUMBER,)))
    scientific = _SCIENTIFIC.match(text)
    if scientific:
        return _from_scientific(given, scientific)
    return CodeReading(code=text, given=given)


def _from_scientific(given: str, match: re.Match) -> CodeReading:
    # Every digit written in the mantissa counts, trailing zeros too: they were shown.
    digits = match.group(1) + (match.group(2) or "")
    value = Decimal(match.group(1) + "." + (match.group(2) or "0")) * 10 ** int(match.group(3))
    if value != value.to_integral_value():
        return CodeReading(code="", given=given, error=_fraction(given))
    reading = _padded(
        CodeReading(code=str(int(value)), given=given, kinds=(SCIENTIFIC,), shown=len(digits))
    )
    level = level_for_code(reading.code)
    if level is not None and reading.lost_digits_for(level):
        return CodeReading(
            code="", given=given, shown=reading.shown, error=reading.lost_digits_message()
        )
    return reading


def _padded(reading: CodeReading) -> CodeReading:
    if len(reading.code) not in PADDED_LENGTHS:
        return reading
    return CodeReading(
        code=reading.code.ljust(STATISTICAL_LENGTH, "0"),
        given=reading.given,
        kinds=(*reading.kinds, PADDED),
        shown=reading.shown,
    )


def _fraction(given: str) -> str:
    return _("code %(given)s is not a whole number: a code has only digits.") % {"given": given}


def _not_a_code(given: str) -> str:
    return _("code %(given)s is not a statistical code.") % {"given": given}


def code_notes(readings: Iterable[tuple[int, CodeReading | None]]) -> list[dict[str, object]]:
    """One note per feature whose code was padded or read from a number, for the report:
    {"feature": N, "given": what the file held, "code": the code stored, "kinds": [...]}."""
    return [
        {"feature": row, "given": reading.given, "code": reading.code, "kinds": list(reading.kinds)}
        for row, reading in readings
        if reading is not None and reading.kinds and not reading.error
    ]
