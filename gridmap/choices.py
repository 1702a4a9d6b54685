"""Choices and code rules of the four-level grid network."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid cell")


LEVEL_ORDER: tuple[str, ...] = (
    AreaLevel.COUNTY,
    AreaLevel.TOWNSHIP,
    AreaLevel.VILLAGE,
    AreaLevel.GRID,
)

# The statistical code is a materialised path: the significant prefix of an area's code is the
# prefix every descendant's code starts with (county 6 digits, township 9, village 12, grid 15).
CODE_PREFIX_LENGTH: dict[str, int] = {
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GRID: 15,
}
CODE_LENGTH: dict[str, int] = {
    AreaLevel.COUNTY: 12,
    AreaLevel.TOWNSHIP: 12,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GRID: 15,
}


def parent_level(level: str) -> str | None:
    """The level one above ``level`` (None for the county)."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index else None


def child_level(level: str) -> str | None:
    """The level one below ``level`` (None for a grid cell)."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


def code_prefix(code: str, level: str) -> str:
    """The part of ``code`` that every descendant's code starts with."""
    return code[: CODE_PREFIX_LENGTH[level]]


def ancestor_codes(code: str, level: str) -> list[str]:
    """Codes of the ancestors of an area, county first, derived from its own code."""
    codes = []
    for ancestor in LEVEL_ORDER[: LEVEL_ORDER.index(level)]:
        prefix = code[: CODE_PREFIX_LENGTH[ancestor]]
        codes.append(prefix.ljust(CODE_LENGTH[ancestor], "0"))
    return codes


def level_for_code(code: str) -> str | None:
    """The level a well-formed statistical code belongs to, or None."""
    if not code.isdigit():
        return None
    if len(code) == 15:
        return AreaLevel.GRID
    if len(code) != 12:
        return None
    if code[6:] == "000000":
        return AreaLevel.COUNTY
    if code[9:] == "000":
        return AreaLevel.TOWNSHIP
    return AreaLevel.VILLAGE


# The attributes an area is published with, in the API's GeoJSON and in exported files.
AREA_ATTRIBUTES: tuple[str, ...] = (
    "code",
    "name",
    "level",
    "parent_code",
    "population",
    "households",
    "version",
    "valid_from",
    "synthetic",
)


class GridWorkerRole(models.TextChoices):
    LEADER = "leader", _("Grid leader")
    MEMBER = "member", _("Grid member")
