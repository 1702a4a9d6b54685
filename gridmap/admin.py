"""Admin of the grid network: every list is cut to the signed-in user's jurisdiction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.contrib.gis.db import models as gis_models
from django.db.models import Field, ForeignKey, QuerySet
from django.forms import Field as FormField
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridmap import import_report
from gridmap.choices import AreaLevel
from gridmap.models import Area, AreaImport, AreaVersion, GridWorker
from gridmap.scoping import scope, user_area
from gridmap.widgets import AreaMapWidget

admin.site.site_header = _("Pingan Grid administration")
admin.site.site_title = _("Pingan Grid")
admin.site.index_title = _("Grid network, people and imports")

# Zoom at which an empty map opens on a user's jurisdiction, by its level.
JURISDICTION_ZOOM = {
    AreaLevel.COUNTY: 10,
    AreaLevel.TOWNSHIP: 12,
    AreaLevel.VILLAGE: 14,
    AreaLevel.GRID: 16,
}


class JurisdictionScopedAdmin:
    """Admin mixin: the changelist and object pages show only the user's jurisdiction.

    ``jurisdiction_area_path`` is the lookup from the model to its Area ("" for Area itself).
    """

    jurisdiction_area_path = "area"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope(super().get_queryset(request), request.user, self.jurisdiction_area_path)


class JurisdictionMapAdmin(JurisdictionScopedAdmin, GISModelAdmin):
    """GIS admin with the project's map widget, opening on the user's own area when empty."""

    gis_widget = AreaMapWidget

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: object
    ) -> FormField | None:
        if isinstance(db_field, gis_models.GeometryField):
            attrs = {}
            area = user_area(request.user)
            if area is not None:
                attrs = {
                    "default_lon": area.label_point.x,
                    "default_lat": area.label_point.y,
                    "default_zoom": JURISDICTION_ZOOM[area.level],
                }
            kwargs["widget"] = self.gis_widget(attrs=attrs)
            return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AreaVersionInline(admin.TabularInline):
    """Superseded boundaries of an area, for reading: history is written by import_areas only."""

    model = AreaVersion
    fields = ["version", "name", "valid_from", "valid_to", "population", "households", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-version"]

    def has_add_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(JurisdictionMapAdmin):
    jurisdiction_area_path = ""
    """Areas are created and re-divided by import_areas, which keeps the boundary history; here
    staff look at boundaries and keep population, households and source up to date."""

    list_display = [
        "code",
        "name",
        "level",
        "parent",
        "population",
        "households",
        "synthetic",
        "version",
        "valid_from",
        "valid_to",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["level", "synthetic", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["^code", "name"]
    list_select_related = ["parent"]
    list_per_page = 50
    show_full_result_count = False
    fields = [
        ("code", "level"),
        "name",
        "parent",
        ("population", "households"),
        "boundary",
        ("synthetic", "version"),
        ("valid_from", "valid_to"),
        "source",
        "updated_at",
    ]
    readonly_fields = [
        "code",
        "level",
        "name",
        "parent",
        "synthetic",
        "version",
        "valid_from",
        "valid_to",
        "updated_at",
    ]
    inlines = [AreaVersionInline]

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: object
    ) -> FormField | None:
        if db_field.name == "boundary":
            # Shown on the map, never saved from here: a boundary change must version the old
            # boundary and re-derive the display shape and label point (import_areas does).
            kwargs["disabled"] = True
            kwargs["help_text"] = _(
                "Boundaries change through an import (manage.py import_areas), which keeps the "
                "superseded boundary as a version."
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False


@admin.register(GridWorker)
class GridWorkerAdmin(JurisdictionMapAdmin):
    list_display = ["name", "role", "area", "phone", "active", "synthetic"]
    list_filter = ["role", "active", "synthetic"]
    search_fields = ["name", "phone", "^area__code", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    list_per_page = 50
    show_full_result_count = False
    fields = ["name", "role", "area", "phone", "active", "synthetic", "home_point"]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField | None:
        if db_field.name == "area":
            # Only grids in the user's own jurisdiction are valid choices, not just offered ones.
            kwargs["queryset"] = scope(
                Area.objects.current().filter(level=AreaLevel.GRID), request.user, ""
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AreaImport)
class AreaImportAdmin(admin.ModelAdmin):
    """The record of each import_areas run, for reading."""

    list_display = ["started_at", "source", "source_crs", "created", "updated", "unchanged"]
    list_filter = ["source_crs"]
    search_fields = ["source"]
    date_hierarchy = "started_at"
    fields = [
        "started_at",
        "source",
        "source_crs",
        ("created", "updated", "unchanged", "repaired"),
        "report_display",
    ]
    readonly_fields = [
        "started_at",
        "source",
        "source_crs",
        "created",
        "updated",
        "unchanged",
        "repaired",
        "report_display",
    ]

    @admin.display(description=_("validation report"))
    def report_display(self, obj: AreaImport) -> str:
        # Rendered from the stored figures in the reader's language, not as raw JSON.
        return import_report.html_report(obj.report)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AreaImport | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AreaImport | None = None) -> bool:
        return False
