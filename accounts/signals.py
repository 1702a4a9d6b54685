"""Account side effects: a password change revokes tokens; sessions are listed per user;
logins, logouts and failed logins go to the access log (every login path sends these signals)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit import record_access
from accounts.choices import AccessAction
from accounts.lockout import client_ip
from accounts.middleware import LAST_SEEN
from accounts.models import User, UserSession
from accounts.tokens import revoke_all_tokens


@receiver(pre_save, sender=User, dispatch_uid="accounts.password_watch")
def note_password_change(sender, instance: User, update_fields=None, **kwargs) -> None:
    """Compare the stored hash: every path (admin, changepassword, our page) ends in save()."""
    instance._password_changed = False
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="accounts.password_revoke")
def revoke_tokens_on_password_change(sender, instance: User, created: bool, **kwargs) -> None:
    """A new password ends every API token (phones log in again)."""
    if not created and getattr(instance, "_password_changed", False):
        revoke_all_tokens(user=instance)
        instance._password_changed = False


def record_session(request: HttpRequest, user: User) -> None:
    """Note (or refresh) the request's session in the user's list of sessions."""
    session = getattr(request, "session", None)
    if session is None:
        return
    # Logging in is activity: the idle clock starts now, without a write on the next request.
    session[LAST_SEEN] = time.time()
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request) or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
            "last_seen": timezone.now(),
        },
    )


@receiver(user_logged_in, dispatch_uid="accounts.session_in")
def session_started(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """A browser login (the token endpoint has no session and is skipped)."""
    if request is not None and hasattr(request, "session") and not request.path.startswith("/api/"):
        record_session(request, user)


@receiver(user_logged_out, dispatch_uid="accounts.session_out")
def session_ended(sender, request: HttpRequest | None, user: User | None, **kwargs) -> None:
    """Logging out removes the session from the list."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


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
