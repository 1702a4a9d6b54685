"""Cell values as rosters and ledgers write them: ID numbers, mobile numbers, dates, names.

Each parser returns the clean value or raises ``CellError`` with a reason a person can act on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

from onboarding.tabular import Cell

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Excel's day 1 is 1900-01-01, counted with the 1900 leap-year bug: serial 60 does not exist.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials of 1950-01-01 to 2100-01-01: a number outside is no ledger date.
_SERIAL_RANGE = (18264, 73051)
_DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T日]+(\d{1,2})[:时](\d{1,2})(?::(\d{1,2}))?)?"
    ),
    re.compile(
        r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2})[:时](\d{1,2})(?::(\d{1,2}))?)?"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class CellError(ValueError):
    """A cell whose value cannot be used, with the reason."""


def clean_text(value: Cell) -> str:
    """Text as compared and stored: half-width (NFKC), no surrounding or doubled spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def _digits_only(value: Cell) -> str:
    return re.sub(r"[\s\-]+", "", clean_text(value))


def id_check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_id_number(value: Cell) -> str:
    """An 18-character resident ID number, checked; "" when the cell is empty.

    A number Excel stored as a float (``6.21122E+17`` or ``621122199001011234.0``) has lost its
    last digits: refused with the advice to format the column as text.
    """
    if isinstance(value, float) or (
        isinstance(value, str) and _SCIENTIFIC.match(_digits_only(value))
    ):
        raise CellError(
            _(
                "The ID number was stored as a number (%(value)s) and lost its last digits: "
                "format the column as text in Excel and type the numbers again."
            )
            % {"value": value}
        )
    text = _digits_only(value).upper()
    if not text:
        return ""
    if isinstance(value, int) or len(text) != 18 or not _ID_PATTERN.match(text):
        if isinstance(value, int) and len(text) >= 16:
            raise CellError(
                _("The ID number was stored as a number: format the column as text in Excel.")
            )
        raise CellError(
            _("An ID number has 18 characters (17 digits and a digit or X); got %(value)s.")
            % {"value": text}
        )
    expected = id_check_character(text[:17])
    if text[17] != expected:
        raise CellError(
            _("The ID number's check digit is wrong (%(got)s, expected %(expected)s): a digit "
              "was mistyped.") % {"got": text[17], "expected": expected}
        )  # fmt: skip
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise CellError(
            _("The ID number's birth date %(date)s does not exist.") % {"date": text[6:14]}
        ) from None
    return text


def parse_mobile(value: Cell) -> str:
    """A mainland mobile number (11 digits, 1[3-9]…), +86 and separators removed; "" if empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _digits_only(value).replace("(", "").replace(")", "")
    if not text:
        return ""
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not _MOBILE.match(text):
        raise CellError(
            _("%(value)s is not a mainland mobile number (11 digits starting 13-19).")
            % {"value": clean_text(value)}
        )
    return text


def parse_date(value: Cell) -> dt.date | None:
    """A date in any form a ledger uses; None when the cell is empty.

    2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, a date cell, or an Excel serial
    number (45356) from a column formatted as General.
    """
    moment = parse_moment(value)
    return moment.date() if moment is not None else None


def parse_moment(value: Cell) -> dt.datetime | None:
    """A date with its time of day when given (naive, local); None when the cell is empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = clean_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_serial(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            parts += [0] * (6 - len(parts))
            try:
                return dt.datetime(*parts[:6])
            except ValueError:
                break
    raise CellError(
        _("%(value)s is not a date (write 2024-03-05, 2024/3/5, 2024.3.5 or 2024年3月5日).")
        % {"value": text}
    )


def _from_serial(serial: float) -> dt.datetime:
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        raise CellError(
            _(
                "%(value)s is not a date: as an Excel date number it falls before 1950 or "
                "after 2100."
            )
            % {"value": clean_text(serial)}
        )
    return dt.datetime.combine(_EXCEL_EPOCH, dt.time()) + dt.timedelta(days=serial)


def parse_positive_int(value: Cell, *, default: int) -> int:
    """A whole number ≥ 1 (capacities); ``default`` when the cell is empty."""
    text = clean_text(value)
    if not text:
        return default
    try:
        number = int(float(text))
    except ValueError:
        raise CellError(_("%(value)s is not a whole number.") % {"value": text}) from None
    if number < 1 or number != float(text):
        raise CellError(_("%(value)s is not a whole number of 1 or more.") % {"value": text})
    return number


_YES = {"是", "yes", "y", "true", "1", "√", "✓", "队长", "负责人", "领队"}
_NO = {"否", "no", "n", "false", "0", "", "队员", "成员", "志愿者"}


def parse_flag(value: Cell) -> bool:
    """是/否, yes/no, 1/0, √, or a role word (队长 → yes, 队员 → no)."""
    text = clean_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("%(value)s is neither yes (是) nor no (否).") % {"value": clean_text(value)})


def split_list(value: Cell) -> list[str]:
    """Items of a list cell: separated by 、 , ， ; ； / or spaces."""
    return [item for item in re.split(r"[、,，;；/\s]+", clean_text(value)) if item]
