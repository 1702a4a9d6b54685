"""Finding a row's area: by code when given, else by the name path 乡镇 + 村/社区 + 网格.

Names are compared half-width and without spaces, and tolerate the suffixes rosters add or drop
(北关村 / 北关村委会 / 北关村民委员会; 东城社区 / 东城社区居委会; 巩昌镇 / 巩昌); a grid may be
named within its village (第2网格, 2网格, 第二网格 for 北关村第2网格). A name is looked for only
under the township the row gives: a village of the same name in another township is never taken
instead. A place that is unknown or ambiguous raises PlaceError naming the closest names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from gridmap.choices import AreaLevel
from gridmap.models import Area

_TOWNSHIP_SUFFIXES = ("街道办事处", "人民政府", "街道", "镇", "乡")
_VILLAGE_SUFFIXES = (
    "社区居民委员会", "村民委员会", "社区居委会", "居民委员会", "村委会", "居委会", "社区", "村",
)  # fmt: skip
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_GRID_NUMBER = re.compile(r"第?([0-9零〇一二两三四五六七八九十百]+)号?网格")


def normalise_name(text: str) -> str:
    """A place name as compared: half-width, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def township_key(name: str) -> str:
    """巩昌镇 / 巩昌镇人民政府 / 巩昌 → 巩昌."""
    return _strip(_strip(normalise_name(name), ("人民政府",)), _TOWNSHIP_SUFFIXES)


def village_key(name: str) -> str:
    """北关村 / 北关村委会 / 北关村民委员会 → 北关; 东城社区居委会 → 东城."""
    return _strip(normalise_name(name), _VILLAGE_SUFFIXES)


def _chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "百" in text:
        return None
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (
            _CN_DIGITS.get(ones, 0) if ones else 0
        )
    value = 0
    for char in text:
        if char not in _CN_DIGITS:
            return None
        value = value * 10 + _CN_DIGITS[char]
    return value


def grid_number(name: str) -> int | None:
    """第2网格 / 2网格 / 第二网格 / 北关村第十二网格 → the number; None when not numbered."""
    match = _GRID_NUMBER.search(normalise_name(name))
    return _chinese_number(match.group(1)) if match else None


class PlaceError(ValueError):
    """No area, or several, for a row's place; ``field`` is the column it concerns."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Place:
    """One area in force, without its shapes."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None


@dataclass
class _Names:
    """Areas under one parent (or county-wide) by normalised name, key and grid number."""

    exact: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    keyed: dict[str, list[Place]] = field(default_factory=lambda: defaultdict(list))
    numbered: dict[int, list[Place]] = field(default_factory=lambda: defaultdict(list))
    names: list[str] = field(default_factory=list)

    def add(self, place: Place, key: str, number: int | None = None) -> None:
        self.exact[normalise_name(place.name)].append(place)
        if key:
            self.keyed[key].append(place)
        if number is not None:
            self.numbered[number].append(place)
        self.names.append(place.name)


class AreaIndex:
    """Every area in force, indexed for lookups by code and by name path (built once per import)."""

    def __init__(self, places: list[Place]) -> None:
        self.by_code = {p.code: p for p in places}
        self.by_id = {p.id: p for p in places}
        self.townships = _Names()
        self.villages = _Names()  # county-wide
        self.grids = _Names()  # county-wide, full names only
        self.children: dict[int, _Names] = defaultdict(_Names)
        self._cache: dict[tuple[str, ...], Place] = {}
        for place in sorted(places, key=lambda p: p.code):
            if place.level == AreaLevel.TOWNSHIP:
                self.townships.add(place, township_key(place.name))
            elif place.level == AreaLevel.VILLAGE:
                self.villages.add(place, village_key(place.name))
                self.children[place.parent_id].add(place, village_key(place.name))
            elif place.level == AreaLevel.GRID:
                self.grids.add(place, "")
                village = self.by_id.get(place.parent_id)
                local = normalise_name(place.name)
                if village is not None:
                    for prefix in (normalise_name(village.name), village_key(village.name)):
                        if local.startswith(prefix) and len(local) > len(prefix):
                            local = local[len(prefix) :]
                            break
                self.children[place.parent_id].add(place, local, grid_number(place.name))

    @classmethod
    def load(cls, within: Area | None = None) -> AreaIndex:
        """The areas in force, from the database; ``within``: only that area's subtree (an
        importer's jurisdiction: a place outside it is then unknown)."""
        areas = Area.objects.current()
        if within is not None:
            areas = areas.within(within)
        rows = areas.values_list("id", "code", "name", "level", "parent_id")
        return cls([Place(*row) for row in rows])

    # --- by code ------------------------------------------------------------------------------

    def by_area_code(self, raw: str, column: str = "area_code") -> Place:
        """An area by its code: 12 or 15 digits, or a 6-digit county / 9-digit township code."""
        code = re.sub(r"\D", "", normalise_name(raw))
        if len(code) in (6, 9):
            code = code.ljust(12, "0")
        place = self.by_code.get(code)
        if place is None:
            raise PlaceError(column, _("No area has the code %(code)s.") % {"code": raw})
        return place

    # --- by name path -------------------------------------------------------------------------

    def find(self, *, township: str = "", village: str = "", grid: str = "") -> Place:
        """The deepest area the names give (grid, else village, else township)."""
        key = (normalise_name(township), normalise_name(village), normalise_name(grid))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._find(*key)
            self._cache[key] = cached
        return cached

    def _find(self, township: str, village: str, grid: str) -> Place:
        if not (township or village or grid):
            raise PlaceError("township", _("The row names no place (乡镇, 村/社区 or 网格)."))
        town = self._township(township) if township else None
        vill = self._village(village, town) if village else None
        if grid:
            return self._grid(grid, vill, town)
        if vill is not None:
            return vill
        assert town is not None
        return town

    def _township(self, name: str) -> Place:
        found = self.townships.exact.get(name) or self.townships.keyed.get(township_key(name))
        if not found:
            raise PlaceError(
                "township",
                _("No township named %(name)s; closest: %(closest)s.")
                % {"name": name, "closest": closest(name, self.townships.names)},
            )
        if len(found) > 1:
            raise PlaceError(
                "township",
                _("Several townships are named %(name)s: %(codes)s; give the code.")
                % {"name": name, "codes": ", ".join(p.code for p in found)},
            )
        return found[0]

    def _village(self, name: str, town: Place | None) -> Place:
        names = self.children[town.id] if town is not None else self.villages
        found = names.exact.get(name) or names.keyed.get(village_key(name))
        if found and len(found) == 1:
            return found[0]
        if found:
            where = "、".join(f"{self._parent_name(p)}{p.name} ({p.code})" for p in found)
            raise PlaceError(
                "village",
                _("%(name)s is ambiguous: %(where)s; give the township or the code.")
                % {"name": name, "where": where},
            )
        elsewhere = self.villages.exact.get(name) or self.villages.keyed.get(village_key(name))
        if town is not None and elsewhere:
            raise PlaceError(
                "village",
                _("%(town)s has no village or community %(name)s (there is one in %(other)s); "
                  "closest in %(town)s: %(closest)s.")
                % {
                    "town": town.name,
                    "name": name,
                    "other": "、".join(self._parent_name(p) for p in elsewhere),
                    "closest": closest(name, names.names),
                },
            )  # fmt: skip
        raise PlaceError(
            "village",
            _("No village or community named %(name)s%(within)s; closest: %(closest)s.")
            % {
                "name": name,
                "within": _(" in %(town)s") % {"town": town.name} if town else "",
                "closest": closest(name, names.names),
            },
        )

    def _grid(self, name: str, vill: Place | None, town: Place | None) -> Place:
        if vill is not None:
            names = self.children[vill.id]
            number = grid_number(name)
            found = (
                names.exact.get(name)
                or names.keyed.get(name)
                or (names.numbered.get(number) if number is not None else None)
            )
        else:
            names = self.grids
            found = names.exact.get(name)
            if found and town is not None:
                found = [p for p in found if self._township_of(p) == town.id]
        if found and len(found) == 1:
            return found[0]
        if found:
            raise PlaceError(
                "grid",
                _("%(name)s is ambiguous: %(codes)s; give the village or the grid code.")
                % {"name": name, "codes": ", ".join(p.code for p in found)},
            )
        raise PlaceError(
            "grid",
            _("No grid named %(name)s%(within)s; closest: %(closest)s.")
            % {
                "name": name,
                "within": _(" in %(village)s") % {"village": vill.name} if vill else "",
                "closest": closest(name, names.names),
            },
        )

    def _parent_name(self, place: Place) -> str:
        parent = self.by_id.get(place.parent_id) if place.parent_id else None
        return parent.name if parent else ""

    def _township_of(self, place: Place) -> int | None:
        while place is not None and place.level not in (AreaLevel.TOWNSHIP, AreaLevel.COUNTY):
            place = self.by_id.get(place.parent_id)  # type: ignore[assignment]
        return place.id if place is not None else None

    # --- free text ----------------------------------------------------------------------------

    def in_address(self, text: str) -> Place:
        """The deepest area named in an address such as 巩昌镇北关村三社 (or 北关村第2网格)."""
        key = ("@", normalise_name(text))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._in_address(key[1])
            self._cache[key] = cached
        return cached

    def _in_address(self, text: str) -> Place:
        if not text:
            raise PlaceError("address", _("The row names no place."))
        town = _longest_in(text, self.townships, township_key)
        villages = self.children[town.id] if town is not None else self.villages
        vill = _longest_in(text, villages, village_key)
        if vill is None:
            if town is not None:
                return town
            raise PlaceError(
                "address",
                _("No township, village or community of the county is named in %(text)s; "
                  "closest villages: %(closest)s.")
                % {"text": text, "closest": closest(text, self.villages.names)},
            )  # fmt: skip
        number = grid_number(text)
        grids = self.children[vill.id]
        found = grids.numbered.get(number) if number is not None else None
        if found and len(found) == 1:
            return found[0]
        return vill


def _longest_in(text: str, names: _Names, key_of: object) -> Place | None:
    """The area whose name (or short form) occurs in ``text``; the longest match wins.

    Raises PlaceError when two different areas match equally well (the same short name in two
    townships, with no township in the text).
    """
    best: list[Place] = []
    best_length = 0
    for table in (names.exact, names.keyed):
        for name, places in table.items():
            if len(name) >= 2 and name in text and len(name) >= best_length:
                if len(name) > best_length:
                    best, best_length = [], len(name)
                best.extend(p for p in places if p not in best)
    if len(best) > 1:
        raise PlaceError(
            "address",
            _("%(text)s is ambiguous: %(codes)s; add the township.")
            % {"text": text, "codes": "、".join(f"{p.name} ({p.code})" for p in best)},
        )
    return best[0] if best else None


def closest(name: str, choices: list[str], limit: int = 3) -> str:
    """The closest names to ``name`` among ``choices``, for an error message."""
    if not choices:
        return _("(none)")
    found = process.extract(name, choices, scorer=fuzz.WRatio, limit=limit)
    return "、".join(choice for choice, _score, _index in found)
