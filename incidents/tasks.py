"""Jobs of the matters' workflow: escalating overdue matters and warning of near deadlines.

Thin: each task calls the service its management command calls (``check_deadlines``,
``warn_deadlines``). Crons are in UTC; docs/notifications/jobs.md lists every job.
"""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from incidents.announcements import warn_deadlines as warn_deadlines_now
from incidents.services import escalate_overdue

# A failure is retried after 4, 16 and 64 s, then the job is failed and shown in the admin.
RETRY = RetryStrategy(max_attempts=3, exponential_wait=4)


@app.periodic(cron="*/10 * * * *", periodic_id="every-10-minutes")
@app.task(queueing_lock="incidents.check_deadlines", lock="incidents.check_deadlines", retry=RETRY)
def check_deadlines(timestamp: int) -> int:
    """Escalate open matters past their deadline to the parent center; how many escalated."""
    return escalate_overdue().escalated


@app.periodic(cron="*/10 * * * *", periodic_id="every-10-minutes")
@app.task(queueing_lock="incidents.warn_deadlines", lock="incidents.warn_deadlines", retry=RETRY)
def warn_deadlines(timestamp: int) -> int:
    """Warn of open matters near their deadline (each warning once); how many matters warned."""
    return warn_deadlines_now()
