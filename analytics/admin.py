"""Admin of stored hot-spot runs (read-only: runs are written by the analysis only)."""

from __future__ import annotations

from django.contrib import admin

from analytics.models import HotspotRun
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
