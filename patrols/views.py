"""Pages of patrols: the leader's phone page, a grid's patrols with their tracks, the month's
coverage tables (assessment). Thin: they check who may see what, call queries and render."""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from config.pwa import queue_strings
from gridmap.choices import AreaLevel
from gridmap.models import Area
from gridmap.scoping import user_area
from gridmap.views import map_strings
from patrols.access import (
    may_see_figures,
    may_see_tracks_of,
    record_track_view,
    visible_patrols,
)
from patrols.api import patrol_summary
from patrols.coverage import Figures, month_bounds, month_coverage, month_figures
from patrols.models import Patrol


def parse_month(raw: str | None) -> dt.date:
    """``2026-11`` → 2026-11-01; the current local month when missing or malformed."""
    try:
        return dt.datetime.strptime(str(raw or ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_links(month: dt.date) -> dict[str, str]:
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return {"previous": f"{previous:%Y-%m}", "next": f"{following:%Y-%m}", "this": f"{month:%Y-%m}"}


def _strings() -> dict[str, object]:
    strings = map_strings()
    return {"baseMaps": strings["baseMaps"], "tiandituAttribution": strings["tiandituAttribution"]}


def _walk_strings() -> dict[str, str]:
    """The texts of the patrol page's script (js/patrol-walk.js), translated."""
    return {
        "recording": _("Recording: %(points)s points, %(metres)s m."),
        "waiting": _("Waiting for the first GPS fix…"),
        "sending": _("Sending…"),
        "sent": _("All points sent."),
        "pending": _("Waiting to send: %(count)s points."),
        "ended": _("Patrol ended: %(metres)s m, %(share)s of the grid within 50 m."),
        "endedOffline": _(
            "Patrol ended on this phone; it is sent with its track when the connection returns."
        ),
        "denied": _("Location permission was refused: allow it for this site to record a patrol."),
        "unavailable": _("This phone cannot give its position."),
        "failed": _("The server refused: %(detail)s"),
        "offline": _("No connection; the points are kept and sent later."),
        "noStorage": _(
            "This browser cannot keep anything offline; send it when you have a network."
        ),
        "labelStart": _("Patrol start"),
        "labelEnd": _("Patrol end"),
        "labelBatch": _("Track: %(count)s points"),
    }


@login_required
def walk(request: HttpRequest) -> HttpResponse:
    """The grid leader's phone page: start and end a patrol; the phone records the track."""
    grid = user_area(request.user)
    if getattr(request.user, "role", None) != Role.GRID_LEADER or grid is None:
        raise PermissionDenied(_("Only a grid leader patrols a grid."))
    open_patrol = Patrol.objects.filter(leader=request.user, ended_at__isnull=True).first()
    recent = Patrol.objects.filter(leader=request.user, ended_at__isnull=False)[:5]
    # The offline queue names a patrol by its uid (the phone's, known before the start is sent).
    no_uid = "00000000-0000-0000-0000-000000000000"
    data = {
        "user": request.user.pk,
        "startUrl": reverse("api-patrol-start"),
        "pointsUrl": reverse("api-patrol-points-by-uid", args=[no_uid]),
        "endUrl": reverse("api-patrol-end-by-uid", args=[no_uid]),
        "open": patrol_summary(open_patrol) if open_patrol else None,
        # A copy of this page saved on the phone is older than what the phone itself did since.
        "renderedAt": timezone.now().isoformat(),
        "strings": _walk_strings(),
    }
    context = {"grid": grid, "data": data, "recent": recent, "queue_strings": queue_strings()}
    return render(request, "patrols/walk.html", context)


@login_required
def grid_patrols(request: HttpRequest, code: str) -> HttpResponse:
    """A grid's patrols of a month: the tracks on a map, each patrol's figures, the month's
    coverage. For the grid's leader and its center chain; a view by staff is logged."""
    grid = Area.objects.filter(code=code, level=AreaLevel.GRID).first()
    if grid is None or not may_see_tracks_of(request.user, grid):
        if grid is not None and getattr(request.user, "role", None) in {
            Role.LEADERSHIP,
            Role.RESPONDER,
        }:
            raise PermissionDenied(_("Tracks are shown to the grid's centers only."))
        raise Http404(_("No grid %(code)s that you can see.") % {"code": code})
    month = parse_month(request.GET.get("month"))
    start, end = month_bounds(month)
    patrols = list(
        visible_patrols(request.user)
        .filter(grid=grid, started_at__gte=start, started_at__lt=end)
        .select_related("leader")
        .prefetch_related("reports__incident")
    )
    record_track_view(request=request, patrols=patrols, label=f"{grid.code} {month:%Y-%m}")
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(p.track.geojson),
            "properties": {
                "id": p.pk,
                "leader": p.leader.get_full_name() or p.leader.username,
                "started": timezone.localtime(p.started_at).strftime("%m-%d %H:%M"),
            },
        }
        for p in patrols
        if p.track is not None
    ]
    whole = month_figures(grid.code, month).get((grid.pk, None), Figures())
    map_data = {
        **_strings(),
        "grid": json.loads(grid.display_boundary.geojson),
        "tracks": {"type": "FeatureCollection", "features": features},
        "radius": 50,
    }
    context = {
        "grid": grid,
        "month": month,
        "links": _month_links(month),
        "patrols": patrols,
        "whole": whole,
        "map_data": map_data,
    }
    return render(request, "patrols/grid.html", context)


def _coverage_request(request: HttpRequest) -> tuple[Area, dt.date]:
    """The area (the user's own by default, else one inside it) and month asked for."""
    if not may_see_figures(request.user):
        raise PermissionDenied(_("Your role cannot see the patrol figures."))
    mine = user_area(request.user)
    area = mine
    wanted = request.GET.get("area")
    if wanted:
        area = Area.objects.without_shapes().filter(code=wanted).first()
        if area is None or not area.code.startswith(mine.code_prefix):
            raise Http404(_("No area %(code)s that you can see.") % {"code": wanted})
    return area, parse_month(request.GET.get("month"))


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """The month's patrol figures per grid leader and per village (考核), no positions."""
    area, month = _coverage_request(request)
    table = month_coverage(area=area, month=month)
    context = {
        "area": area,
        "month": month,
        "links": _month_links(month),
        "table": table,
        "tracks_link": getattr(request.user, "role", None) in {Role.DISPATCHER, Role.COUNTY_ADMIN},
    }
    return render(request, "patrols/coverage.html", context)


CSV_HEADERS = (
    "月份", "乡镇", "村(社区)", "网格编码", "网格", "网格长",
    "巡查次数", "巡查时长(小时)", "巡查里程(公里)", "网格50米覆盖率",
)  # fmt: skip


@login_required
def coverage_csv(request: HttpRequest) -> HttpResponse:
    """The per-leader table as CSV for the assessment spreadsheets (UTF-8 with BOM for Excel)."""
    area, month = _coverage_request(request)
    table = month_coverage(area=area, month=month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="patrol-coverage-{area.code}-{month:%Y-%m}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADERS)
    townships = {
        a.pk: a.name
        for a in Area.objects.without_shapes().filter(
            pk__in={r.grid.parent.parent_id for r in table.leaders}
        )
    }
    for row in table.leaders:
        cells = [
            f"{month:%Y-%m}",
            townships.get(row.grid.parent.parent_id, ""),
            row.grid.parent.name,
            row.grid.code,
            row.grid.name,
            row.leader_name,
            str(row.figures.patrols),
            f"{row.figures.hours:.2f}",
            f"{row.figures.distance_km:.2f}",
            f"{row.figures.covered_share:.4f}",
        ]
        # A cell starting like a formula is made plain text (OWASP CSV injection advice).
        writer.writerow(["'" + c if c[:1] in "=+-@\t\r" and c else c for c in cells])
    return response
