"""The code tables matters refer to: categories and handling units (centers, departments)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gridmap.models import Area
from incidents.choices import DepartmentMode, IncidentKind, UnitKind


class Category(models.Model):
    """One entry of the category code table (seeded, editable in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentKind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    active = models.BooleanField(
        pgettext_lazy("in use", "active"),
        default=True,
        help_text=_("Inactive categories are kept for old matters."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (Chinese unless English is asked for and known)."""
        language = get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class HandlingUnit(models.Model):
    """A center (one per county/township/village area) or a department that handles matters."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    mode = models.CharField(
        _("handling mode"),
        max_length=12,
        choices=DepartmentMode.choices,
        blank=True,
        help_text=_("Departments only: how the department handles what it is given."),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="handling_units",
        help_text=_("A center's area, or the area whose center a department sits at."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="handling_units",
        help_text=_("Department staff who work this unit's queue."),
    )
    active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["kind", "area__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(kind=UnitKind.CENTER),
                name="one_center_per_area",
                violation_error_message=_("An area has one center."),
            ),
            models.CheckConstraint(
                condition=Q(kind=UnitKind.CENTER, mode="")
                | Q(kind=UnitKind.DEPARTMENT) & ~Q(mode=""),
                name="department_has_mode",
                violation_error_message=_("A department has a handling mode; a center has none."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
