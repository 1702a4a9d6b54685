"""Jobs of the matters' workflow: escalating overdue matters.

Thin: the task calls ``incidents.services.escalate_overdue``, as ``manage.py check_deadlines``
does. Crons are in UTC; docs/notifications/jobs.md lists them all.
"""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from incidents.services import escalate_overdue

# A failure is retried after 4, 16 and 64 s, then the job is failed and shown in the admin.
RETRY = RetryStrategy(max_attempts=3, exponential_wait=4)


@app.periodic(cron="*/10 * * * *", periodic_id="every-10-minutes")
@app.task(queueing_lock="incidents.check_deadlines", lock="incidents.check_deadlines", retry=RETRY)
def check_deadlines(timestamp: int) -> int:
    """Escalate open matters past their deadline to the parent center; how many escalated."""
    return escalate_overdue().escalated
