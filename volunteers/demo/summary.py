"""Figures of the loaded demo responders, as the load command prints them."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gridmap.demo.table import text_table
from volunteers.choices import (
    LIVE_ASSIGNMENT_STATES,
    AssignmentState,
    ResponderKind,
    ResponderStatus,
)
from volunteers.demo.roster import RESPONDER_LOGIN
from volunteers.models import Assignment, Responder, Volunteer, stale_before


def kind_rows() -> list[tuple[str, ...]]:
    """Units per kind: on duty, off duty, stale positions, busy, capacity."""
    counts = {
        row["kind"]: row
        for row in Responder.objects.filter(synthetic=True)
        .values("kind")
        .annotate(
            units=Count("id"),
            off_duty=Count("id", filter=Q(status=ResponderStatus.OFF_DUTY)),
            stale=Count(
                "id",
                filter=~Q(status=ResponderStatus.OFF_DUTY) & Q(position_at__lt=stale_before()),
            ),
            busy=Count("id", filter=Q(load__gt=0)),
            capacity=Sum("capacity"),
        )
    }
    header = (_("kind"), _("units"), _("off duty"), _("stale position"), _("busy"), _("capacity"))
    rows = [header]
    for kind in ResponderKind.values:
        if kind in counts:
            row = counts[kind]
            figures = [row[name] for name in ("units", "off_duty", "stale", "busy", "capacity")]
            rows.append((str(ResponderKind(kind).label), *[f"{n:,}" for n in figures]))
    return rows


def summary_lines() -> list[str]:
    """The units table, the volunteers, the assignments and the demo login's unit."""
    lines = text_table(kind_rows(), right=(1, 2, 3, 4, 5))
    volunteers = Volunteer.objects.filter(squad__synthetic=True).aggregate(
        people=Count("id"), leaders=Count("id", filter=Q(is_leader=True))
    )
    assignments = Assignment.objects.filter(responder__synthetic=True)
    states = dict(assignments.values_list("state").annotate(n=Count("id")))
    live = sum(states.get(state, 0) for state in LIVE_ASSIGNMENT_STATES)
    lines.append("")
    lines.append(
        _("%(people)s volunteers, %(leaders)s of them squad leaders.")
        % {"people": f"{volunteers['people']:,}", "leaders": volunteers["leaders"]}
    )
    lines.append(
        _(
            "%(matters)s matters dispatched: %(done)s assignments done, %(cancelled)s cancelled, "
            "%(declined)s declined, %(expired)s offers expired; %(live)s live now "
            "(%(offered)s offered, %(accepted)s accepted, %(en_route)s en route, "
            "%(on_scene)s on scene)."
        )
        % {
            "matters": f"{assignments.values('incident').distinct().count():,}",
            "done": f"{states.get(AssignmentState.DONE, 0):,}",
            "cancelled": states.get(AssignmentState.CANCELLED, 0),
            "declined": states.get(AssignmentState.DECLINED, 0),
            "expired": states.get(AssignmentState.EXPIRED, 0),
            "live": live,
            "offered": states.get(AssignmentState.OFFERED, 0),
            "accepted": states.get(AssignmentState.ACCEPTED, 0),
            "en_route": states.get(AssignmentState.EN_ROUTE, 0),
            "on_scene": states.get(AssignmentState.ON_SCENE, 0),
        }
    )
    demo = Responder.objects.filter(synthetic=True, members__username=RESPONDER_LOGIN).first()
    if demo is not None:
        lines.append(
            _("The demo login “%(login)s” acts for %(unit)s: %(live)d live assignments.")
            % {
                "login": RESPONDER_LOGIN,
                "unit": demo.name,
                "live": demo.assignments.filter(state__in=LIVE_ASSIGNMENT_STATES).count(),
            }
        )
    return lines
