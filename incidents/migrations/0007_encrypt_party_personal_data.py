"""Parties' ID numbers and phones encrypted at rest, with keyed hashes for exact search.

Adds the encrypted and hash columns, encrypts every existing row under the first key of
FIELD_ENCRYPTION_KEYS (the reverse decrypts them back into plain columns), then drops the plain
columns. The new fields take the old names, so code keeps reading ``party.id_number``.
"""

from django.db import migrations

import accounts.crypto

BATCH = 2000


def encrypt_rows(apps, schema_editor):
    """Copy each plain value into its encrypted column and hash it (2,000 rows at a time)."""
    Party = apps.get_model("incidents", "Party")
    rows = Party.objects.order_by("pk").only("pk", "phone", "id_number")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for party in batch:
            party.phone_encrypted = party.phone
            party.id_number_encrypted = party.id_number
            party.phone_hash = accounts.crypto.keyed_hash("phone", party.phone)
            party.id_number_hash = accounts.crypto.keyed_hash("id_number", party.id_number)
        Party.objects.bulk_update(
            batch, ["phone_encrypted", "id_number_encrypted", "phone_hash", "id_number_hash"]
        )
        last = batch[-1].pk


def decrypt_rows(apps, schema_editor):
    """Back to plain columns: decrypt each value (needs the keys it was encrypted with)."""
    Party = apps.get_model("incidents", "Party")
    rows = Party.objects.order_by("pk").only("pk", "phone_encrypted", "id_number_encrypted")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for party in batch:
            party.phone = party.phone_encrypted
            party.id_number = party.id_number_encrypted
        Party.objects.bulk_update(batch, ["phone", "id_number"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_open_location_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="party",
            name="phone_encrypted",
            field=accounts.crypto.EncryptedTextField(
                blank=True, db_column="phone_encrypted", default="", verbose_name="phone"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="party",
            name="id_number_encrypted",
            field=accounts.crypto.EncryptedTextField(
                blank=True, db_column="id_number_encrypted", default="", verbose_name="ID number"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="party",
            name="phone_hash",
            field=accounts.crypto.KeyedHashField(
                kind="phone", source="phone", verbose_name="phone (keyed hash)"
            ),
        ),
        migrations.AddField(
            model_name="party",
            name="id_number_hash",
            field=accounts.crypto.KeyedHashField(
                kind="id_number", source="id_number", verbose_name="ID number (keyed hash)"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.RemoveField(model_name="party", name="phone"),
        migrations.RemoveField(model_name="party", name="id_number"),
        migrations.RenameField(model_name="party", old_name="phone_encrypted", new_name="phone"),
        migrations.RenameField(
            model_name="party", old_name="id_number_encrypted", new_name="id_number"
        ),
    ]
