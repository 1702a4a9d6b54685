"""Write paths for users."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import record_user_changes
from accounts.choices import Role
from accounts.models import User
from gridmap.models import Area


class AccountError(Exception):
    """A user action that cannot be done, with a message for the operator."""


def set_jurisdiction(
    *, username: str, area_code: str, role: str | None = None, via: str = "manage.py"
) -> User:
    """Give a user a jurisdiction area (and optionally a role), validated like the admin form.

    Each change is written to the access log with its old and new value; ``via`` names who made
    it (there is no signed-in user at the command line).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            raise AccountError(_("No user named %(username)r.") % {"username": username})
        old_role, old_jurisdiction = user.role, user.jurisdiction
        area = Area.objects.current().filter(code=area_code).first()
        if area is None:
            raise AccountError(_("No area in force with code %(code)r.") % {"code": area_code})
        if role is not None:
            if role not in Role.values:
                raise AccountError(
                    _("Unknown role %(role)r; choose one of %(roles)s.")
                    % {"role": role, "roles": ", ".join(Role.values)}
                )
            user.role = role
        user.jurisdiction = area
        user.full_clean(exclude=["password"])
        user.save(update_fields=["jurisdiction", "role"])
        record_user_changes(
            target=user, old_role=old_role, old_jurisdiction=old_jurisdiction, via=via
        )
    return user


def change_own_password(*, user: User, new_password: str, keep_session_key: str | None) -> None:
    """A user's new password: every API token revoked, every other session signed out."""
    from accounts.sessions import end_other_sessions

    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])  # accounts.signals revokes the tokens
        end_other_sessions(user=user, keep_session_key=keep_session_key)
