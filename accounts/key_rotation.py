"""Re-encrypting encrypted columns under the current key, and re-hashing their search hashes.

Works on the raw column values in batches, one transaction per batch, so a long run can be
stopped and started again: a value already under the first key of FIELD_ENCRYPTION_KEYS is left
as it is. Used by ``manage.py rotate_field_keys`` (docs/security/encryption.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from psycopg import sql

from accounts.crypto import EncryptedTextField, KeyedHashField, decrypt, keyed_hash, rotate

BATCH = 2_000


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted field of one model, with the keyed-hash fields computed from it."""

    model: type[models.Model]
    field: EncryptedTextField
    hashes: tuple[KeyedHashField, ...]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every EncryptedTextField of the installed models, in a stable order."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        for field in fields:
            if isinstance(field, EncryptedTextField):
                hashes = tuple(
                    f for f in fields if isinstance(f, KeyedHashField) and f.source == field.name
                )
                found.append(EncryptedColumn(model, field, hashes))
    return sorted(found, key=lambda column: column.label)


def _under_current_key(token: str) -> bool:
    # The first key alone opens it: nothing to re-encrypt. ttl=None: tokens never expire here.
    try:
        Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def _batches(column: EncryptedColumn) -> Iterator[list[tuple[int, str]]]:
    """(pk, token) of the non-empty values, BATCH at a time, by primary key."""
    meta = column.model._meta
    query = sql.SQL(
        "SELECT {pk}, {col} FROM {table} WHERE {pk} > %s AND {col} <> '' ORDER BY {pk} LIMIT %s"
    ).format(
        pk=sql.Identifier(meta.pk.column),
        col=sql.Identifier(column.field.column),
        table=sql.Identifier(meta.db_table),
    )
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(query, [last, BATCH])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(column: EncryptedColumn, values: dict[str, list], pks: list[int]) -> None:
    """Set each named column to the given per-row values, one UPDATE … FROM unnest per batch."""
    meta = column.model._meta
    names = list(values)
    statement = sql.SQL(
        "UPDATE {table} AS t SET {assignments} FROM unnest(%s::bigint[], {arrays}) "
        "AS v(pk, {aliases}) WHERE t.{pk} = v.pk"
    ).format(
        table=sql.Identifier(meta.db_table),
        assignments=sql.SQL(", ").join(
            sql.SQL("{} = v.{}").format(sql.Identifier(name), sql.Identifier(f"v{i}"))
            for i, name in enumerate(names)
        ),
        arrays=sql.SQL(", ").join(sql.SQL("%s::text[]") for _ in names),
        aliases=sql.SQL(", ").join(sql.Identifier(f"v{i}") for i in range(len(names))),
        pk=sql.Identifier(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [pks, *values.values()])


@dataclass
class RotationReport:
    column: str
    values: int = 0
    reencrypted: int = 0
    rehashed: int = 0


def rotate_column(
    column: EncryptedColumn,
    *,
    rehash: bool = False,
    dry_run: bool = False,
    progress: Callable[[RotationReport], None] | None = None,
) -> RotationReport:
    """Re-encrypt the values of ``column`` still under an older key (and, with ``rehash``,
    recompute its keyed hashes under the current FIELD_HASH_KEY); returns what it counted."""
    report = RotationReport(column.label)
    for rows in _batches(column):
        stale = {pk for pk, token in rows if not _under_current_key(token)}
        chosen = rows if rehash else [(pk, token) for pk, token in rows if pk in stale]
        report.values += len(rows)
        report.reencrypted += len(stale)
        report.rehashed += len(rows) if rehash else 0
        if chosen and not dry_run:
            _rewrite(column, chosen, stale, rehash=rehash)
        if progress:
            progress(report)
    return report


def _rewrite(
    column: EncryptedColumn, rows: list[tuple[int, str]], stale: set[int], *, rehash: bool
) -> None:
    """One batch in one transaction: stale tokens re-encrypted, hashes recomputed if asked."""
    values: dict[str, list] = {}
    if stale:
        values[column.field.column] = [
            rotate(token) if pk in stale else token for pk, token in rows
        ]
    if rehash:
        plain = [decrypt(token) for _pk, token in rows]
        for field in column.hashes:
            values[field.column] = [keyed_hash(field.kind, value) for value in plain]
    if values:
        with transaction.atomic():
            _update(column, values, [pk for pk, _token in rows])
