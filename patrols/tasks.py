"""The scheduled job of patrols: delete tracks older than PATROL_TRACK_RETENTION_DAYS.

Cron in UTC: 19:15 UTC is 03:15 in Beijing (docs/notifications/jobs.md lists every job).
"""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from patrols.retention import delete_old_tracks

RETRY = RetryStrategy(max_attempts=3, wait=300)


@app.periodic(cron="15 19 * * *", periodic_id="daily")
@app.task(queueing_lock="patrols.delete_old_tracks", retry=RETRY)
def delete_old_patrol_tracks(timestamp: int) -> int:
    """Delete the points of patrols past PATROL_TRACK_RETENTION_DAYS; how many patrols."""
    return delete_old_tracks()
