"""Initial passwords: noted at login (the session must change it first), cleared on change.

An account still on its initial password gets no working API token: a token issued at the
token endpoint is revoked at once (the phone app then asks to log in again), so the password is
changed on the web first (docs/onboarding.md).
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.tokens import revoke_all_tokens
from onboarding.models import InitialPassword

SESSION_FLAG = "onboarding_initial_password"


@receiver(user_logged_in, dispatch_uid="onboarding.initial_password_login")
def note_initial_password(sender: object, request: object, user: User, **kwargs: object) -> None:
    """Flag the session (and revoke tokens) of an account still on its initial password."""
    if not InitialPassword.objects.filter(user=user).exists():
        return
    revoke_all_tokens(user=user)
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_FLAG] = True


@receiver(pre_save, sender=User, dispatch_uid="onboarding.initial_password_watch")
def watch_password(sender: object, instance: User, **kwargs: object) -> None:
    """Note whether this save replaces the initial password with one the person chose.

    accounts.signals (registered first) has compared the stored hash; its post_save clears that
    flag, so the answer is kept here. The first login re-hashes the initial password with the
    default hasher: the same password, so no change.
    """
    changed = getattr(instance, "_password_changed", False)
    instance._initial_password_replaced = changed and not _same_as_initial(instance)


def _same_as_initial(instance: User) -> bool:
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first() or ""
    if not stored.startswith("pbkdf2_initial$"):
        return False
    # Django's re-hash at login clears the raw password before saving; a change through
    # set_password() (our page, the admin, changepassword) keeps it until the save.
    raw = getattr(instance, "_password", None)
    return raw is None or check_password(raw, stored)


@receiver(post_save, sender=User, dispatch_uid="onboarding.initial_password_changed")
def clear_initial_password(sender: object, instance: User, created: bool, **kwargs: object) -> None:
    if not created and getattr(instance, "_initial_password_replaced", False):
        InitialPassword.objects.filter(user=instance).delete()
        instance._initial_password_replaced = False
