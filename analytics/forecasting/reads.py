"""Reading stored outlooks: which one covers an area, its cells there, the briefing's section.

Nothing here fits a model: the outlooks are stored by analytics.forecasting.store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import lazy

from analytics.forecasting.labels import GROUP_LABELS, drivers_text, label, skill_text
from analytics.forecasting.records import OutlookCell, StoredOutlook
from gridmap.models import Area

BRIEFING_CELLS = 15  # cells listed in the briefing; the villages line counts them all
# The briefing is rendered in the county's language, not the request's: its words are made then.
_lazy_text = lazy(lambda function, *args: function(*args), str)


def outlook_for(area: Area, month: dt.date | None = None) -> StoredOutlook | None:
    """The stored outlook covering ``area`` for ``month`` (default: the latest stored).

    An outlook of the area itself or of the closest area above it (a township reads its
    cells in the county's outlook, flagged against the whole county).
    """
    codes = [*area.ancestor_codes, area.code]
    found = StoredOutlook.objects.filter(area__code__in=codes).select_related("area")
    if month is not None:
        found = found.filter(month=month.replace(day=1))
    # The latest month first, then the deepest area (a longer prefix is a lower level).
    return min(
        found.order_by("-month")[:20],
        key=lambda o: (-o.month.toordinal(), -len(o.area.code_prefix)),
        default=None,
    )


def cells_in(stored: StoredOutlook, area: Area) -> QuerySet[OutlookCell]:
    """The flagged cells of ``stored`` inside ``area`` (its code subtree), by rank."""
    # Not stored.cells: the related manager sets each row's outlook, loading a deferred
    # outlook_id row by row under only().
    return (
        OutlookCell.objects.filter(outlook=stored, grid__code__startswith=area.code_prefix)
        .select_related("grid", "grid__parent")
        .order_by("rank")
    )


@dataclass(frozen=True)
class WatchedCell:
    """A line of the briefing's early warning."""

    rank: int
    name: str
    village: str
    expected: float
    probability: float
    groups: str  # lazy: words in the language the briefing is rendered in
    why: str


@dataclass(frozen=True)
class WatchedVillage:
    village: str
    cells: int
    expected: float


@dataclass(frozen=True)
class EarlyWarning:
    """The briefing's early-warning section for one area and month."""

    outlook: StoredOutlook
    month: dt.date
    cells: list[WatchedCell]
    total_cells: int
    villages: list[WatchedVillage]
    skill: str
    has_skill: bool


def _groups_text(groups: list) -> str:
    return "、".join(label(GROUP_LABELS, group) for group, *_rest in groups[:2])


def early_warning(area: Area, month: dt.date) -> EarlyWarning | None:
    """The stored outlook for ``month`` read for ``area``'s briefing (None: none stored)."""
    stored = outlook_for(area, month)
    if stored is None:
        return None
    fields = ("rank", "expected", "probability", "groups", "drivers", "grid__name")
    cells = list(cells_in(stored, area).only(*fields, "grid__parent__name"))
    villages: dict[str, list[OutlookCell]] = {}
    for cell in cells:
        villages.setdefault(cell.grid.parent.name, []).append(cell)
    return EarlyWarning(
        outlook=stored,
        month=stored.month,
        cells=[
            WatchedCell(
                rank=cell.rank,
                name=cell.grid.name,
                village=cell.grid.parent.name,
                expected=cell.expected,
                probability=cell.probability,
                groups=_lazy_text(_groups_text, cell.groups),
                why=_lazy_text(drivers_text, cell.drivers),
            )
            for cell in cells[:BRIEFING_CELLS]
        ],
        total_cells=len(cells),
        villages=sorted(
            (
                WatchedVillage(name, len(its), sum(c.expected for c in its))
                for name, its in villages.items()
            ),
            key=lambda v: (-v.cells, -v.expected),
        ),
        skill=_lazy_text(skill_text, stored),
        has_skill=stored.has_skill,
    )
