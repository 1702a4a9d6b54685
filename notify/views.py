"""Pages: my notifications (mark read), my preferences, the administrators' delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notify import services
from notify.forms import DeliveryFilter, PreferenceForm
from notify.models import Preference
from notify.queries import delivery_log, inbox, may_read_delivery_log

PAGE_SIZE = 50


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, unread ones marked."""
    page = Paginator(inbox(request.user).select_related("incident"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notify/list.html", {"page": page})


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "notify:list")


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of mine read, then go where it links to (or back)."""
    try:
        row = services.mark_read(user=request.user, notification_id=pk)
    except services.NotFoundError:
        raise Http404 from None
    if request.POST.get("open") and row.link.startswith("/") and not row.link.startswith("//"):
        return redirect(row.link)
    return _back(request)


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return _back(request)


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """My channels per event (SMS opt-in) and quiet hours."""
    current = Preference.objects.filter(user=request.user).first()
    initial = (
        {
            "sms_events": current.sms_events,
            "quiet_start": current.quiet_start,
            "quiet_end": current.quiet_end,
        }
        if current
        else {}
    )
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.save_preferences(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notify:preferences")
        return render(request, "notify/preferences.html", {"form": form}, status=400)
    return render(request, "notify/preferences.html", {"form": form})


def _admin_only(request: HttpRequest) -> None:
    if not may_read_delivery_log(request.user):
        raise PermissionDenied(_("Only a county administrator reads the delivery log."))


@require_GET
@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """The delivery log of my jurisdiction, filtered by status and channel."""
    _admin_only(request)
    form = DeliveryFilter(request.GET)
    rows = delivery_log(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["channel"]:
            rows = rows.filter(channel=form.cleaned_data["channel"])
    else:
        rows = rows.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "notify/deliveries.html", context)


@require_POST
@login_required
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed delivery again."""
    _admin_only(request)
    try:
        services.retry(user=request.user, notification_id=pk)
    except services.NotFoundError:
        raise Http404 from None
    messages.success(request, _("The notification is queued to be sent again."))
    return _back(request) if request.POST.get("next") else redirect("notify:deliveries")
