"""Admin of dispatch: responders and squads are kept here; assignments are only read.

An assignment's state, a unit's load and its status follow from the dispatch services, which lock
the rows and record every step in the matter's trail; the admin must not bypass them. So load and
status are read-only here, off/on duty goes through ``set_duty``, and assignments cannot be
added, changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gridmap.admin import JurisdictionMapAdmin, JurisdictionScopedAdmin
from gridmap.choices import AreaLevel
from gridmap.models import Area
from gridmap.scoping import scope
from volunteers.choices import ResponderKind
from volunteers.models import Assignment, Responder, Volunteer
from volunteers.services import set_duty


class VolunteerInline(admin.TabularInline):
    """The people of a squad, its leader first."""

    model = Volunteer
    fields = ["name", "phone", "is_leader", "user", "synthetic"]
    autocomplete_fields = ["user"]
    extra = 0


class HomeTownshipFilter(admin.SimpleListFilter):
    """Units by the township they serve in (the county's own units under none)."""

    title = _("home township")
    parameter_name = "township"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        townships = scope(
            Area.objects.current().filter(level=AreaLevel.TOWNSHIP), request.user, ""
        ).order_by("code")
        return [(t.code, t.name) for t in townships]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        township = Area.objects.current().filter(code=self.value()).first()
        if township is None:
            return queryset
        return queryset.filter(home_area__code__startswith=township.code_prefix)


@admin.action(description=_("Take the selected units off duty"))
def take_off_duty(modeladmin: ResponderAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_duty(modeladmin, request, queryset, on_duty=False)


@admin.action(description=_("Put the selected units back on duty"))
def put_on_duty(modeladmin: ResponderAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_duty(modeladmin, request, queryset, on_duty=True)


def _set_duty(
    modeladmin: ResponderAdmin, request: HttpRequest, queryset: QuerySet, *, on_duty: bool
) -> None:
    ids = list(queryset.values_list("pk", flat=True))
    for responder_id in ids:
        set_duty(responder_id=responder_id, on_duty=on_duty)
    message = (
        ngettext("%(count)d unit is on duty.", "%(count)d units are on duty.", len(ids))
        if on_duty
        else ngettext("%(count)d unit is off duty.", "%(count)d units are off duty.", len(ids))
    )
    modeladmin.message_user(request, message % {"count": len(ids)}, messages.SUCCESS)


@admin.register(Responder)
class ResponderAdmin(JurisdictionMapAdmin):
    """Units of the user's jurisdiction: who they are, what they handle, where they are."""

    jurisdiction_area_path = "home_area"
    list_display = [
        "name",
        "kind",
        "home_area",
        "status",
        "load_of_capacity",
        "position_at",
        "stale",
        "active",
    ]
    list_filter = ["kind", "status", HomeTownshipFilter, "active", "synthetic"]
    search_fields = ["name", "phone"]
    list_select_related = ["home_area"]
    autocomplete_fields = ["home_area", "members"]
    filter_horizontal = ["skills"]
    list_per_page = 50
    show_full_result_count = False
    actions = [take_off_duty, put_on_duty]
    fieldsets = [
        (None, {"fields": ["name", "kind", "home_area", "skills", "phone", "members"]}),
        (
            _("Dispatch"),
            {
                "description": _(
                    "Load and status follow the unit's assignments; use the actions of the list "
                    "to take a unit off duty or back on duty."
                ),
                "fields": [("capacity", "load", "status"), "travel_mode", ("active", "synthetic")],
            },
        ),
        (
            _("Place"),
            {
                "description": _(
                    "Phones post the position; a position set here counts as posted now."
                ),
                "fields": ["position", ("position_at", "position_accuracy_m"), "base"],
            },
        ),
    ]
    readonly_fields = ["load", "status", "position_at", "position_accuracy_m"]

    @admin.display(description=_("load"), ordering="load")
    def load_of_capacity(self, obj: Responder) -> str:
        return f"{obj.load} / {obj.capacity}"

    @admin.display(description=_("position stale"), boolean=True)
    def stale(self, obj: Responder) -> bool:
        return obj.is_stale()

    def get_inlines(self, request: HttpRequest, obj: Responder | None) -> list:
        return [VolunteerInline] if obj is not None and obj.kind == ResponderKind.SQUAD else []

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField | None:
        if db_field.name == "home_area":
            # Valid choices, not just offered ones: areas of the user's own jurisdiction.
            kwargs["queryset"] = scope(Area.objects.current(), request.user, "")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Responder, form: ModelForm, change: bool
    ) -> None:
        if "position" in form.changed_data:
            obj.position_at = timezone.now() if obj.position is not None else None
            obj.position_accuracy_m = None
        super().save_model(request, obj, form, change)


@admin.register(Volunteer)
class VolunteerAdmin(JurisdictionScopedAdmin, admin.ModelAdmin):
    jurisdiction_area_path = "squad__home_area"
    list_display = ["name", "squad", "is_leader", "phone", "user", "synthetic"]
    list_filter = ["is_leader", "synthetic"]
    search_fields = ["name", "phone", "squad__name"]
    list_select_related = ["squad", "user"]
    autocomplete_fields = ["squad", "user"]
    list_per_page = 50
    show_full_result_count = False


@admin.register(Assignment)
class AssignmentAdmin(JurisdictionScopedAdmin, admin.ModelAdmin):
    """Assignments for reading (see the module docstring for why)."""

    jurisdiction_area_path = "incident__grid"
    list_display = [
        "incident",
        "responder",
        "state",
        "offered_at",
        "accepted_at",
        "finished_at",
        "assigned_by",
        "distance_m",
    ]
    list_filter = ["state", "responder__kind"]
    search_fields = ["responder__name", "incident__title"]
    list_select_related = ["incident", "responder", "assigned_by"]
    date_hierarchy = "offered_at"
    list_per_page = 50
    show_full_result_count = False
    fields = [
        ("incident", "responder"),
        ("state", "assigned_by"),
        ("distance_m", "reoffer_of"),
        "override_reason",
        ("offered_at", "accepted_at", "en_route_at", "on_scene_at", "finished_at"),
        "decline_reason",
        "outcome_note",
    ]
    readonly_fields = [
        name for row in fields for name in (row if isinstance(row, tuple) else (row,))
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Assignment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Assignment | None = None) -> bool:
        return False
