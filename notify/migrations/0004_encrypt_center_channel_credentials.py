"""Center channels' URLs and secrets encrypted at rest (accounts.crypto, FIELD_ENCRYPTION_KEYS).

The columns become text holding Fernet tokens; values written before are encrypted in place (the
reverse decrypts them back, which needs the keys).
"""

from django.db import migrations

import accounts.crypto


def _rewrite(schema_editor, change) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, url, secret FROM notify_centerchannel ORDER BY id")
        for pk, url, secret in cursor.fetchall():
            cursor.execute(
                "UPDATE notify_centerchannel SET url = %s, secret = %s WHERE id = %s",
                [change(url), change(secret), pk],
            )


def encrypt(apps, schema_editor):
    _rewrite(schema_editor, accounts.crypto.encrypt)


def decrypt(apps, schema_editor):
    _rewrite(schema_editor, accounts.crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_preferences"),
    ]

    operations = [
        migrations.AlterField(
            model_name="centerchannel",
            name="url",
            field=accounts.crypto.EncryptedTextField(verbose_name="URL"),
        ),
        migrations.AlterField(
            model_name="centerchannel",
            name="secret",
            field=accounts.crypto.EncryptedTextField(
                blank=True,
                help_text="DingTalk signing secret or gateway key; never shown again or logged.",
                verbose_name="secret",
            ),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
