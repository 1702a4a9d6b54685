"""Back up a small installation, restore it into an empty database, and use the copy.

pg_dump only sees committed rows: these tests commit (transactional database), and Django
empties every table after each of them.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from backups import postgres
from backups.archive import DUMP, create_backup
from gridmap.models import Area
from incidents.choices import HANDLED_STATES
from incidents.models import HandledTally, Incident, Photo
from tests.factories import photo

pytestmark = pytest.mark.django_db(transaction=True)

HANDLED = tuple(HANDLED_STATES)
RECOUNT = """
SELECT grid_id, handling_unit_id, kind, state, count(*) FROM incidents_incident
WHERE state = ANY(%s) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""
TALLY = """
SELECT grid_id, handling_unit_id, kind, state, count FROM incidents_handledtally
ORDER BY 1, 2, 3, 4
"""


@pytest.fixture
def installation(settings, tmp_path, people, intake, walk) -> dict:
    """A few areas, three matters with photos: one closed, one followed up, one still open."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    closed = walk(intake(photos=[photo("JPEG")]), "closed")
    followed_up = walk(intake(photos=[photo("JPEG"), photo("PNG")]), "followed_up")
    still_open = intake(photos=[photo("JPEG")])
    assert HandledTally.objects.count() > 0
    return {"closed": closed, "followed_up": followed_up, "open": still_open}


def restore(archive: Path, dbname: str, media: Path, settings, **options) -> str:
    """manage.py restore ARCHIVE --dbname DBNAME into MEDIA_ROOT=media; its standard output."""
    settings.MEDIA_ROOT = media
    out = io.StringIO()
    err = io.StringIO()
    call_command("restore", str(archive), dbname=dbname, stdout=out, stderr=err, **options)
    return out.getvalue()


def test_a_restored_copy_equals_the_original_and_keeps_its_map_tally(
    installation, scratch_database, settings, tmp_path
):
    archive = create_backup()
    assert archive.parent == tmp_path / "backups"
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json").read().decode()
    secrets = [settings.SECRET_KEY, settings.FIELD_HASH_KEY, *settings.FIELD_ENCRYPTION_KEYS]
    assert not [secret for secret in secrets if secret and secret in manifest]
    original = {
        "areas": Area.objects.count(),
        "matters": Incident.objects.count(),
        "photos": sorted(p.image.name for p in Photo.objects.all()),
    }
    photo_bytes = {name: (tmp_path / "media" / name).read_bytes() for name in original["photos"]}

    said = restore(archive, scratch_database, tmp_path / "restored-media", settings)
    assert "triggers, constraints and indexes equal to the backup" in said

    with postgres.connect(scratch_database, autocommit=True) as copy:
        one = lambda query, *args: copy.execute(query, args or None).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM gridmap_area") == original["areas"]
        assert one("SELECT count(*) FROM incidents_incident") == original["matters"] == 3
        # Every table has as many rows as the original (the command compared them; check one
        # side of that here without the command).
        with postgres.connect(autocommit=True) as source:
            assert postgres.inventory(copy)["tables"] == postgres.inventory(source)["tables"]
        names = sorted(r[0] for r in copy.execute("SELECT image FROM incidents_photo"))
        assert names == original["photos"]
        assert len(names) == 4
        for name in names:
            assert (tmp_path / "restored-media" / name).read_bytes() == photo_bytes[name]

        # The tally trigger came through: closing a matter in the copy moves its count from
        # "followed up" to "closed", exactly as the matters themselves say.
        assert one("SELECT count(*) FROM pg_trigger WHERE tgname = 'incident_tally_update'") == 1
        tally_before = copy.execute(TALLY).fetchall()
        assert tally_before == copy.execute(RECOUNT, [list(HANDLED)]).fetchall()
        copy.execute(
            "UPDATE incidents_incident SET state = 'closed' WHERE id = %s",
            [installation["followed_up"].pk],
        )
        tally_after = copy.execute(TALLY).fetchall()
        assert tally_after == copy.execute(RECOUNT, [list(HANDLED)]).fetchall()
        assert tally_after != tally_before
        assert one("SELECT sum(count) FROM incidents_handledtally WHERE state = 'closed'") == 2


def test_a_database_that_is_not_empty_is_refused_unless_forced(
    installation, scratch_database, settings, tmp_path
):
    archive = create_backup()
    matters = Incident.objects.count()
    # The configured database holds the installation itself.
    with pytest.raises(CommandError) as refused:
        restore(archive, "", tmp_path / "other-media", settings)
    message = str(refused.value)
    assert "database test_pingan is not empty" in message
    assert "holding rows (public.accounts_user" in message
    assert "--force" in message
    assert Incident.objects.count() == matters

    # A copy restored once is not empty either; --force replaces it with the archive's content.
    restore(archive, scratch_database, tmp_path / "copy-media", settings)
    with postgres.connect(scratch_database, autocommit=True) as copy:
        copy.execute("DELETE FROM incidents_photo")
    with pytest.raises(CommandError, match="is not empty"):
        restore(archive, scratch_database, tmp_path / "empty-media", settings)
    restore(archive, scratch_database, tmp_path / "copy-media", settings, force=True)
    with postgres.connect(scratch_database, autocommit=True) as copy:
        assert copy.execute("SELECT count(*) FROM incidents_photo").fetchone()[0] == 4


def test_a_damaged_archive_is_refused_by_its_checksum_before_anything_is_restored(
    installation, scratch_database, settings, tmp_path
):
    archive = create_backup()
    with tarfile.open(archive) as tar:
        offset = tar.getmember(DUMP).offset_data
    with archive.open("r+b") as handle:  # one flipped byte in the middle of the dump
        handle.seek(offset + 2000)
        byte = handle.read(1)
        handle.seek(offset + 2000)
        handle.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(CommandError) as refused:
        restore(archive, scratch_database, tmp_path / "restored-media", settings)
    assert "database.dump does not match the manifest's checksum" in str(refused.value)
    with postgres.connect(scratch_database, autocommit=True) as copy:
        assert postgres.user_tables(copy) == []
    assert not (tmp_path / "restored-media").exists()


def test_a_copy_that_differs_from_the_manifest_fails_loudly_naming_each_difference(
    installation, scratch_database, settings, tmp_path
):
    # An archive whose manifest expects one more area and a trigger the dump does not hold:
    # what a restore that silently lost rows or a trigger would look like.
    archive = create_backup()
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    manifest["tables"]["public.gridmap_area"] += 1
    manifest["triggers"].append(["public.gridmap_area", "area_audit", "function=audit()"])
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    altered = tmp_path / "altered.tar"
    with tarfile.open(altered, "w") as tar:
        for name in ("manifest.json", "database.dump", "media.tar"):
            tar.add(unpacked / name, arcname=name)

    with pytest.raises(CommandError) as failed:
        restore(altered, scratch_database, tmp_path / "restored-media", settings)
    message = str(failed.value)
    assert message.startswith("RESTORE DOES NOT MATCH THE BACKUP")
    areas = Area.objects.count()
    assert f"table public.gridmap_area: {areas + 1} rows in the backup, {areas} restored" in message
    assert "trigger missing on public.gridmap_area: area_audit" in message
    assert "(2 differences)" in message
