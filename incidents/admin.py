"""Admin of incidents: the category table and handling units are edited here; matters only read.

A matter changes through the workflow (the queue and detail pages, or the API), which checks who
may do what and appends every change to the trail. The admin must not bypass that, so matters,
their parties, photos and trail are read-only here, and matters cannot be added or deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Exists, ForeignKey, ManyToManyField, OuterRef, QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from gridmap.admin import JurisdictionScopedAdmin
from gridmap.choices import AreaLevel
from gridmap.models import Area
from gridmap.scoping import scope
from incidents.models import Category, HandlingUnit, Incident, IncidentEvent, Party, Photo
from incidents.privacy import may_see_parties, party_view, record_party_view
from incidents.queries import overdue_q

# --- categories ------------------------------------------------------------------------------


@admin.action(description=_("Delete selected categories that no matter uses"))
def delete_unused(modeladmin: CategoryAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    """Delete the unused categories of a selection and say which used ones were kept."""
    used = queryset.filter(Exists(Incident.objects.filter(category=OuterRef("pk"))))
    kept = list(used.values_list("name", flat=True))
    deleted, _per_model = queryset.exclude(pk__in=used.values("pk")).delete()
    if deleted:
        modeladmin.message_user(
            request,
            ngettext("Deleted %(count)d category.", "Deleted %(count)d categories.", deleted)
            % {"count": deleted},
            messages.SUCCESS,
        )
    if kept:
        modeladmin.message_user(request, _used_message(kept), messages.WARNING)


def _used_message(names: list[str]) -> str:
    return _(
        "Kept %(names)s: matters use these categories, so they cannot be deleted. "
        "Clear “active” to retire a category; old matters keep it."
    ) % {"names": "、".join(names)}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The category code table: names, order and retirement are edited in the list itself."""

    list_display = ["code", "kind", "name", "name_en", "active", "position", "used_by"]
    list_display_links = ["code"]
    list_editable = ["name", "name_en", "active", "position"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["kind", "position", "code"]
    actions = [delete_unused]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(incident_count=Count("incidents"))

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # The stock action ends on a page listing every protected matter, out of jurisdiction
        # too; delete_unused says plainly which categories are in use instead.
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("used by matters"), ordering="incident_count")
    def used_by(self, obj: Category) -> int:
        return obj.incident_count

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        if obj is not None and obj.incidents.exists():
            return False
        return super().has_delete_permission(request, obj)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        category = self.get_object(request, object_id)
        if request.method == "GET" and category is not None and category.incidents.exists():
            self.message_user(request, _used_message([category.name]), messages.INFO)
        return super().change_view(request, object_id, form_url, extra_context)


# --- handling units --------------------------------------------------------------------------


@admin.register(HandlingUnit)
class HandlingUnitAdmin(JurisdictionScopedAdmin, admin.ModelAdmin):
    """Centers and departments of the user's jurisdiction and the staff who work their queues."""

    list_display = ["name", "code", "kind", "mode", "area", "active"]
    list_filter = ["kind", "mode", "active"]
    search_fields = ["code", "name", "^area__code", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    filter_horizontal = ["members"]
    ordering = ["kind", "area__code", "code"]
    fields = ["code", "name", "kind", "mode", "area", "active", "members"]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField | None:
        if db_field.name == "area":
            # Units sit at a county, township or village center inside the user's jurisdiction.
            kwargs["queryset"] = scope(
                Area.objects.current().exclude(level=AreaLevel.GRID), request.user, ""
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: object
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "members":
            kwargs["queryset"] = scope(
                User.objects.order_by("username"), request.user, "jurisdiction"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- incidents (read-only) -------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """An inline for reading: nothing is added, changed or deleted from here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False


def _masked(party: Party) -> Party:
    """The party with masked personal data, in memory only (the inline never saves)."""
    shown = party_view(party, unmasked=False)
    party.name, party.phone, party.id_number = shown["name"], shown["phone"], shown["id_number"]
    return party


class PartyInline(ReadOnlyInline):
    """The parties, masked as incidents.privacy decides for the signed-in user."""

    model = Party
    fields = ["role", "name", "phone", "id_number"]
    readonly_fields = fields

    def get_formset(
        self, request: HttpRequest, obj: Incident | None = None, **kwargs: object
    ) -> type[BaseInlineFormSet]:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and may_see_parties(request.user, obj):
            return formset

        class MaskedFormSet(formset):  # type: ignore[misc, valid-type]
            # Masked on the instances themselves: the row title (the party's str) shows too.
            def get_queryset(self) -> list[Party]:
                if not hasattr(self, "_masked_parties"):
                    self._masked_parties = [_masked(p) for p in super().get_queryset()]
                return self._masked_parties

        return MaskedFormSet


class PhotoInline(ReadOnlyInline):
    model = Photo
    fields = ["photo_link", "width", "height", "size_bytes", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("image"))
    def photo_link(self, photo: Photo) -> str:
        # Through the permission-checked photo view, never a public media URL.
        url = reverse("incidents:photo", args=[photo.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("open"))


class EventInline(ReadOnlyInline):
    """The append-only trail, oldest first."""

    model = IncidentEvent
    fields = ["at", "actor", "kind", "action", "from_state", "to_state", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        condition = overdue_q(timezone.now())
        if self.value() == "yes":
            return queryset.filter(condition)
        if self.value() == "no":
            return queryset.exclude(condition)
        return queryset


@admin.register(Incident)
class IncidentAdmin(JurisdictionScopedAdmin, admin.ModelAdmin):
    """Matters of the user's jurisdiction, for reading (see the module docstring for why)."""

    jurisdiction_area_path = "grid"
    list_display = [
        "number",
        "title",
        "kind",
        "category",
        "tier",
        "state",
        "handling_unit",
        "grid",
        "received_at",
        "due_at",
        "overdue",
        "supervised",
        "owner_leader",
    ]
    list_display_links = ["number", "title"]
    list_filter = [OverdueFilter, "state", "kind", "tier", "source", "supervised", "category"]
    search_fields = ["title", "address", "^grid__code", "grid__name"]
    list_select_related = ["category", "handling_unit", "grid", "owner_leader"]
    date_hierarchy = "received_at"
    list_per_page = 50
    show_full_result_count = False
    inlines = [PartyInline, PhotoInline, EventInline]
    fieldsets = [
        (
            None,
            {
                "description": _(
                    "Matters change through the workflow (queue and detail pages, or the API), "
                    "which records every change in the trail: here they are read-only."
                ),
                "fields": ["workflow_link", "number", ("kind", "category", "tier"), "title"],
            },
        ),
        (_("Report"), {"fields": ["description", "address", "source", "reporter", "uid"]}),
        (
            _("Place"),
            {
                "fields": [
                    "coordinates",
                    ("grid", "village", "township", "county"),
                    ("outside_grid", "outside_distance_m"),
                    ("input_crs", "location_accuracy_m"),
                ]
            },
        ),
        (
            _("Handling"),
            {
                "fields": [
                    ("state", "overdue"),
                    ("handling_unit", "handler"),
                    "route_override_reason",
                    ("received_at", "due_at", "report_back_due_at"),
                    ("handled_at", "result"),
                    "outcome",
                    ("followed_up_at", "satisfaction"),
                    "follow_up_note",
                    ("closed_at", "escalated_at"),
                    ("supervised", "owner_leader"),
                    ("multi_department", "duplicate_of"),
                ]
            },
        ),
    ]
    readonly_fields = ["workflow_link", "number", "coordinates", "overdue"]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        """The matter's page; showing its parties unmasked (PartyInline) is access-logged."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            incident = self.get_object(request, object_id)
            if incident is not None and may_see_parties(request.user, incident):
                count = incident.parties.count()
                record_party_view(request=request, incident=incident, count=count)
        return response

    @admin.display(description=_("number"), ordering="received_at")
    def number(self, obj: Incident) -> str:
        return obj.number

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Incident) -> bool:
        return obj.is_overdue

    @admin.display(description=_("locations (longitude, latitude)"))
    def coordinates(self, obj: Incident) -> str:
        return "; ".join(f"{point.x:.6f}, {point.y:.6f}" for point in obj.locations)

    @admin.display(description=_("workflow"))
    def workflow_link(self, obj: Incident) -> str:
        url = reverse("incidents:detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the matter's page to act on it"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Intake goes through the forms and the API, which locate, route and start the trail.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False
