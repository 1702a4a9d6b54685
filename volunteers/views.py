"""Pages of dispatch: the dispatch queue, a matter's dispatch console, the responder's phone page.

Thin: lists come from volunteers.queries, every write goes through volunteers.services; a refusal
of the dispatch rules renders the page again with status 409 and the reason as a message. The
pages work without JavaScript (plain POST forms); the scripts add the map, assigning without a
reload, live statuses and sharing the phone's position.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from config.pwa import queue_strings
from gridmap.models import AREA_SHAPE_FIELDS
from gridmap.views import map_strings
from incidents.choices import DispatchStep
from incidents.models import Incident
from incidents.queries import visible_incidents
from roads.queries import active_network
from volunteers.access import Viewer, dispatchable_incident
from volunteers.choices import AssignmentState
from volunteers.forms import AssignForm, AssignmentStepForm
from volunteers.models import Assignment, Responder
from volunteers.queries import (
    candidates,
    dispatch_queue,
    incident_assignments,
    my_assignments,
    responders_with_home,
)
from volunteers.serializers import AssignmentSerializer, candidate_rows
from volunteers.services import (
    ASSIGNABLE_STATES,
    ASSIGNMENT_ACTIONS,
    DispatchError,
    act_on_assignment,
    allowed_assignment_actions,
    assign,
    dispatches_for,
)

PAGE_SIZE = 50
CONSOLE_CANDIDATES = 10
# How often the console asks for fresh statuses, and the phone page for new offers (seconds).
CONSOLE_REFRESH_S = 10
RESPONDER_REFRESH_S = 30


def _map_context(extra: dict[str, object]) -> dict[str, object]:
    """Base-map names for the page's Leaflet map (tiles come from the map_config context)."""
    strings = map_strings()
    return {
        "baseMaps": strings["baseMaps"],
        "tiandituAttribution": strings["tiandituAttribution"],
        **extra,
    }


def _step_choices(actions: list[str]) -> list[dict[str, str]]:
    return [{"action": action, "label": str(ASSIGNMENT_ACTIONS[action])} for action in actions]


# --- dispatch queue ------------------------------------------------------------------------------


def _require_dispatcher(user: object) -> Viewer:
    viewer = Viewer.of(user)
    if not viewer.is_dispatcher:
        raise PermissionDenied(_("Only dispatchers can use this page."))
    return viewer


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Matters routed to or in progress at the user's centers, those without a unit first."""
    _require_dispatcher(request.user)
    matters = dispatch_queue(request.user, ASSIGNABLE_STATES)
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/dispatch_queue.html", {"page": page})


# --- console -------------------------------------------------------------------------------------


def _console_strings() -> dict[str, str]:
    """Every text dispatch-console.js shows, in the active language."""
    return {
        "assign": _("Assign"),
        "assigning": _("Assigning…"),
        "offered": _("Offered to %(unit)s."),
        "retryWithReason": _("Give a reason above and assign again."),
        "cancel": _("Cancel"),
        "confirmCancel": _("Cancel the assignment of %(unit)s?"),
        "cancelled": _("Assignment of %(unit)s cancelled."),
        "updated": _("Updated %(time)s"),
        "offline": _("Cannot reach the server; the statuses shown may be old."),
        "failed": _("The server refused: %(detail)s"),
        "noCandidates": _("No suitable unit is free near this matter."),
        "noAssignments": _("Nobody has been sent yet."),
        "metres": _("%(metres)s m"),
        "minutes": _("%(minutes)s min"),
        "ownArea": _("own area"),
        "otherArea": _("other area: needs a reason"),
        "reason": _("Reason to send a unit of another area"),
        "matter": _("The matter"),
        "phone": _("Phone"),
        "offeredAt": _("Offered"),
        "acceptedAt": _("Accepted"),
        "enRouteAt": _("On the way"),
        "arrivedAt": _("Arrived"),
        "endedAt": _("Ended"),
        "override": _("Override:"),
        "declined": _("Declined:"),
        "outcome": _("Outcome:"),
        "reoffer": _("after a decline or timeout"),
        "routeBy": _("Way of %(unit)s: %(minutes)s min, %(source)s"),
        "routeFailed": _("The way of this unit could not be loaded."),
    }


def _shown(incident: Incident) -> Incident:
    """The matter again with what the console shows joined (its grid with the display shape)."""
    joined = Incident.objects.select_related("category", "grid", "handling_unit")
    return joined.defer("grid__boundary", "grid__label_point").get(pk=incident.pk)


def _console_context(request: HttpRequest, incident: Incident) -> dict[str, object]:
    incident = _shown(incident)
    user = request.user
    viewer = Viewer.of(user)
    found = candidates(incident, limit=CONSOLE_CANDIDATES)
    rows = list(incident_assignments(incident.pk))
    # The serializers' context: one Viewer for the page, and the matter's units reachable.
    context = {
        "request": request,
        "viewer": viewer,
        "dispatching_units": {row.responder_id for row in rows},
    }
    candidate_data = candidate_rows(found, viewer)
    assignment_data = AssignmentSerializer(rows, many=True, context=context).data
    map_data = _map_context(
        {
            "incident": {
                "id": incident.pk,
                "number": incident.number,
                "title": incident.title,
                "kind": incident.kind,
                "location": [incident.location.x, incident.location.y],
            },
            "grid": json.loads(incident.grid.display_boundary.geojson),
            "candidates": candidate_data,
            "assignments": assignment_data,
            "urls": {
                "candidates": reverse("api-incident-candidates", args=[incident.pk])
                + f"?limit={CONSOLE_CANDIDATES}",
                "route": reverse("api-candidate-route", args=[incident.pk, 0]),
                "assign": reverse("api-incident-assign", args=[incident.pk]),
                "assignments": reverse("api-incident-assignments", args=[incident.pk]),
                "assignFallback": reverse("volunteers:assign", args=[incident.pk]),
                "cancelFallback": reverse("volunteers:cancel", args=[0]),
                "action": reverse("api-assignment-action", args=[0, "cancel"]),
            },
            "refreshSeconds": CONSOLE_REFRESH_S,
            "strings": _console_strings(),
        }
    )
    return {
        "incident": incident,
        "assignable": incident.state in ASSIGNABLE_STATES,
        "by_road": active_network() is not None,
        "candidates": [
            {"candidate": c, "data": data} for c, data in zip(found, candidate_data, strict=True)
        ],
        "assignments": [
            {"assignment": a, "data": data} for a, data in zip(rows, assignment_data, strict=True)
        ],
        "map_data": map_data,
    }


def _render_console(
    request: HttpRequest, incident: Incident, *, status: int = 200, retry_responder: int = 0
) -> HttpResponse:
    context = _console_context(request, incident)
    context["retry_responder"] = retry_responder
    return render(request, "volunteers/console.html", context, status=status)


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter's dispatch console: map, candidates with one-click assign, live assignments."""
    return _render_console(request, dispatchable_incident(request.user, pk))


@login_required
@require_POST
def assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The console's assign buttons without JavaScript: a named unit, or the nearest one."""
    incident = dispatchable_incident(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _render_console(request, incident, status=400)
    responder_id = form.cleaned_data["responder"]
    try:
        done = assign(
            incident_id=incident.pk,
            actor=request.user,
            responder_id=responder_id,
            override_reason=form.cleaned_data["override_reason"],
        )
    except DispatchError as error:
        messages.error(request, str(error))
        return _render_console(request, incident, status=409, retry_responder=responder_id or 0)
    messages.success(request, _("Offered to %(unit)s.") % {"unit": done.assignment.responder})
    return redirect("volunteers:console", pk=incident.pk)


# --- one step of an assignment -------------------------------------------------------------------


@login_required
@require_POST
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from a plain form: accept … done on the phone page, cancel on the console."""
    if action not in ASSIGNMENT_ACTIONS:
        raise Http404(_("No such action."))
    assignment = get_object_or_404(
        Assignment.objects.select_related("incident__handling_unit", "responder"), pk=pk
    )
    member = Viewer.of(request.user).is_member(assignment.responder)
    dispatcher = dispatches_for(request.user, assignment.incident)
    if not (member or dispatcher):
        raise Http404(_("No assignment %(id)s of yours.") % {"id": pk})
    form = AssignmentStepForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    # Members act from their phone page; a dispatcher (cancel) goes back to the console.
    on_console = dispatcher and (action == "cancel" or not member)
    try:
        act_on_assignment(assignment_id=pk, action=action, actor=request.user, note=note)
    except DispatchError as error:
        messages.error(request, str(error))
        if on_console:
            incident = dispatchable_incident(request.user, assignment.incident_id)
            return _render_console(request, incident, status=409)
        return _render_responder(request, status=409)
    messages.success(
        request,
        _("Done: %(action)s (%(unit)s).")
        % {"action": ASSIGNMENT_ACTIONS[action], "unit": assignment.responder},
    )
    if on_console:
        return redirect("volunteers:console", pk=assignment.incident_id)
    return redirect("volunteers:responder")


# --- the responder's phone page ------------------------------------------------------------------


def _responder_strings() -> dict[str, str]:
    """Every text responder.js shows, in the active language."""
    return {
        "locating": _("Finding your position…"),
        "shared": _("Position shared at %(time)s (accurate to about %(metres)s m)."),
        "denied": _("Location permission was refused. Allow it in the browser settings."),
        "unavailable": _("Your position is not available now. Try again outdoors."),
        "timeout": _("Finding your position took too long. Try again."),
        "insecure": _("This browser gives positions only over HTTPS."),
        "tooSoon": _("Shared a moment ago; try again in %(seconds)s s."),
        "failed": _("The server refused: %(detail)s"),
        "offline": _("Cannot reach the server; try again."),
        "changed": _("Your assignments have changed."),
        "reload": _("Show them"),
        "matter": _("The matter"),
        "unit": _("Your unit"),
    }


def _unit_rows(viewer: Viewer) -> list[Responder]:
    units = responders_with_home().filter(pk__in=viewer.units)
    return list(units.defer(*(f"home_area__{name}" for name in AREA_SHAPE_FIELDS)))


def _render_responder(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    user = request.user
    viewer = Viewer.of(user)
    if user.role != Role.RESPONDER and not viewer.units:  # type: ignore[union-attr]
        raise PermissionDenied(_("This page is for the members of a responder unit."))
    live, finished = my_assignments(user)
    units = _unit_rows(viewer)
    map_data = _map_context(
        {
            "matters": [
                {
                    "title": a.incident.title,
                    "number": a.incident.number,
                    "kind": a.incident.kind,
                    "location": [a.incident.location.x, a.incident.location.y],
                }
                for a in live
            ],
            "units": [
                {"name": u.display_name, "position": [u.position.x, u.position.y]}
                for u in units
                if u.position is not None
            ],
            "mineUrl": reverse("api-my-assignments"),
            "live": [[a.pk, a.state] for a in live],
            "refreshSeconds": RESPONDER_REFRESH_S,
            "strings": _responder_strings(),
        }
    )
    context = {
        "units": units,
        "live": [
            {"assignment": a, "steps": _step_choices(allowed_assignment_actions(user, a))}
            for a in live
        ],
        "finished": finished,
        "map_data": map_data if live or units else None,
        "step_queue": _step_queue_data(user),
        **_offer_context(user, live),
    }
    return render(request, "volunteers/responder.html", context, status=status)


def _step_queue_data(user: object) -> dict[str, object]:
    """What responder-steps.js needs to queue steps offline (docs/field-app.md)."""
    return {
        "user": user.pk,  # type: ignore[attr-defined]
        # "/api/assignments/0/accept/": the script puts in the assignment and the step.
        "url": reverse("api-assignment-action", args=[0, DispatchStep.ACCEPT]),
        "labels": {action: str(label) for action, label in ASSIGNMENT_ACTIONS.items()},
        # The member's steps in their order: after one is queued offline, the next is offered.
        "next": {
            DispatchStep.ACCEPT: DispatchStep.EN_ROUTE,
            DispatchStep.EN_ROUTE: DispatchStep.ARRIVE,
            DispatchStep.ARRIVE: DispatchStep.DONE,
        },
        "strings": {
            **queue_strings(),
            "queued": _("%(step)s at %(time)s: waiting to send"),
            "outcome": _("Outcome"),
            "confirm": _("Confirm: %(step)s?"),
            "yes": _("Yes, send it"),
            "back": _("No, go back"),
        },
    }


def _offer_context(user: object, live: list) -> dict[str, object]:
    """The new offers waiting for an answer (the banner at the top) and which matters the user
    may open (their page shows the parties' contact as far as the user may see it)."""
    offers = [a for a in live if a.state == AssignmentState.OFFERED]
    ids = [a.incident_id for a in live]
    visible = set(visible_incidents(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        "offers": len(offers),
        "first_offer": offers[0].pk if offers else None,
        "visible_matters": visible,
    }


@login_required
def responder(request: HttpRequest) -> HttpResponse:
    """The responder's phone page: my live assignments and their steps, share my position."""
    return _render_responder(request)
