"""API tokens: issued, checked and revoked here (only the key's SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User

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


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired, active user), noting its use."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, expires__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
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
