"""The personal-data access log: one function writes every row (see docs/security/access-log.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.choices import AccessAction, Role
from accounts.lockout import client_ip as lockout_client_ip
from accounts.models import AccessLog

_USER_AGENT_MAX = 300


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, counted the same way as login lockouts and throttles (NUM_PROXIES)."""
    if request is None:
        return None
    return lockout_client_ip(request) or None


def record_access(
    *,
    action: AccessAction | str,
    request: HttpRequest | None = None,
    user: object | None = None,
    username: str = "",
    target_type: str = "",
    target_id: object = "",
    target_label: str = "",
    count: int | None = None,
    filters: Mapping[str, object] | None = None,
    reason: str = "",
) -> AccessLog:
    """Append one access-log row: who (user or attempted username), what, when, from where."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return AccessLog.objects.create(
        user=user if signed_in else None,
        username=(getattr(user, "username", "") if signed_in else username)[:150],
        role=(getattr(user, "role", "") or "") if signed_in else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id or ""),
        target_label=str(target_label)[:200],
        count=count,
        filters=dict(filters or {}),
        reason=reason,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:_USER_AGENT_MAX],
    )


# 等保 2.0 asks for at least six months of audit records; the database refuses deletes of
# younger rows (accounts migration 0002), so this floor is enforced twice.
RETENTION_FLOOR_DAYS = 180


class RetentionTooShortError(ValueError):
    """A prune of the access log asked to keep fewer days than the floor."""


def prune_access_log(*, days: int | None = None) -> int:
    """Delete access-log rows older than ``days`` (ACCESS_LOG_RETENTION_DAYS); how many.

    Used by ``manage.py prune_access_log`` and the daily job (accounts/tasks.py).
    """
    if days is None:
        days = int(settings.ACCESS_LOG_RETENTION_DAYS)
    if days < RETENTION_FLOOR_DAYS:
        raise RetentionTooShortError(
            f"Refused: the access log is kept at least {RETENTION_FLOOR_DAYS} days "
            f"(asked for {days})."
        )
    cutoff = timezone.now() - dt.timedelta(days=days)
    removed, _by_model = AccessLog.objects.filter(at__lt=cutoff).delete()
    return removed


def may_read_access_log(user: object) -> bool:
    """County administrators and superusers read the log; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        bool(getattr(user, "is_superuser", False)) or getattr(user, "role", "") == Role.COUNTY_ADMIN
    )


def _area_label(area: object | None) -> str:
    return f"{area.code} {area.name}" if area is not None else ""  # type: ignore[attr-defined]


def record_user_changes(
    *,
    target: object,
    old_role: str,
    old_jurisdiction: object | None,
    request: HttpRequest | None = None,
    actor: object | None = None,
    via: str = "",
) -> None:
    """One row per changed role or jurisdiction of ``target``, with old and new values."""
    common = {
        "request": request,
        "user": actor,
        "username": via,
        "target_type": "user",
        "target_id": target.pk,  # type: ignore[attr-defined]
        "target_label": target.username,  # type: ignore[attr-defined]
    }
    new_role = target.role or ""  # type: ignore[attr-defined]
    if (old_role or "") != new_role:
        record_access(
            action=AccessAction.ROLE_CHANGE,
            filters={"old": old_role or "", "new": new_role},
            **common,
        )
    new_area = target.jurisdiction  # type: ignore[attr-defined]
    old_id = getattr(old_jurisdiction, "pk", None)
    if old_id != getattr(new_area, "pk", None):
        record_access(
            action=AccessAction.JURISDICTION_CHANGE,
            filters={"old": _area_label(old_jurisdiction), "new": _area_label(new_area)},
            **common,
        )
