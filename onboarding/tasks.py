"""The Import page's background job: check an uploaded file, or import it once confirmed."""

from __future__ import annotations

from procrastinate.contrib.django import app

from onboarding.uploads import run_upload


@app.task
def run_import_upload(upload_id: int, confirm: bool) -> None:
    """Check (a dry run) or import one uploaded file; the page shows the outcome."""
    run_upload(upload_id, confirm=confirm)
