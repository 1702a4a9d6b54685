"""The analytics page's figures shown without asking: matters of the latest complete month."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from analytics.periods import Period
from incidents.choices import HANDLED_STATES, IncidentKind, State
from incidents.models import Incident


def month_glance(incidents: QuerySet[Incident], period: Period) -> dict[str, object]:
    """Matters received in ``period`` (local calendar days) among ``incidents``: how many, how
    many have a result by now (resolved or not) and are closed, and how many of each kind."""
    received = incidents.filter(
        received_at__date__gte=period.start, received_at__date__lt=period.end
    )
    figures = received.aggregate(
        received=Count("id"),
        handled=Count("id", filter=Q(state__in=HANDLED_STATES)),
        closed=Count("id", filter=Q(state=State.CLOSED)),
    )
    per_kind = dict(received.order_by().values_list("kind").annotate(n=Count("id")))
    figures["kinds"] = [
        {"kind": kind, "label": label, "count": per_kind.get(kind, 0)}
        for kind, label in IncidentKind.choices
    ]
    return figures
