"""Housekeeping jobs: pruning the access log, and deleting old finished jobs of the queue.

Crons are in UTC: 19:00 and 19:30 UTC are 03:00 and 03:30 in Beijing, when the county sleeps.
docs/notifications/jobs.md lists every job.
"""

from __future__ import annotations

from django.conf import settings
from procrastinate import JobContext, RetryStrategy, builtin_tasks
from procrastinate.contrib.django import app

from accounts.audit import prune_access_log as prune_access_log_now

# Daily jobs can wait: a failure is retried after 1, 4 and 16 minutes, then shown in the admin.
RETRY = RetryStrategy(max_attempts=3, exponential_wait=60)


@app.periodic(cron="0 19 * * *", periodic_id="daily")
@app.task(queueing_lock="accounts.prune_access_log", retry=RETRY)
def prune_access_log(timestamp: int) -> int:
    """Delete access-log rows older than ACCESS_LOG_RETENTION_DAYS; how many."""
    return prune_access_log_now()


@app.periodic(cron="30 19 * * *", periodic_id="daily")
@app.task(queueing_lock="accounts.remove_old_jobs", pass_context=True, retry=RETRY)
async def remove_old_jobs(context: JobContext, timestamp: int) -> None:
    """Delete finished jobs after JOBS_KEEP_DAYS, failed and cancelled ones after
    JOBS_KEEP_FAILED_DAYS (an administrator may still want to see or retry them)."""
    await builtin_tasks.remove_old_jobs(context, max_hours=settings.JOBS_KEEP_DAYS * 24)
    await builtin_tasks.remove_old_jobs(
        context,
        max_hours=settings.JOBS_KEEP_FAILED_DAYS * 24,
        remove_failed=True,
        remove_cancelled=True,
        remove_aborted=True,
    )
