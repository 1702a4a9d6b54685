"""Reading the access log: a county administrator's page with filters, and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.audit import may_read_access_log, record_access
from accounts.choices import AccessAction
from accounts.models import AccessLog

PAGE_SIZE = 50
CSV_HEADERS = (
    "时间", "用户", "角色", "操作", "对象类型", "对象编号",
    "对象", "数量", "条件", "事由", "IP", "浏览器",
)  # fmt: skip


class AccessLogFilter(forms.Form):
    """Filters of the log page: user, matter (target), action, period."""

    user = forms.CharField(label=_("user"), required=False, max_length=150)
    target = forms.CharField(label=_("matter or target"), required=False, max_length=200)
    action = forms.ChoiceField(
        label=_("action"), required=False, choices=[("", "---------"), *AccessAction.choices]
    )
    since = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def filtered_log(data: dict) -> tuple[AccessLogFilter, QuerySet[AccessLog]]:
    """The log rows matching the filters (all of them while the filters are invalid: none)."""
    form = AccessLogFilter(data)
    rows = AccessLog.objects.all()
    if not form.is_valid():
        return form, rows.none()
    wanted = form.cleaned_data
    if wanted["user"]:
        rows = rows.filter(username__iexact=wanted["user"].strip())
    if wanted["target"]:
        rows = rows.filter(target_label__icontains=wanted["target"].strip())
    if wanted["action"]:
        rows = rows.filter(action=wanted["action"])
    zone = timezone.get_current_timezone()
    if wanted["since"]:
        rows = rows.filter(at__gte=dt.datetime.combine(wanted["since"], dt.time(), zone))
    if wanted["until"]:
        end = dt.datetime.combine(wanted["until"] + dt.timedelta(days=1), dt.time(), zone)
        rows = rows.filter(at__lt=end)
    return form, rows


def _allowed(request: HttpRequest) -> None:
    if not may_read_access_log(request.user):
        raise PermissionDenied(_("Only a county administrator reads the access log."))


@require_GET
@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The access log, newest first, filtered and paginated."""
    _allowed(request)
    form, rows = filtered_log(request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "accounts/access_log.html", context)


def _csv_lines(rows: QuerySet[AccessLog]) -> Iterator[str]:
    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield "\ufeff"  # Excel reads UTF-8 only after a byte-order mark
    yield writer.writerow(CSV_HEADERS)
    for row in rows.iterator(chunk_size=2000):
        cells = [
            timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
            row.username,
            row.role,
            row.action,
            row.target_type,
            row.target_id,
            row.target_label,
            "" if row.count is None else str(row.count),
            str(row.filters) if row.filters else "",
            row.reason,
            row.ip_address or "",
            row.user_agent,
        ]
        # A cell starting like a formula is made plain text (OWASP CSV injection advice).
        yield writer.writerow(["'" + c if c[:1] in "=+-@\t\r" and c else c for c in cells])


@require_GET
@login_required
def access_log_csv(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV; the export itself is a row of the log."""
    _allowed(request)
    _form, rows = filtered_log(request.GET)
    record_access(
        action=AccessAction.ACCESS_LOG_EXPORT,
        request=request,
        target_type="access_log",
        target_label="access-log.csv",
        count=rows.count(),
        filters={k: v for k, v in request.GET.items() if k != "page"},
    )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(rows)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    return response
