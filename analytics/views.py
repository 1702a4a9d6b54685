"""Leadership pages: the analytics page with the briefing button, the briefing as HTML and PDF,
and the stored (scheduled) briefings of the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

if TYPE_CHECKING:
    from analytics.briefing import Briefing

from accounts.choices import Role
from analytics.forms import BriefingForm, areas_for, include_imported
from analytics.glance import month_glance
from analytics.periods import add_months, default_period
from analytics.stored import file_path, latest_for, served_html, visible_briefings
from incidents.queries import visible_incidents

BRIEFING_ROLES = {Role.LEADERSHIP, Role.COUNTY_ADMIN}


def _leadership(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in BRIEFING_ROLES:
        raise PermissionDenied


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The leadership page: pick an area and a period, open the briefing or download its PDF."""
    _leadership(request)
    today = timezone.localdate()
    period = default_period(today)
    quarter_start = today.replace(day=1, month=(today.month - 1) // 3 * 3 + 1)
    included = _include_imported(request)
    incidents = visible_incidents(request.user)
    if not included:
        incidents = incidents.filter(imported=False)
    return render(
        request,
        "analytics/index.html",
        {
            "areas": areas_for(request.user),
            "period": period.label,
            # Whole periods only: a partial one compared with whole ones misleads.
            "last_quarter": quarter_label(add_months(quarter_start, -3)),
            "last_year": str(today.year - 1),
            "glance": month_glance(incidents, period),
            "stored": latest_for(request.user),
            # Ticked unless the page was asked with include_imported=0 (the links carry it).
            "include_imported": included,
        },
    )


def _include_imported(request: HttpRequest) -> bool:
    try:
        return include_imported(request.GET)
    except ValueError:
        return True


def quarter_label(quarter_start: dt.date) -> str:
    """The label of the quarter that starts on ``quarter_start`` (2026Q3)."""
    return f"{quarter_start.year}Q{(quarter_start.month - 1) // 3 + 1}"


def _briefing(request: HttpRequest) -> Briefing | HttpResponse:
    # Imported here: the briefing stack (scipy, h3, folium) would otherwise load with the URLs,
    # in every worker and management command, for a page a few leaders open.
    from analytics import briefing

    _leadership(request)
    if not request.GET.get("area") and not request.GET.get("period"):
        return _own_briefing(request)
    form = BriefingForm(request.GET, user=request.user)
    if not form.is_valid():
        return _refused(request, form)
    incidents = visible_incidents(request.user)
    if not form.cleaned_data["include_imported"]:
        incidents = incidents.filter(imported=False)  # every figure, map and list of it
    result = briefing.build(
        area=form.cleaned_data["area"],
        period=form.cleaned_data["period"],
        incidents=incidents,
        user=request.user,
    )
    result.include_imported = form.cleaned_data["include_imported"]
    return result


def _own_briefing(request: HttpRequest) -> HttpResponse:
    """The address without an area and a period (a bookmark, a typed URL): the briefing of the
    user's own jurisdiction for the last whole month, as the analytics page offers it."""
    areas = areas_for(request.user)
    if not areas:
        raise PermissionDenied
    query = QueryDict(mutable=True)
    query.update(request.GET)
    query["area"] = areas[0].code
    query["period"] = default_period(timezone.localdate()).label
    return redirect(f"{request.path}?{query.urlencode()}")


def _refused(request: HttpRequest, form: BriefingForm) -> HttpResponse:
    """A briefing asked with values that do not validate: the site's error page, naming each."""
    problems = "; ".join(
        f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
        for name, messages in form.errors.items()
        for message in messages
    )
    context = {
        "status": 400,
        "title": _("This briefing cannot be made"),
        "message": problems,
        "back_url": reverse("analytics:index"),
    }
    return render(request, "error.html", context, status=400)


@login_required
@require_GET
def briefing_html(request: HttpRequest) -> HttpResponse:
    """The HTML briefing, its maps on the site's own Leaflet."""
    result = _briefing(request)
    if isinstance(result, HttpResponse):
        return result
    from analytics import render as rendering

    # The maps' folium scripts are inline: they run under this response's CSP nonce.
    page = rendering.html(result, leaflet=_leaflet(), nonce=str(request.csp_nonce), request=request)
    return HttpResponse(page)


@login_required
@require_GET
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    """The PDF briefing as a download."""
    result = _briefing(request)
    if isinstance(result, HttpResponse):
        return result
    from analytics import render as rendering

    response = HttpResponse(rendering.pdf(result), content_type="application/pdf")
    name = f"briefing-{result.area.code}-{result.period.label}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _leaflet() -> tuple[str, str]:
    return static("vendor/leaflet/leaflet.js"), static("vendor/leaflet/leaflet.css")


@login_required
@require_GET
def stored_html(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored briefing as its web page; 404 outside the user's jurisdiction."""
    _leadership(request)
    stored = get_object_or_404(visible_briefings(request.user), pk=pk)
    # Its folium scripts get this response's CSP nonce, as the live briefing's do.
    page = served_html(stored, leaflet=_leaflet(), nonce=str(request.csp_nonce))
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    name = stored.html_path.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_GET
def stored_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """A stored briefing's PDF as a download; 404 outside the user's jurisdiction."""
    _leadership(request)
    stored = get_object_or_404(visible_briefings(request.user), pk=pk)
    path = file_path(stored.pdf_path)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/pdf"
    )
