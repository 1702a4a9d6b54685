"""The deadline check: open matters past their deadline move to the parent center, once per
deadline (run by ``manage.py check_deadlines``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import announcements
from incidents.choices import EventKind
from incidents.models import Incident
from incidents.queries import overdue_q
from incidents.routing import parent_unit
from incidents.services.common import _append


@dataclass(frozen=True)
class Escalation:
    """One matter moved by the deadline check: from which unit to which (codes)."""

    incident_id: int
    from_unit: str
    to_unit: str


@dataclass(frozen=True)
class EscalationReport:
    overdue: int
    escalated: int
    moves: tuple[Escalation, ...] = ()
    dry_run: bool = False


def escalate_overdue(*, now: dt.datetime | None = None, dry_run: bool = False) -> EscalationReport:
    """Move each open, overdue, not yet escalated matter to its parent center and mark it.

    Idempotent: a matter is escalated once per deadline (reopening sets a new one), so running
    the check again changes nothing. Rows another transaction holds are skipped until next run.
    A dry run does the same work and rolls it back, so it reports exactly what a run would do.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Incident.objects.filter(overdue_q(now), escalated_at__isnull=True)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("handling_unit__area__parent")
            .order_by("due_at", "pk")
        )
        moves = tuple(_escalate(incident, now) for incident in due)
        overdue = Incident.objects.filter(overdue_q(now)).count()
        if dry_run:
            transaction.set_rollback(True)
    return EscalationReport(overdue=overdue, escalated=len(moves), moves=moves, dry_run=dry_run)


def _escalate(incident: Incident, now: dt.datetime) -> Escalation:
    previous = incident.handling_unit
    target = parent_unit(previous)
    incident.handling_unit = target
    incident.escalated_at = now
    incident.save(update_fields=["handling_unit", "escalated_at", "updated_at"])
    event = _append(
        incident,
        actor=None,
        kind=EventKind.ESCALATE,
        from_state=incident.state,
        to_state=incident.state,
        at=now,
        note=_("Overdue since %(due)s; escalated to %(unit)s.")
        % {
            "due": timezone.localtime(_missed_deadline(incident, now)).strftime("%Y-%m-%d %H:%M"),
            "unit": target,
        },
        data={"from_unit": previous.code, "to_unit": target.code},
    )
    announcements.announce_escalation(incident, event, previous)
    return Escalation(incident.pk, previous.code, target.code)


def _missed_deadline(incident: Incident, now: dt.datetime) -> dt.datetime:
    """The deadline the matter missed: its due time, else its report-back time."""
    if incident.due_at < now or incident.report_back_due_at is None:
        return incident.due_at
    return incident.report_back_due_at
