"""A matter taken in by a grid leader while their patrol is open is linked to that patrol."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from incidents.models import Incident
from patrols.models import Patrol, PatrolReport


@receiver(post_save, sender=Incident, dispatch_uid="patrols.link_report")
def link_report(sender: type, instance: Incident, created: bool, **kwargs: object) -> None:
    """In the intake's transaction: the reporter's patrol that was under way at intake."""
    if not created or instance.reporter_id is None or kwargs.get("raw"):
        return
    # The patrol whose time covers the report (an open one included). A report queued offline
    # is received later than it was made: the phone's time of making it counts where sent.
    at = instance.reported_at or instance.received_at
    patrol = (
        Patrol.objects.filter(leader_id=instance.reporter_id, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=at))
        .order_by("-started_at")
        .only("pk")
        .first()
    )
    if patrol is not None:
        PatrolReport.objects.get_or_create(incident=instance, defaults={"patrol": patrol})
