"""Kinds of import."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    STAFF = "staff", _("Staff and grid leaders")
    UNITS = "units", _("Responder units")
    VOLUNTEERS = "volunteers", _("Volunteer squads and volunteers")
    LEDGER = "ledger", _("Ledger of past matters")


PEOPLE_KINDS = (ImportKind.STAFF, ImportKind.UNITS, ImportKind.VOLUNTEERS)
