"""A user's browser sessions: which are active, and signing out the others."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User, UserSession


def active_sessions(user: User) -> list[UserSession]:
    """The user's sessions seen within the idle timeout, most recent first."""
    since = timezone.now() - timedelta(minutes=settings.SESSION_IDLE_MINUTES)
    return list(UserSession.objects.filter(user=user, last_seen__gte=since).order_by("-last_seen"))


def end_other_sessions(*, user: User, keep_session_key: str | None) -> int:
    """Sign the user out of every session but ``keep_session_key``; how many were ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with transaction.atomic():
        others = UserSession.objects.select_for_update().filter(user=user)
        if keep_session_key:
            others = others.exclude(session_key=keep_session_key)
        keys = list(others.values_list("session_key", flat=True))
        for key in keys:
            store(session_key=key).delete()
        others.delete()
    return len(keys)
