"""The Import page: upload → background check → preview → confirm → background import."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from accounts.models import User
from onboarding.models import ImportUpload, InitialPassword
from onboarding.uploads import run_upload
from tests.onboarding.conftest import write_xlsx
from tests.onboarding.test_import_people import staff_rows


@pytest.fixture
def admin_client(county, client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("county-admin", Role.COUNTY_ADMIN, county["621122000000"])
    client.force_login(User.objects.get(username="county-admin"))
    return client


def _upload(client, tmp_path, rows, **extra):
    path = write_xlsx(tmp_path / "花名册.xlsx", rows)
    data = {"kind": "staff", "file": SimpleUploadedFile("花名册.xlsx", path.read_bytes()), **extra}
    response = client.post("/imports/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportUpload.objects.get()


def test_upload_check_preview_confirm_and_passwords_once(admin_client, tmp_path):
    upload = _upload(admin_client, tmp_path, staff_rows())
    assert upload.state == "checking"
    assert "Checking" in admin_client.get(f"/imports/{upload.pk}/").content.decode()
    run_upload(upload.pk, confirm=False)  # the background job's work
    page = admin_client.get(f"/imports/{upload.pk}/").content.decode()
    assert 'id="confirm-import"' in page
    assert User.objects.count() == 1  # a dry run: only the administrator
    assert admin_client.post(f"/imports/{upload.pk}/confirm/").status_code == 302
    run_upload(upload.pk, confirm=True)
    upload.refresh_from_db()
    assert upload.state == "done"
    assert upload.batch.created == 3
    assert InitialPassword.objects.count() == 3
    response = admin_client.post(f"/imports/{upload.pk}/passwords/")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    again = admin_client.post(f"/imports/{upload.pk}/passwords/")
    assert again.status_code == 302  # handed out once


def test_bad_rows_are_previewed_with_a_download_and_cannot_be_confirmed(admin_client, tmp_path):
    from openpyxl import load_workbook

    rows = staff_rows()
    rows[3][4] = "621122199007150040"  # a mistyped ID number
    upload = _upload(admin_client, tmp_path, rows)
    run_upload(upload.pk, confirm=False)
    page = admin_client.get(f"/imports/{upload.pk}/").content.decode()
    assert "check digit" in page
    assert 'id="confirm-import"' not in page
    response = admin_client.get(f"/imports/{upload.pk}/bad-rows.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [4]
    admin_client.post(f"/imports/{upload.pk}/confirm/")
    upload.refresh_from_db()
    assert upload.state == "checked"
    assert User.objects.count() == 1


def test_places_outside_the_administrators_jurisdiction_are_refused(
    county, client, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("town-admin", Role.COUNTY_ADMIN, county["文峰镇"])
    client.force_login(User.objects.get(username="town-admin"))
    upload = _upload(client, tmp_path, staff_rows())
    run_upload(upload.pk, confirm=False)
    upload.refresh_from_db()
    assert [e["row"] for e in upload.preview["errors"]] == [3, 4]  # the two rows in 巩昌镇


def test_only_county_administrators_see_the_page(county, client, make_user):
    make_user("dispatcher", Role.DISPATCHER, county["621122000000"])
    client.force_login(User.objects.get(username="dispatcher"))
    assert client.get("/imports/").status_code == 403


def test_template_download(admin_client):
    from openpyxl import load_workbook

    response = admin_client.get("/imports/template/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[:3] == ("编号", "登记时间", "类别")
