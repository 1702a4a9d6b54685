"""User roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    DISPATCHER = "dispatcher", _("Center dispatcher")
    GRID_LEADER = "grid_leader", _("Grid leader")
    RESPONDER = "responder", _("Responder")
    LEADERSHIP = "leadership", _("Leadership viewer")


class AccessAction(models.TextChoices):
    """What an access-log row records."""

    PARTY_VIEW = "party_view", _("Viewed unmasked parties")
    LEDGER_EXPORT = "ledger_export", _("Exported the ledger")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    ROLE_CHANGE = "role_change", _("Role changed")
    JURISDICTION_CHANGE = "jurisdiction_change", _("Jurisdiction changed")
    ACCESS_LOG_EXPORT = "access_log_export", _("Exported the access log")
    TRACK_VIEW = "track_view", _("Viewed patrol tracks")
