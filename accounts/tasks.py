"""Housekeeping jobs: pruning the access log; the queue's own upkeep (jobs of a worker that died
are taken up again, old finished jobs are deleted).

Crons are in UTC: 19:00 and 19:30 UTC are 03:00 and 03:30 in Beijing, when the county sleeps.
docs/notifications/jobs.md lists every job.
"""

from __future__ import annotations

from django.conf import settings
from procrastinate import JobContext, RetryStrategy, builtin_tasks
from procrastinate.contrib.django import app
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Status

from accounts.audit import prune_access_log as prune_access_log_now

# Daily jobs can wait: a failure is retried 3 times, 5 minutes apart, then shown in the admin.
RETRY = RetryStrategy(max_attempts=3, wait=300)
# A worker that sent no heartbeat for this long is dead (it beats every 10 s); its running jobs
# are stalled.
STALLED_AFTER_S = 60


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


@app.periodic(cron="*/5 * * * *", periodic_id="every-5-minutes")
@app.task(queueing_lock="accounts.recover_stalled_jobs", pass_context=True)
async def recover_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Run again the jobs a dead worker (killed, machine lost) left running; how many.

    Until then such a job holds its lock, and the next run of its task would wait behind it.
    Every task here is safe to run twice. One whose next run is already queued (its queueing
    lock) is marked failed instead: the queued run does the work, the failure stays visible.
    """
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S))
    for job in stalled:
        try:
            await manager.retry_job(job)
        except UniqueViolation:
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
    return len(stalled)
