"""The road network in the admin (docs/roads.md): its versions, read-only, and the speed table.

The network is county-wide, like the job queue: only superusers and staff county administrators
over a whole county see these pages (``may_see_jobs``). It lives in ``accounts`` because the
check needs the user's role, and ``roads`` sits below ``accounts`` in the layering. Saving a speed
recomputes the travel times of the network in use in the same transaction as the save.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.job_admin import may_see_jobs
from roads.models import RoadNetwork, RoadSpeed
from roads.reporting import summary_lines
from roads.services import recompute_costs


class CountyWideAdmin(admin.ModelAdmin):
    """Visible to county administrators only; nobody adds or deletes here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_jobs(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return may_see_jobs(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RoadNetwork)
class RoadNetworkAdmin(CountyWideAdmin):
    """The imported versions (only the one in use is kept) with their counts and report."""

    list_display = [
        "name",
        "active",
        "synthetic",
        "edge_count",
        "node_count",
        "component_count",
        "km",
        "imported_at",
        "imported_by",
    ]
    fields = [
        "name",
        "source",
        "active",
        "synthetic",
        "imported_at",
        "imported_by",
        "edge_count",
        "node_count",
        "component_count",
        "summary",
    ]
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("length (km)"))
    def km(self, obj: RoadNetwork) -> str:
        return f"{obj.report.get('km', 0):,.1f}"

    @admin.display(description=_("import report"))
    def summary(self, obj: RoadNetwork) -> str:
        return format_html("<pre>{}</pre>", "\n".join(summary_lines(obj)))


@admin.register(RoadSpeed)
class RoadSpeedAdmin(CountyWideAdmin):
    """Speeds per road class and mode, edited in the list; blank: the mode may not use it."""

    list_display = ["road_class", "mode", "kmh"]
    list_editable = ["kmh"]
    list_filter = ["road_class", "mode"]
    fields = ["road_class", "mode", "kmh"]
    readonly_fields = ["road_class", "mode"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return may_see_jobs(request.user)

    def save_model(self, request: HttpRequest, obj: RoadSpeed, form: object, change: bool) -> None:
        # The admin saves inside a transaction (change form and list alike): the new travel
        # times are written with the speed or not at all.
        super().save_model(request, obj, form, change)
        network = RoadNetwork.objects.active()
        if network is not None:
            recompute_costs(network=network, road_classes=[obj.road_class])
