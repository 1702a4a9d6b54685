"""User roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    DISPATCHER = "dispatcher", _("Center dispatcher")
    GRID_LEADER = "grid_leader", _("Grid leader")
    RESPONDER = "responder", _("Responder")
    LEADERSHIP = "leadership", _("Leadership viewer")
