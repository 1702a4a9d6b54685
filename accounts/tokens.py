"""API tokens: issued, checked and revoked here (only the key's SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import ApiToken, User
from gridmap.models import AREA_SHAPE_FIELDS, Area

M = TypeVar("M", bound=Model)

# last_used is a write; once a minute is precise enough for "last used" on the security page.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, user: User, user_agent: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` living API_TOKEN_DAYS; the key is returned only this once."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_hash=hash_key(key),
            prefix=key[:8],
            expires=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
            user_agent=user_agent[:255],
        )
    return token, key


def live_tokens(user: User):
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires__gt=timezone.now()
    ).order_by("-created")


def _columns(model: type, alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(f'{alias}."{model._meta.get_field(name).column}"' for name in names)


_TOKEN_FIELDS = tuple(f.attname for f in ApiToken._meta.concrete_fields)
_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)
_AREA_FIELDS = tuple(
    f.attname for f in Area._meta.concrete_fields if f.name not in AREA_SHAPE_FIELDS
)
# The token, its user and the user's jurisdiction (without its shapes, as
# gridmap.scoping.user_area loads it) in one statement written once: nearly every API request
# scopes by the jurisdiction, which was a second statement, and building the two ORM queries
# cost more than running them (~2.8 ms of Python a request, bench/routing.py).
_TOKEN_SQL = f"""
SELECT {_columns(ApiToken, "t", _TOKEN_FIELDS)}, {_columns(User, "u", _USER_FIELDS)},
       {_columns(Area, "a", _AREA_FIELDS)}
FROM {ApiToken._meta.db_table} t
JOIN {User._meta.db_table} u ON u.id = t.user_id
LEFT JOIN {Area._meta.db_table} a ON a.id = u.jurisdiction_id
WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires > %s
"""


def _loaded(model: type[M], names: tuple[str, ...], values: tuple) -> M:
    """A ``model`` instance of ``values`` by attribute name in the fields' order (the others
    deferred)."""
    return model.from_db(connection.alias, names, values)


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired, active user), noting its use;
    its user comes with the user's jurisdiction joined."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [hash_key(key), now])
        row = cursor.fetchone()
    if row is None:
        return None
    at = len(_TOKEN_FIELDS)
    token = _loaded(ApiToken, _TOKEN_FIELDS, row[:at])
    user = _loaded(User, _USER_FIELDS, row[at : at + len(_USER_FIELDS)])
    area_values = row[at + len(_USER_FIELDS) :]
    area = _loaded(Area, _AREA_FIELDS, area_values) if area_values[0] is not None else None
    User.jurisdiction.field.set_cached_value(user, area)
    ApiToken.user.field.set_cached_value(token, user)
    if not user.is_active:
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def revoke_token(*, token: ApiToken) -> None:
    """Stop one token from working."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def revoke_user_token(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens by id; False when it is not theirs or already dead."""
    with transaction.atomic():
        return bool(
            ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        )


def revoke_all_tokens(*, user: User) -> int:
    """Revoke every token of the user (password change); how many were still unrevoked."""
    with transaction.atomic():
        return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
