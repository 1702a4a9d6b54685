"""Parties' ID numbers and phones are encrypted at rest, still searchable, and the keys rotate."""

from __future__ import annotations

import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.crypto import UndecryptableValue
from incidents.models import Party
from incidents.services import PartyInput
from tests.factories import IN_GRID_A1_SOUTH, api_key

ID_NUMBER = "62112219850315106X"
PHONE = "13987654321"
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def matter(intake, people):
    """A window intake with one party carrying an ID number and a phone."""
    return intake(
        reporter=people["village"],
        source="window",
        points=[IN_GRID_A1_SOUTH],
        parties=[PartyInput(name="李四光", phone=PHONE, id_number=ID_NUMBER)],
    )


def _raw_columns() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, phone_encrypted FROM incidents_party")
        return cursor.fetchone()


def test_the_columns_hold_tokens_and_the_model_reads_plain_text(matter):
    raw_id, raw_phone = _raw_columns()
    party = Party.objects.get()

    assert ID_NUMBER not in raw_id
    assert PHONE not in raw_phone
    assert raw_id.startswith("gAAAA")  # a Fernet token
    assert (party.id_number, party.phone) == (ID_NUMBER, PHONE)


@pytest.mark.django_db(transaction=True)
def test_pg_dump_shows_no_id_number_or_phone_in_clear(matter):
    db = connection.settings_dict
    command = ["pg_dump", "--data-only", "--table=incidents_party", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**env, "PATH": "/usr/bin:/bin"}
    ).stdout

    assert "李四光" in dump  # the dump does hold the party's row …
    assert ID_NUMBER not in dump
    assert ID_NUMBER.lower() not in dump
    assert PHONE not in dump


@pytest.mark.parametrize(
    "query",
    [ID_NUMBER, ID_NUMBER.lower(), f" {ID_NUMBER[:6]} {ID_NUMBER[6:]} ", PHONE, f"+86 {PHONE}"],
)
def test_dispatcher_finds_the_matter_by_a_partys_id_number_or_phone(matter, as_user, query):
    page = as_user("county").get("/incidents/", {"scope": "all", "q": query})
    api = as_user("county").get("/api/incidents/", {"q": query})

    assert f'href="/incidents/{matter.pk}/"' in page.content.decode()
    assert [f["properties"]["id"] for f in api.json()["features"]] == [matter.pk]


def test_a_token_caller_finds_the_matter_by_id_number(matter, people, client):
    key = api_key(people["county"])
    response = client.get(
        "/api/incidents/", {"q": ID_NUMBER}, headers={"authorization": f"Token {key}"}
    )

    assert [f["properties"]["id"] for f in response.json()["features"]] == [matter.pk]


def test_a_near_miss_finds_nothing(matter, as_user):
    response = as_user("county").get("/api/incidents/", {"q": ID_NUMBER[:-1] + "1"})

    assert response.json()["features"] == []


def test_a_role_that_sees_masks_cannot_confirm_an_id_number(matter, as_user):
    response = as_user("boss").get("/api/incidents/", {"q": ID_NUMBER})

    assert response.status_code == 200
    assert response.json()["features"] == []


def test_rotation_moves_every_value_to_the_new_key(intake, people, settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    matter = intake(
        reporter=people["village"],
        parties=[PartyInput(name="李四光", phone=PHONE, id_number=ID_NUMBER)],
    )
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]  # the new key first, the old one kept
    Party.objects.create(incident=matter, name="王五", phone="13800000000")  # under the new key

    call_command("rotate_field_keys", "--dry-run")
    assert "2 values are under an older key" in capsys.readouterr().out
    call_command("rotate_field_keys")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key dropped

    assert sorted(Party.objects.values_list("phone", flat=True)) == ["13800000000", PHONE]
    call_command("rotate_field_keys", "--dry-run")
    assert "0 values are under an older key" in capsys.readouterr().out


def test_a_dropped_key_is_named_without_showing_a_key(matter, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # not the key the party was written with

    with pytest.raises(UndecryptableValue, match="FIELD_ENCRYPTION_KEYS") as error:
        Party.objects.get()
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS"):
        call_command("rotate_field_keys")
    assert NEW_KEY not in str(error.value)


def test_rehash_makes_search_work_again_after_the_hash_key_changed(matter, settings, as_user):
    settings.FIELD_HASH_KEY = "another-hash-key-" + "x" * 32

    assert as_user("county").get("/api/incidents/", {"q": ID_NUMBER}).json()["features"] == []
    call_command("rotate_field_keys", "--rehash")
    found = as_user("county").get("/api/incidents/", {"q": ID_NUMBER}).json()["features"]

    assert [f["properties"]["id"] for f in found] == [matter.pk]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_its_reverse_decrypts_them(matter):
    executor = MigrationExecutor(connection)
    executor.migrate([("incidents", "0006_open_location_index")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM incidents_party")
        assert cursor.fetchone() == (ID_NUMBER, PHONE)  # the reverse wrote plain text back

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    raw_id, raw_phone = _raw_columns()
    assert ID_NUMBER not in raw_id
    assert PHONE not in raw_phone
    assert (Party.objects.get().id_number, Party.objects.get().phone) == (ID_NUMBER, PHONE)
