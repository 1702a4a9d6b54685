"""Pages of incidents: the queue, a matter's detail and actions, intake forms, my grid, photos.

Thin: every list goes through incidents.queries.visible_incidents, every write through
incidents.services; the services' errors become 400 (input) and 409 (workflow) pages.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from config.pwa import queue_strings
from gridmap.models import Area
from gridmap.scoping import user_area
from gridmap.views import map_strings
from incidents import queue_order
from incidents.choices import OPEN_STATES, Action, DispatchStep, EventKind, Source
from incidents.filters import IncidentFilter
from incidents.forms import (
    ACTION_FORMS,
    MAX_PARTIES,
    ActionForm,
    IntakeForm,
    PartyFormSet,
    WindowIntakeForm,
    parties_of,
)
from incidents.models import Incident, IncidentEvent, Photo
from incidents.photos import JPEG_QUALITY, MAX_EDGE_PX, MAX_PHOTOS, max_upload_bytes
from incidents.privacy import may_see_parties, party_view, record_party_view
from incidents.queries import NEEDS_ACTION, duplicate_links, queue_incidents, visible_incidents
from incidents.routing_preview import rule_target_name
from incidents.services import (
    ACTIONS,
    INTAKE_ROLES,
    STAFF_ROLES,
    IncidentInputError,
    IntakeRequest,
    PhotoInput,
    WorkflowError,
    allowed_actions,
    take_in,
)
from incidents.timeline_subjects import subject_names

PAGE_SIZE = 50
MY_GRID_CLOSED_DAYS = 30
# A trail entry that reached the server this much after it happened shows both times.
RECEIVED_LATE = dt.timedelta(minutes=1)
# The query-string keys of IncidentFilter: a queue opened without any of them shows open matters.
FILTER_KEYS = set(IncidentFilter.base_filters)


def _require_role(user: object, roles: set[str]) -> None:
    if getattr(user, "role", None) not in roles or user_area(user) is None:
        raise PermissionDenied(_("Your role cannot use this page."))


def _map_context(extra: dict[str, object] | None = None) -> dict[str, object]:
    """Base-map names for the page's Leaflet maps (tiles come from the map_config context)."""
    strings = map_strings()
    return {
        "baseMaps": strings["baseMaps"],
        "tiandituAttribution": strings["tiandituAttribution"],
        **(extra or {}),
    }


def _geometry(area: Area | None) -> dict | None:
    return json.loads(area.display_boundary.geojson) if area is not None else None


# --- queue ---------------------------------------------------------------------------------------


def _filter_data(request: HttpRequest) -> QueryDict:
    """The filter's input: as given, or open matters when the queue is opened without filters."""
    data = request.GET.copy()
    data.pop("page", None)
    if not FILTER_KEYS.intersection(data.keys()):
        data.setlist("state", list(OPEN_STATES))
    return data


def _filter_widgets(matter_filter: IncidentFilter) -> None:
    """Checkboxes for states and date pickers, which the default widgets are not."""
    fields = matter_filter.form.fields
    fields["state"].widget = forms.CheckboxSelectMultiple(choices=fields["state"].choices)
    for name in ("received_after", "received_before"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The matters of the user's units (or whole jurisdiction), filtered, 50 a page."""
    scope = request.GET.get("scope") or queue_order.default_scope(request.user)
    matters, units, whole = queue_incidents(request.user, scope)
    data = _filter_data(request)
    sort = queue_order.sort_key(data.pop("sort", [None])[-1])
    matter_filter = IncidentFilter(
        data, queryset=matters.order_by(*queue_order.order_by(sort)), request=request
    )
    _filter_widgets(matter_filter)
    page = Paginator(matter_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("scope", None)
    data.setlist("scope", [scope] if scope else [])
    return render(
        request,
        "incidents/queue.html",
        {
            "filter": matter_filter,
            "page": page,
            "units": units,
            "whole": whole,
            "query": query.urlencode(),
            "scope": scope or "",
            "needs_action": scope == NEEDS_ACTION,
            "sort": sort,
            "sort_links": queue_order.sort_links(data, sort),
            # Pages keep the view and the sort (``query`` holds the filters).
            "scope_query": urlencode({"scope": scope or "", "sort": sort}) + "&",
            # The ledger applies the same scope and filters: it exports what the queue lists.
            "export_params": [(k, v) for k, values in data.lists() for v in values],
        },
    )


# --- detail and actions --------------------------------------------------------------------------


def _detail_incident(user: object, pk: int) -> Incident:
    matters = visible_incidents(user).select_related(
        "county", "reporter", "handler", "owner_leader", "handling_unit__area"
    )
    return get_object_or_404(matters, pk=pk)


def _action_forms(
    user: object, incident: Incident, bound: ActionForm | None, bound_action: str
) -> list[dict[str, object]]:
    forms = []
    for action in allowed_actions(user, incident):
        if bound is not None and action == bound_action:
            form = bound
        else:
            form = ACTION_FORMS[action](prefix=action, incident=incident)
        forms.append({"action": action, "label": Action(action).label, "form": form})
    return forms


def _event_label(event: IncidentEvent) -> str:
    if event.action in Action.values:
        return str(Action(event.action).label)
    if event.kind == EventKind.ASSIGNMENT and event.action in DispatchStep.values:
        return str(DispatchStep(event.action).label)
    return str(event.get_kind_display())


def _received_late(event: IncidentEvent) -> bool:
    """A step sent from a phone that was offline: it reached the server a while after."""
    received = event.received_at
    return received is not None and received - event.at > RECEIVED_LATE


def _render_detail(
    request: HttpRequest,
    incident: Incident,
    *,
    bound: ActionForm | None = None,
    bound_action: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    unmasked = may_see_parties(user, incident)
    parties = [party_view(p, unmasked=unmasked) for p in incident.parties.all()]
    if unmasked:
        record_party_view(request=request, incident=incident, count=len(parties))
    events = list(IncidentEvent.objects.filter(incident=incident).select_related("actor"))
    subjects = subject_names(events)  # e.g. the unit a dispatch step concerns
    timeline = [
        {
            "event": e,
            "label": _event_label(e),
            "subject": subjects.get(e.pk, ""),
            "received_late": _received_late(e),
        }
        for e in events
    ]
    links = duplicate_links(user, incident)
    map_data = {
        "points": [[p.x, p.y] for p in incident.locations],
        "grid": _geometry(incident.grid),
        "approximate": incident.location_approximate,
    }
    actions = _action_forms(user, incident, bound, bound_action)
    context = {
        "incident": incident,
        "parties": parties,
        "photos": incident.photos.all(),
        "events": timeline,
        "duplicates": links.duplicates,
        "duplicate_of": links.duplicate_of,
        "actions": actions,
        "form_bound": bound is not None,
        # The route form says where the rule sends the matter (issue 20: the override was a guess).
        "rule_target": rule_target_name(incident)
        if any(item["action"] == Action.ROUTE for item in actions)
        else "",
        "map_data": _map_context(map_data),
    }
    return render(request, "incidents/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One matter: its fields, parties (masked unless allowed), photos, map, trail and actions."""
    return _render_detail(request, _detail_incident(request.user, pk))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one workflow action from the detail page's forms."""
    incident = _detail_incident(request.user, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404(_("No such action."))
    form = form_class(request.POST, prefix=action, incident=incident)
    if not form.is_valid():
        return _render_detail(request, incident, bound=form, bound_action=action, status=400)
    try:
        ACTIONS[action](incident_id=incident.pk, actor=request.user, **form.service_kwargs())
    except WorkflowError as error:
        messages.error(request, str(error))
        return _render_detail(request, _detail_incident(request.user, pk), status=409)
    except IncidentInputError as error:
        form.add_service_errors(error.errors)
        return _render_detail(request, incident, bound=form, bound_action=action, status=400)
    messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("incidents:detail", pk=incident.pk)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A matter's photo, only for users who may see the matter."""
    visible = visible_incidents(request.user).values("pk")
    record = get_object_or_404(Photo.objects.filter(incident__in=visible), pk=pk)
    try:
        handle = record.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("The photo file is missing.")) from None
    response = FileResponse(handle, content_type="image/jpeg")
    # Personal content: browsers may keep it, shared caches and proxies may not.
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- intake --------------------------------------------------------------------------------------


def _take_in(
    request: HttpRequest, form: IntakeForm, *, source: str, parties: list | None = None
) -> HttpResponse | None:
    """Call the intake service; a redirect on success, None when the form now holds errors."""
    values = {"source": source, **form.request_values()}
    photos = [PhotoInput(file=f, name=f.name, size=f.size) for f in form.cleaned_data["photos"]]
    intake = IntakeRequest(**values, parties=parties or [], photos=photos)  # type: ignore[arg-type]
    try:
        result = take_in(request=intake, reporter=request.user)
    except IncidentInputError as error:
        form.add_service_errors(error.errors)
        return None
    if result.created:
        messages.success(request, _("Report taken in."))
    else:
        messages.info(request, _("This report had already been taken in."))
    return redirect("incidents:detail", pk=result.incident.pk)


def _intake_page(
    request: HttpRequest, form: IntakeForm, *, template: str, status: int, **extra: object
) -> HttpResponse:
    area = user_area(request.user)
    map_data = _map_context(
        {
            "area": _geometry(area),
            # Answers ?category=&lon=&lat= with [{id, number, title, state, distance_m, …}].
            "duplicatesUrl": reverse("api-incident-duplicates"),
            "areasUrl": reverse("api-area-list"),
            "maxPhotos": MAX_PHOTOS,
            "strings": _intake_strings(),
            # The offline queue (field form): the API it posts to, the user whose queue it is,
            # and the server's photo limits, applied in the browser before queueing.
            "apiUrl": reverse("api-incident-list"),
            "detailUrl": reverse("incidents:detail", args=[0]),
            "user": request.user.pk,
            "photoMaxEdge": MAX_EDGE_PX,
            "photoQuality": JPEG_QUALITY / 100,
            "photoMaxBytes": max_upload_bytes(),
            "queueStrings": queue_strings(),
        }
    )
    context = {
        "form": form,
        "map_data": map_data,
        "max_parties": MAX_PARTIES,
        "max_photos": MAX_PHOTOS,
        **extra,
    }
    return render(request, template, context, status=status)


def _intake_strings() -> dict[str, str]:
    """Every text incident-form.js shows, in the active language."""
    return {
        "locating": _("Finding your position…"),
        "accuracy": _("Position found, accurate to about %(metres)s m."),
        "denied": _(
            "Location permission was refused. Allow it in the browser settings, or tap the map."
        ),
        "unavailable": _("Your position is not available now. Tap the map to place the point."),
        "insecure": _("This browser gives positions only over HTTPS. Tap the map instead."),
        "picked": _("Point placed on the map."),
        "tooManyPhotos": _("At most %(count)s photos."),
        "duplicateOf": _("This is a duplicate of %(number)s"),
        "metres": _("%(metres)s m away"),
        "needPoint": _("Place the point: use your location or tap the map."),
        "preparing": _("Preparing the photos…"),
    }


@login_required
def field_intake(request: HttpRequest) -> HttpResponse:
    """The mobile field report: GPS or map pick, category, tier, text, photos."""
    _require_role(request.user, INTAKE_ROLES)
    template = "incidents/field_form.html"
    if request.method != "POST":
        return _intake_page(request, IntakeForm(), template=template, status=200)
    form = IntakeForm(request.POST, request.FILES)
    if form.is_valid():
        done = _take_in(request, form, source=Source.FIELD)
        if done is not None:
            return done
    return _intake_page(request, form, template=template, status=400)


@login_required
def window_intake(request: HttpRequest) -> HttpResponse:
    """The window/hotline form of center staff: parties, address, map pick, departments flag."""
    _require_role(request.user, STAFF_ROLES)
    template = "incidents/window_form.html"
    if request.method != "POST":
        form, formset = WindowIntakeForm(), PartyFormSet(prefix="parties")
        return _intake_page(request, form, template=template, status=200, parties=formset)
    form = WindowIntakeForm(request.POST, request.FILES)
    formset = PartyFormSet(request.POST, prefix="parties")
    if form.is_valid() and formset.is_valid():
        done = _take_in(
            request, form, source=form.cleaned_data["source"], parties=parties_of(formset)
        )
        if done is not None:
            return done
    return _intake_page(request, form, template=template, status=400, parties=formset)


# --- my grid -------------------------------------------------------------------------------------


@login_required
def my_grid(request: HttpRequest) -> HttpResponse:
    """A grid leader's grid: open matters first (soonest due), then the last 30 days' closed."""
    _require_role(request.user, {Role.GRID_LEADER})
    grid = user_area(request.user)
    since = timezone.now() - dt.timedelta(days=MY_GRID_CLOSED_DAYS)
    is_open = Q(state__in=OPEN_STATES)
    matters = (
        visible_incidents(request.user)
        .filter(grid=grid)
        .filter(is_open | Q(handled_at__gte=since) | Q(closed_at__gte=since))
        .annotate(open_first=Case(When(is_open, then=0), default=1, output_field=IntegerField()))
        .order_by("open_first", "due_at", "-received_at")
    )
    matters = list(matters)
    context = {
        "grid": grid,
        "open_matters": [m for m in matters if m.is_open],
        "recent_matters": [m for m in matters if not m.is_open],
        "days": MY_GRID_CLOSED_DAYS,
        # The phone keeps this page for use offline; it shows when its copy was made.
        "synced_at": timezone.now(),
        "queue_strings": queue_strings(),
        "queue_links": {"detail": reverse("incidents:detail", args=[0])},
        "map_data": _map_context(
            {
                "grid": _geometry(grid),
                "points": [[m.location.x, m.location.y] for m in matters if m.is_open],
            }
        ),
    }
    return render(request, "incidents/my_grid.html", context)
