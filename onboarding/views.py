"""The Import page (导入数据): upload → background check → preview → confirm → background import.

County administrators only; each sees the files they uploaded. The state lives in the database,
so the page survives a reload; static/js/imports.js polls the state while a job runs.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from onboarding.forms import UploadForm
from onboarding.models import ImportUpload, UploadState
from onboarding.templates import TEMPLATE_FIELDS, write_template
from onboarding.uploads import UploadError, confirm_upload, start_upload, take_passwords

PREVIEW_ERRORS = 50


def _allowed(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != Role.COUNTY_ADMIN or not request.user.jurisdiction_id:
        raise PermissionDenied(_("Only a county administrator imports data."))


def _own(request: HttpRequest, pk: int) -> ImportUpload:
    upload = ImportUpload.objects.filter(pk=pk, user=request.user).first()
    if upload is None:
        raise Http404(_("No such upload."))
    return upload


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """The page: the upload form and one's recent uploads."""
    _allowed(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = start_upload(
                user=request.user,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                options=form.options(),
            )
        except UploadError as error:
            form.add_error("file", str(error))
        else:
            return redirect("onboarding-upload", pk=upload.pk)
    recent = ImportUpload.objects.filter(user=request.user)[:20]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "onboarding/imports.html", {"form": form, "recent": recent}, status=status
    )


@login_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One upload: its state, the preview (counts, first bad rows) or the import's outcome."""
    _allowed(request)
    upload = _own(request, pk)
    report = upload.result if upload.state == UploadState.DONE else upload.preview
    context = {
        "upload": upload,
        "report": report,
        "errors": (report.get("errors") or [])[:PREVIEW_ERRORS],
        "more_errors": max(len(report.get("errors") or []) - PREVIEW_ERRORS, 0),
        "warnings": (report.get("warnings") or [])[:PREVIEW_ERRORS],
        "running": upload.state in (UploadState.CHECKING, UploadState.IMPORTING),
        "can_confirm": upload.state == UploadState.CHECKED
        and (not report.get("errors") or upload.options.get("skip_bad_rows")),
    }
    return render(request, "onboarding/upload.html", context)


@login_required
def upload_state(request: HttpRequest, pk: int) -> JsonResponse:
    """The state of an upload, for the page's polling while a job runs."""
    _allowed(request)
    upload = _own(request, pk)
    return JsonResponse({"state": upload.state, "label": str(upload.get_state_display())})


@login_required
@require_POST
def upload_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a checked file (in the background)."""
    _allowed(request)
    upload = _own(request, pk)
    try:
        confirm_upload(user=request.user, upload=upload)
    except UploadError as error:
        messages.error(request, str(error))
    return redirect("onboarding-upload", pk=pk)


@login_required
def upload_errors(request: HttpRequest, pk: int) -> FileResponse:
    """The bad rows as read, with their row numbers and reasons (.xlsx)."""
    _allowed(request)
    upload = _own(request, pk)
    if not upload.error_report:
        raise Http404(_("This file has no bad rows."))
    name = f"{upload.original_name.rsplit('.', 1)[0]}-bad-rows.xlsx"
    return FileResponse(upload.error_report.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def upload_passwords(request: HttpRequest, pk: int) -> HttpResponse:
    """The new accounts' initial passwords, once (POST: a download that changes state)."""
    _allowed(request)
    upload = _own(request, pk)
    try:
        text = take_passwords(user=request.user, upload=upload)
    except UploadError as error:
        messages.error(request, str(error))
        return redirect("onboarding-upload", pk=pk)
    response = HttpResponse(("\ufeff" + text).encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="initial-passwords.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    """The blank template of a kind (.xlsx), ID-number and phone columns formatted as text."""
    _allowed(request)
    if kind not in TEMPLATE_FIELDS:
        raise Http404(_("No template of that kind."))
    buffer = io.BytesIO()
    write_template(kind, buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
