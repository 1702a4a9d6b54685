"""A leadership briefing of an area and period: every figure, table and map it shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import maps, svg
from analytics.area_counts import OpenCounts, open_counts_by_child, overdue_matters, queue_url
from analytics.area_map import AreaShape, linked_areas_map
from analytics.choices import GI_BIN_LABELS, Trend
from analytics.coverage.models import ServicePoint
from analytics.coverage.report import Coverage, coverage
from analytics.forecasting.reads import EarlyWarning, early_warning
from analytics.heatmap import density_png, kde
from analytics.models import HotspotCell, HotspotRun
from analytics.periods import Period, add_months, months_ending
from analytics.queries import (
    MatterFilter,
    clusters,
    matter_points,
    matters,
    repeat_locations,
)
from analytics.safety import Ranked, area_index, monthly_index, ranking
from analytics.services import AnalyticsInputError, run_hotspots
from gridmap.choices import AreaLevel
from gridmap.models import Area
from incidents.choices import OPEN_STATES
from incidents.models import Incident
from incidents.rates import Rates, area_rates, monthly_rates
from patrols.briefing import PatrolSection, patrol_section
from roads.queries import active_network

Progress = Callable[[str], None]
TOP_HOTSPOTS = 10
LIST_LIMIT = 15
# The overdue list shows this many (longest overdue first) and links to the queue for the rest.
OVERDUE_LIMIT = 50
CONFIDENCE = {3: "99%", 2: "95%", 1: "90%"}
BRIEFING_SUGGESTIONS = 3


@dataclass
class Headline:
    label: str
    value: str
    previous: str
    change: str


@dataclass(frozen=True)
class Region:
    """A row of the region table: the child's rates and index, its open and overdue matters now
    and the queue links of both."""

    ranked: Ranked
    counts: OpenCounts
    open_url: str
    overdue_url: str


@dataclass
class Briefing:
    """Everything a briefing renders (HTML and PDF share it)."""

    area: Area
    period: Period
    generated_at: dt.datetime
    rates: Rates
    previous_rates: Rates
    index: float | None
    previous_index: float | None
    headlines: list[Headline]
    ranking: list[Ranked]
    run: HotspotRun
    hotspots: list[tuple[HotspotCell, str]]
    trend_counts: dict[str, int]
    repeats: list
    clusters: list
    overdue: list[Incident]
    supervised: list[Incident]
    trend_chart: str
    heat_png: bytes
    heat_bounds: tuple
    hotspot_svg: str
    index_svg: str
    maps: dict[str, str] = field(default_factory=dict)
    # Open matters now and the overdue ones among them, total and per child area (issue 20).
    overdue_total: int = 0
    overdue_url: str = ""
    regions: list[Region] = field(default_factory=list)
    area_svg: str = ""
    # The 10-minute service circle (None: no roads or no service points loaded).
    coverage: Coverage | None = None
    # The stored outlook of the month after the period (None: none stored; nothing is fitted).
    early_warning: EarlyWarning | None = None
    # The last month's patrol coverage (patrols/templates/patrols/_briefing_patrols.html).
    patrols: PatrolSection | None = None
    # False when the matters imported from past ledgers were left out (include_imported=0).
    include_imported: bool = True


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _change(current: float | None, previous: float | None, *, points: bool = False) -> str:
    if current is None or previous is None:
        return "—"
    if points:
        return f"{current - previous:+.1f}"
    if previous == 0:
        return "—"
    return f"{100 * (current - previous) / previous:+.1f}%"


def finding(cell: HotspotCell) -> str:
    """One line on a hot spot: where, how long and how confident, and what kind of matter."""
    confidence = CONFIDENCE.get(cell.streak_bin or cell.gi_bin, "")
    if cell.streak >= 2:
        text = _("%(name)s: hot spot at %(conf)s confidence for %(months)d months in a row") % {
            "name": cell.name,
            "conf": confidence,
            "months": cell.streak,
        }
    else:
        text = _("%(name)s: hot spot at %(conf)s confidence this period") % {
            "name": cell.name,
            "conf": CONFIDENCE.get(cell.gi_bin, ""),
        }
    if cell.trend:
        text += _(" (%(trend)s)") % {"trend": Trend(cell.trend).label}
    if cell.top_category:
        text += _(", mostly %(category)s") % {"category": cell.top_category}
    return text


def _headlines(rates: Rates, previous: Rates, index, previous_index) -> list[Headline]:
    return [
        Headline(
            _("Matters received"),
            str(rates.received),
            str(previous.received),
            _change(rates.received, previous.received),
        ),
        Headline(
            _("Matters handled"),
            str(rates.handled),
            str(previous.handled),
            _change(rates.handled, previous.handled),
        ),
        *[
            Headline(
                label,
                _percent(getattr(rates, attr)),
                _percent(getattr(previous, attr)),
                _change(
                    None if getattr(rates, attr) is None else 100 * getattr(rates, attr),
                    None if getattr(previous, attr) is None else 100 * getattr(previous, attr),
                    points=True,
                ),
            )
            for label, attr in (
                (_("Success rate"), "success_rate"),
                (_("On-time rate"), "on_time_rate"),
                (_("Satisfaction"), "satisfaction_rate"),
            )
        ],
        Headline(
            _("Safety index"),
            "—" if index is None else f"{index:.1f}",
            "—" if previous_index is None else f"{previous_index:.1f}",
            _change(index, previous_index, points=True),
        ),
    ]


def _trend_chart(area: Area, period: Period, incidents: QuerySet[Incident] | None) -> str:
    months = months_ending(period.last_month, 12)
    counts = monthly_rates(
        area=area, start=months[0].start, end=months[-1].end, incidents=incidents
    )
    index = monthly_index(area, months, incidents)
    # The month still running is marked (its figures cover only the days so far).
    today = timezone.localdate()
    return svg.line_chart(
        [f"{m.start:%m}" + ("*" if m.start <= today < m.end else "") for m in months],
        [
            (_("Matters received"), [float(m.rates.received) for m in counts]),
            # A month without matters (before the records start) has no meaningful index.
            (
                _("Safety index"),
                [
                    s if m.rates.received else None
                    for m, (_month, s) in zip(counts, index, strict=True)
                ],
            ),
        ],
    )


def _open_lists(area: Area, incidents: QuerySet[Incident] | None) -> tuple[list, int, list]:
    """The overdue matters (first OVERDUE_LIMIT), how many there are, the supervised ones."""
    related = ("township", "village", "handling_unit")
    overdue = overdue_matters(area, incidents).select_related(*related)
    base = Incident.objects.all() if incidents is None else incidents
    scoped = base.filter(grid__code__startswith=area.code_prefix).select_related(*related)
    supervised = scoped.filter(supervised=True, state__in=OPEN_STATES).order_by("due_at")
    return list(overdue[:OVERDUE_LIMIT]), overdue.count(), list(supervised[:LIST_LIMIT])


def _regions(
    area: Area, ranked: list[Ranked], incidents: QuerySet[Incident] | None
) -> tuple[list[Region], str]:
    """The region table's rows and the area map: each child's open and overdue matters now,
    linked to the queue filtered to that child."""
    counts = open_counts_by_child(area, incidents)
    regions = [
        Region(
            ranked=r,
            counts=counts.get(r.area.pk, OpenCounts()),
            open_url=queue_url(r.area),
            overdue_url=queue_url(r.area, overdue=True),
        )
        for r in ranked
    ]
    shapes = [
        AreaShape(
            geometry=region.ranked.area.display_boundary,
            label_point=region.ranked.area.label_point,
            lines=(
                region.ranked.area.name,
                _("%(open)d open · %(overdue)d overdue")
                % {"open": region.counts.open, "overdue": region.counts.overdue},
            ),
            href=region.open_url,
            open=region.counts.open,
            overdue=region.counts.overdue,
        )
        for region in regions
    ]
    return regions, linked_areas_map(shapes)


def service_circle(area: Area) -> Coverage | None:
    """The briefing's service-circle section: the default mode and minutes, three new sites."""
    if active_network() is None or not ServicePoint.objects.filter(active=True).exists():
        return None
    return coverage(area, suggest=BRIEFING_SUGGESTIONS)


def validate(area: Area) -> None:
    """A briefing covers a county, a township or a village (it compares their children)."""
    if area.level == AreaLevel.GRID:
        raise AnalyticsInputError(_("A briefing covers a county, a township or a village."))


def build(
    *,
    area: Area,
    period: Period,
    incidents: QuerySet[Incident] | None = None,
    user: object | None = None,
    progress: Progress | None = None,
) -> Briefing:
    """Compute the briefing of ``area`` over ``period`` (stores its hot-spot run)."""
    validate(area)
    # A period still running counts the days so far, and is compared with as many days before.
    period = period.as_of(timezone.localdate())
    say = progress or (lambda _message: None)
    say(_("rates and safety index"))
    rates = area_rates(area=area, start=period.start, end=period.end, incidents=incidents)
    before = period.previous()
    previous = area_rates(area=area, start=before.start, end=before.end, incidents=incidents)
    index = area_index(area, period, incidents).score
    previous_index = area_index(area, before, incidents).score
    ranked = ranking(area, period, incidents)
    say(_("trend chart"))
    chart = _trend_chart(area, period, incidents)
    say(_("hot spots (Gi*)"))
    run = run_hotspots(area=area, period=period, incidents=incidents, user=user)
    cells = list(run.cells.filter(gi_bin__gte=2))
    # A cell can be hot through its neighbours alone; those with matters of their own lead.
    cells.sort(key=lambda c: (-c.gi_bin, -c.streak, c.count == 0, -c.z))
    top = [(cell, finding(cell)) for cell in cells[:TOP_HOTSPOTS]]
    trend_counts = {
        str(Trend(t).label): sum(1 for c in cells if c.trend == t) for t in Trend.values if t
    }
    say(_("heatmap, repeat locations and clusters"))
    period_matters = matters(MatterFilter(area=area, start=period.start, end=period.end), incidents)
    density = kde(matter_points(period_matters), area.boundary.extent)
    heat_png, heat_bounds = density_png(density)
    repeats = repeat_locations(incidents, area=area, end=period.end)[:LIST_LIMIT]
    groups = clusters(period_matters, eps_m=300, min_points=8)[:LIST_LIMIT]
    say(_("overdue and supervised matters"))
    overdue, overdue_total, supervised = _open_lists(area, incidents)
    regions, area_svg = _regions(area, ranked, incidents)
    say(_("service circle"))
    circle = service_circle(area)
    say(_("maps"))
    # Not run.cells: the related manager would load run_id cell by cell under only().
    all_cells = list(HotspotCell.objects.filter(run_id=run.pk).only("geometry", "gi_bin", "name"))
    # Child outlines underneath, then only the significant cells: 2,000 outlined cells would
    # bury the few that matter.
    hotspot_svg = svg.shapes_map(
        [(r.area.display_boundary, "#f7f7f7", r.area.name) for r in ranked]
        + [(c.geometry, maps.BIN_COLOURS[c.gi_bin], c.name) for c in all_cells if c.gi_bin != 0]
    )
    index_svg = svg.shapes_map(
        [
            (
                r.area.display_boundary,
                maps.index_colour(r.value.score),
                f"{r.area.name} {r.value.score}",
            )
            for r in ranked
        ]
    )
    return Briefing(
        area=area,
        period=period,
        generated_at=timezone.now(),
        rates=rates,
        previous_rates=previous,
        index=index,
        previous_index=previous_index,
        headlines=_headlines(rates, previous, index, previous_index),
        ranking=ranked,
        run=run,
        hotspots=top,
        trend_counts=trend_counts,
        repeats=repeats,
        clusters=groups,
        overdue=overdue,
        overdue_total=overdue_total,
        overdue_url=queue_url(area, overdue=True),
        regions=regions,
        area_svg=area_svg,
        supervised=supervised,
        trend_chart=chart,
        heat_png=heat_png,
        heat_bounds=heat_bounds,
        hotspot_svg=hotspot_svg,
        index_svg=index_svg,
        coverage=circle,
        early_warning=early_warning(area, period.end),
        patrols=patrol_section(area=area, month=add_months(period.end, -1)),
    )


def add_maps(briefing: Briefing, leaflet: maps.Leaflet, *, nonce: str = "") -> None:
    """The interactive folium maps of the HTML briefing (``leaflet``: script and CSS URLs;
    ``nonce``: the page's CSP nonce for their inline scripts)."""
    outlines = maps.feature_collection(
        [(r.area.display_boundary, {"name": r.area.name}) for r in briefing.ranking]
    )
    bounds = briefing.area.boundary.extent
    cells = maps.feature_collection(
        [
            (
                c.geometry,
                {
                    "name": c.name,
                    "gi_bin": c.gi_bin,
                    "label": str(GI_BIN_LABELS[c.gi_bin]),
                    "count": c.count,
                },
            )
            for c in HotspotCell.objects.filter(run_id=briefing.run.pk).only(
                "geometry", "gi_bin", "name", "count"
            )
        ]
    )
    areas = maps.feature_collection(
        [
            (r.area.display_boundary, {"name": r.area.name, "score": r.value.score, "rank": r.rank})
            for r in briefing.ranking
        ]
    )
    built = {
        "heat": maps.heatmap_map(leaflet, briefing.heat_png, briefing.heat_bounds, outlines),
        "hotspots": maps.hotspot_map(leaflet, cells, bounds, outlines),
        "index": maps.choropleth_map(leaflet, areas, bounds),
    }
    briefing.maps = {name: maps.with_nonce(html, nonce) for name, html in built.items()}
