"""Figures of the loaded demo year, as the load command prints them."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.demo.table import text_table
from incidents.choices import OPEN_STATES, Action, IncidentKind
from incidents.models import Incident, IncidentEvent
from incidents.queries import overdue_q


def month_rows() -> list[tuple[str, ...]]:
    """Matters per month of intake and kind, with the month's total."""
    counts = (
        Incident.objects.filter(synthetic=True)
        .annotate(month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone()))
        .values_list("month", "kind")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {}
    for month, kind, n in counts:
        table.setdefault(f"{month:%Y-%m}", {})[kind] = n
    kinds = IncidentKind.values
    header = (_("month"), *[str(IncidentKind(k).label) for k in kinds], _("total"))
    rows = [header]
    for month in sorted(table):
        values = [table[month].get(kind, 0) for kind in kinds]
        rows.append((month, *[f"{v:,}" for v in values], f"{sum(values):,}"))
    return rows


def figures() -> dict[str, int]:
    """Counts behind the summary: handled, on time, open, overdue, flags and special steps."""
    synthetic = Incident.objects.filter(synthetic=True)
    counts = synthetic.aggregate(
        total=Count("id"),
        handled=Count("id", filter=Q(handled_at__isnull=False)),
        on_time=Count("id", filter=Q(handled_at__lte=F("due_at"))),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=overdue_q()),
        escalated=Count("id", filter=Q(escalated_at__isnull=False)),
        supervised=Count("id", filter=Q(supervised=True)),
        leader_owned=Count("id", filter=Q(owner_leader__isnull=False)),
        duplicates=Count("id", filter=Q(duplicate_of__isnull=False)),
    )
    events = IncidentEvent.objects.filter(incident__synthetic=True)
    for action in (Action.TRANSFER, Action.REOPEN):
        counts[action] = events.filter(action=action).values("incident").distinct().count()
    return counts


def summary_lines() -> list[str]:
    """The month × kind table and the key figures, as aligned lines."""
    numbers = figures()
    handled = numbers["handled"] or 1
    lines = text_table(month_rows(), right=(1, 2, 3, 4, 5))
    lines.append("")
    lines.append(
        _(
            "%(total)s matters; %(handled)s handled, %(share).1f %% of them on time; "
            "%(open)s open, %(overdue)s overdue, %(escalated)s escalated; "
            "%(supervised)s supervised, %(owned)s leader-owned; "
            "%(transfer)s transferred, %(reopen)s reopened, %(duplicates)s linked duplicates."
        )
        % {
            "total": f"{numbers['total']:,}",
            "handled": f"{numbers['handled']:,}",
            "share": 100.0 * numbers["on_time"] / handled,
            "open": numbers["open"],
            "overdue": numbers["overdue"],
            "escalated": numbers["escalated"],
            "supervised": numbers["supervised"],
            "owned": numbers["leader_owned"],
            "transfer": numbers[Action.TRANSFER],
            "reopen": numbers[Action.REOPEN],
            "duplicates": numbers["duplicates"],
        }
    )
    return lines
