"""Logins, logouts and failed logins go to the access log (all login paths send these signals)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.audit import record_access
from accounts.choices import AccessAction


@receiver(user_logged_in, dispatch_uid="accounts_access_log_login")
def _logged_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    record_access(action=AccessAction.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts_access_log_logout")
def _logged_out(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    # user is None when the session had nobody signed in: nothing to record.
    if user is not None:
        record_access(action=AccessAction.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts_access_log_login_failed")
def _login_failed(
    sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs: object
) -> None:
    # Django has already replaced the password with asterisks; only the name is kept.
    username = str(credentials.get("username", ""))
    record_access(action=AccessAction.LOGIN_FAILED, request=request, user=None, username=username)
