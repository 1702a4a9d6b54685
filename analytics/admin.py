"""Admin of stored hot-spot runs and briefings (read-only: written by the analysis only)."""

from __future__ import annotations

from django.contrib import admin

from analytics.models import HotspotRun, ServicePoint, StoredBriefing, StoredOutlook
from gridmap.admin import JurisdictionMapAdmin
from gridmap.models import Area
from gridmap.scoping import scope


@admin.register(HotspotRun)
class HotspotRunAdmin(admin.ModelAdmin):
    list_display = ("area", "period_label", "unit", "incident_count", "hot_count", "created_at")
    list_filter = ("unit", "period_label")
    readonly_fields = [f.name for f in HotspotRun._meta.fields]

    def get_queryset(self, request):
        runs = super().get_queryset(request).select_related("area")
        return scope(runs.defer("area__boundary", "area__display_boundary"), request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StoredOutlook)
class StoredOutlookAdmin(admin.ModelAdmin):
    """Read and delete only: deleting a month lets `forecast --store` or the job store it again."""

    list_display = ("area", "month", "model", "pai", "baseline", "baseline_pai", "verdict")
    list_filter = ("month", "verdict")
    readonly_fields = [f.name for f in StoredOutlook._meta.fields]

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("area")
        return scope(rows.defer("area__boundary", "area__display_boundary"), request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StoredBriefing)
class StoredBriefingAdmin(admin.ModelAdmin):
    """Read and delete only: deleting one lets the next run make it again."""

    list_display = ("area", "period_label", "kind", "generated_at", "duration_s", "pdf_size")
    list_filter = ("kind", "period_label")
    readonly_fields = [f.name for f in StoredBriefing._meta.fields]

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("area")
        return scope(rows.defer("area__boundary", "area__display_boundary"), request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServicePoint)
class ServicePointAdmin(JurisdictionMapAdmin):
    """Service points of the user's jurisdiction, placed on the map (manage.py
    import_service_points loads many at once)."""

    list_display = ("name", "kind", "area", "handling_unit", "responder", "active", "synthetic")
    list_filter = ("kind", "active", "synthetic")
    search_fields = ("name", "area__name", "area__code")
    autocomplete_fields = ("area",)
    raw_id_fields = ("handling_unit", "responder")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            # Only areas in the user's own jurisdiction are valid choices, not just offered ones.
            kwargs["queryset"] = scope(Area.objects.current(), request.user, "")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        points = super().get_queryset(request).select_related("area")
        return points.defer("area__boundary", "area__display_boundary")
