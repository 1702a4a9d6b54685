"""The Import page's write paths: upload (then a background check), confirm (then a background
import), and handing out the initial passwords once. The jobs run ``run_upload``."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gridmap.scoping import user_area
from onboarding.choices import ImportKind
from onboarding.columns import HeaderError
from onboarding.models import ImportUpload, UploadState
from onboarding.passwords import IssuedPassword
from onboarding.report import write_bad_rows
from onboarding.runs import ImportOptions, ImportResult
from onboarding.tabular import SUFFIXES, TableError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadError(Exception):
    """The upload or the confirmation is refused; the message says why."""


def start_upload(
    *, user: object, kind: str, uploaded: UploadedFile, options: dict[str, object]
) -> ImportUpload:
    """Store the file and queue its check (a dry run) once the transaction commits."""
    suffix = Path(uploaded.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(_("Send an .xlsx, .xls, .ods or .csv file."))
    if uploaded.size and uploaded.size > MAX_UPLOAD_BYTES:
        raise UploadError(_("The file is larger than 50 MB."))
    if kind not in ImportKind.values:
        raise UploadError(_("Choose what the file holds."))
    with transaction.atomic():
        upload = ImportUpload(
            user=user, kind=kind, original_name=(uploaded.name or "")[:255], options=options
        )
        upload.file.save(f"upload{suffix}", uploaded, save=False)
        upload.save()
        transaction.on_commit(lambda: _queue(upload.pk, confirm=False))
    return upload


def confirm_upload(*, user: object, upload: ImportUpload) -> ImportUpload:
    """Queue the import of a checked file (its bad rows skipped only when that was chosen)."""
    with transaction.atomic():
        locked = ImportUpload.objects.select_for_update().get(pk=upload.pk, user=user)
        if locked.state != UploadState.CHECKED:
            raise UploadError(_("This file is not waiting for confirmation."))
        if locked.preview.get("errors") and not locked.options.get("skip_bad_rows"):
            raise UploadError(_("The file has bad rows: correct them and upload it again."))
        locked.state = UploadState.IMPORTING
        locked.save(update_fields=["state", "updated_at"])
        transaction.on_commit(lambda: _queue(locked.pk, confirm=True))
    return locked


def _queue(upload_id: int, *, confirm: bool) -> None:
    from onboarding.tasks import run_import_upload

    run_import_upload.defer(upload_id=upload_id, confirm=confirm)


def run_upload(upload_id: int, *, confirm: bool) -> None:
    """Check (``confirm`` False) or import an uploaded file, and store what came out."""
    upload = ImportUpload.objects.select_related("user").get(pk=upload_id)
    expected = UploadState.IMPORTING if confirm else UploadState.CHECKING
    if upload.state != expected:
        return  # already done by an earlier run of this job
    options = ImportOptions(
        dry_run=not confirm,
        skip_bad_rows=bool(upload.options.get("skip_bad_rows")),
        by=upload.user,
        within=user_area(upload.user),
    )
    issued: list[IssuedPassword] = []
    with tempfile.TemporaryDirectory() as folder:
        path = (
            Path(folder)
            / f"{Path(upload.original_name).stem or 'upload'}{Path(upload.file.name).suffix}"
        )
        with upload.file.open("rb") as source:
            path.write_bytes(source.read())
        try:
            result = _run(upload, path, options, issued)
        except (TableError, HeaderError) as error:
            upload.state, upload.message = UploadState.FAILED, str(error)
            upload.save(update_fields=["state", "message", "updated_at"])
            return
        _store(upload, result, issued, confirm=confirm, folder=Path(folder))


def _run(
    upload: ImportUpload, path: Path, options: ImportOptions, issued: list[IssuedPassword]
) -> ImportResult:
    if upload.kind == ImportKind.LEDGER:
        from onboarding.ledger import import_ledger

        return import_ledger(
            path=path,
            options=options,
            kind=str(upload.options.get("ledger_kind") or "dispute"),
            crs=str(upload.options.get("crs") or "wgs84"),
        )
    from onboarding.people import import_people

    return import_people(
        path=path,
        kind=upload.kind,
        options=options,
        role=upload.options.get("role") or None,  # type: ignore[arg-type]
        deliver=issued.extend,
    )


def _store(
    upload: ImportUpload,
    result: ImportResult,
    issued: list[IssuedPassword],
    *,
    confirm: bool,
    folder: Path,
) -> None:
    report = result.report.as_dict()
    if confirm:
        upload.result, upload.batch, upload.state = report, result.batch, UploadState.DONE
        upload.passwords = passwords_csv(issued)
    else:
        upload.preview, upload.state = report, UploadState.CHECKED
        if result.report.errors and result.columns is not None:
            bad = write_bad_rows(result.report, result.columns.headers, folder / "bad.xlsx")
            upload.error_report.save("bad-rows.xlsx", ContentFile(bad.read_bytes()), save=False)
    upload.save()


def passwords_csv(issued: list[IssuedPassword]) -> str:
    """The list of initial passwords as CSV text (UTF-8 with BOM when written out)."""
    if not issued:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Username"), _("Name"), _("Area"), _("Initial password")])
    for line in issued:
        writer.writerow([line.username, line.name, line.area, line.password])
    return buffer.getvalue()


def take_passwords(*, user: object, upload: ImportUpload) -> str:
    """The initial passwords of an import, once: cleared as they are handed out."""
    with transaction.atomic():
        locked = ImportUpload.objects.select_for_update().get(pk=upload.pk, user=user)
        text = locked.passwords
        if not text:
            raise UploadError(_("The initial passwords were downloaded already."))
        locked.passwords = ""
        locked.save(update_fields=["passwords", "updated_at"])
    return text
