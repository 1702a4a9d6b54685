"""Ledger downloads: the queue's filtered list as .xlsx or .csv (same query string as the queue)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.audit import record_access
from accounts.choices import AccessAction
from incidents.filters import IncidentFilter
from incidents.ledger import LEDGER_LANGUAGE, NO, YES, iter_csv, unmasked_rows, write_xlsx
from incidents.queries import queue_incidents

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is built whole before it is sent (a zip cannot be finished before its last row), at
# about 3,700 rows/s here: 50,000 rows keep a worker under gunicorn's 30 s timeout. The CSV
# streams row by row and has no cap.
MAX_XLSX_ROWS = 50_000
REASON_MAX = 500


def _filterset(request: HttpRequest) -> IncidentFilter:
    """The queue's scope and filters over the matters the user may see."""
    matters, _units, _whole = queue_incidents(request.user, request.GET.get("scope"))
    return IncidentFilter(request.GET, queryset=matters, request=request)


def _invalid(filterset: IncidentFilter) -> HttpResponse | None:
    """A 400 naming the invalid filters: an ignored filter would export more than was asked."""
    if filterset.is_valid():
        return None
    errors = {name: [str(m) for m in msgs] for name, msgs in filterset.errors.items()}
    return _refusal(_("The filters are not valid."), errors)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.date | Model):
        return str(value)
    if isinstance(value, list | tuple):
        return "、".join(_shown(v) for v in value)
    return str(value)


def describe_filters(filterset: IncidentFilter) -> list[str]:
    """The filters in force as "label: value" lines, in the ledger's language."""
    lines = []
    with translation.override(LEDGER_LANGUAGE):
        for name, value in filterset.form.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            field = filterset.form.fields[name]
            choices = dict(getattr(field, "choices", ()) or ())
            if isinstance(value, list):
                value = [choices.get(v, v) for v in value]
            elif isinstance(value, str):
                value = choices.get(value, value)
            lines.append(f"{field.label}：{_shown(value)}")
    return lines


def _reason(request: HttpRequest) -> str:
    return request.GET.get("reason", "").strip()[:REASON_MAX]


def _needs_reason(request: HttpRequest, unmasked: int, extension: str) -> HttpResponse | None:
    """A bulk unmasked export without a reason: the page asking for one, nothing exported."""
    if unmasked <= settings.LEDGER_REASON_THRESHOLD or _reason(request):
        return None
    query = [(k, v) for k, values in request.GET.lists() if k != "reason" for v in values]
    context = {
        "unmasked": unmasked,
        "threshold": settings.LEDGER_REASON_THRESHOLD,
        "extension": extension,
        "action": reverse(f"incidents:ledger-{extension}"),
        "query": query,
        "reason_max": REASON_MAX,
    }
    return render(request, "incidents/ledger_reason.html", context, status=400)


def _record_export(
    request: HttpRequest, filterset: IncidentFilter, *, extension: str, rows: int, unmasked: int
) -> None:
    """One access-log row per export: row count, unmasked rows, filters and the reason."""
    record_access(
        action=AccessAction.LEDGER_EXPORT,
        request=request,
        target_type="ledger",
        target_label=f"ledger.{extension}",
        count=rows,
        filters={
            "format": extension,
            "unmasked_rows": unmasked,
            "query": {k: v for k, v in request.GET.lists() if k != "reason"},
            "filters": describe_filters(filterset),
        },
        reason=_reason(request),
    )


def _disposition(extension: str, now: dt.datetime) -> str:
    """attachment; with an ASCII name for old clients and the Chinese one (RFC 5987)."""
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return (
        f'attachment; filename="ledger-{stamp}.{extension}"; '
        f"filename*=UTF-8''{quote(f'台账-{stamp}.{extension}')}"
    )


def _refusal(message: str, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    lines = [message] + [f"{field}: {' '.join(msgs)}" for field, msgs in (errors or {}).items()]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


@require_GET
@login_required
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook (refused above MAX_XLSX_ROWS: use the CSV)."""
    filterset = _filterset(request)
    if refusal := _invalid(filterset):
        return refusal
    queryset = filterset.qs
    count = queryset.count()
    unmasked = unmasked_rows(queryset, user=request.user)
    if refusal := _needs_reason(request, unmasked, "xlsx"):
        return refusal
    if count > MAX_XLSX_ROWS:
        return _refusal(
            _(
                "%(count)d matters are too many for one workbook (at most %(max)d). Narrow the "
                "filters, for example by dates or area, or download the CSV ledger instead."
            )
            % {"count": count, "max": MAX_XLSX_ROWS}
        )
    now = timezone.now()
    # On disk, not in memory (a long ledger is tens of megabytes); FileResponse closes it.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(
        queryset, output, user=request.user, description=describe_filters(filterset), now=now
    )
    output.seek(0)
    _record_export(request, filterset, extension="xlsx", rows=count, unmasked=unmasked)
    response = FileResponse(output, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition("xlsx", now)
    return response


@require_GET
@login_required
def ledger_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with BOM), streamed row by row: no size cap."""
    filterset = _filterset(request)
    if refusal := _invalid(filterset):
        return refusal
    queryset = filterset.qs
    unmasked = unmasked_rows(queryset, user=request.user)
    if refusal := _needs_reason(request, unmasked, "csv"):
        return refusal
    # Recorded before the first byte leaves: a stream cut short has still shown its rows.
    _record_export(request, filterset, extension="csv", rows=queryset.count(), unmasked=unmasked)

    def encoded() -> Iterator[bytes]:
        for piece in iter_csv(queryset, user=request.user):
            yield piece.encode("utf-8")

    response = StreamingHttpResponse(encoded(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition("csv", timezone.now())
    return response
