"""Deleting old tracks (personal data) after PATROL_TRACK_RETENTION_DAYS, keeping the figures.

Before a month's tracks go, that month's figures (per grid leader and per grid) are frozen into
PatrolMonth, so the assessment tables and briefings of that month still show them. The patrol
rows stay with their distance, duration and covered share; their points and track line go.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from patrols.coverage import live_figures
from patrols.models import Patrol, PatrolMonth, TrackPoint


def freeze_month(month: dt.date, grid_ids: set[int]) -> int:
    """Store the month's live figures of ``grid_ids`` unless already frozen; how many rows."""
    figures = live_figures("", month)
    rows = [
        PatrolMonth(
            grid_id=grid_id,
            leader_id=leader_id,
            month=month,
            patrols=f.patrols,
            duration_s=f.duration_s,
            distance_m=f.distance_m,
            covered_share=f.covered_share,
        )
        for (grid_id, leader_id), f in figures.items()
        if grid_id in grid_ids
    ]
    # The first freeze saw the most tracks: a later one never replaces it.
    PatrolMonth.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def delete_old_tracks(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the points and track of patrols ended (or started, if never ended) more than
    ``days`` (PATROL_TRACK_RETENTION_DAYS) ago; how many patrols were stripped."""
    now = now or timezone.now()
    keep_days = settings.PATROL_TRACK_RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=keep_days)
    old = Q(ended_at__lt=cutoff) | Q(ended_at__isnull=True, started_at__lt=cutoff)
    with transaction.atomic():
        stale = list(
            Patrol.objects.select_for_update()
            .filter(old, track_deleted_at__isnull=True)
            .only("pk", "grid_id", "started_at")
        )
        if not stale:
            return 0
        months: dict[dt.date, set[int]] = {}
        for patrol in stale:
            month = timezone.localtime(patrol.started_at).date().replace(day=1)
            months.setdefault(month, set()).add(patrol.grid_id)
        for month, grid_ids in months.items():
            freeze_month(month, grid_ids)
        ids = [p.pk for p in stale]
        TrackPoint.objects.filter(patrol_id__in=ids).delete()
        Patrol.objects.filter(pk__in=ids).update(track=None, track_deleted_at=now)
    return len(stale)
