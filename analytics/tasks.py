"""Jobs of the analytics: the scheduled monthly and quarterly briefings, the monthly outlooks.

Thin: the tasks call ``analytics.scheduled.generate_period_briefings`` as ``manage.py
generate_briefings`` does, and ``analytics.forecasting.store.store_due_outlooks`` as ``manage.py
forecast --store`` does. The cron is in UTC: 16:30 UTC is 00:30 in Beijing, just after
midnight of the new day. docs/notifications/jobs.md lists every job.
"""

from __future__ import annotations

from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from analytics.forecasting.store import store_due_outlooks
from analytics.scheduled import generate_period_briefings


class BriefingsFailedError(RuntimeError):
    """Some briefings could not be made: the job fails, so it is retried and shown."""


# A failed area is retried twice, 30 minutes apart (the others are stored already), then the
# job is failed and shown in the jobs admin; tomorrow's run tries again anyway.
RETRY = RetryStrategy(max_attempts=2, wait=1800)


@app.periodic(cron="30 16 * * *", periodic_id="daily")
@app.task(queueing_lock="analytics.scheduled_briefings", lock="analytics.briefings", retry=RETRY)
def scheduled_briefings(timestamp: int) -> int:
    """Make the briefings due on the 1st of this month (Beijing time); how many were stored.

    It runs every day, not only on the 1st: the briefings are stored once, so on other days the
    run only finds them there, and a worker that was down on the 1st makes them the next day.
    """
    first = timezone.localdate().replace(day=1)
    report = generate_period_briefings(today=first)
    if report.failed:
        names = ", ".join(f"{f.area_code} {f.period}" for f in report.failed)
        raise BriefingsFailedError(f"briefings that failed: {names}")
    return len(report.created)


class OutlooksFailedError(RuntimeError):
    """Some counties' outlooks could not be made: the job fails, so it is retried and shown."""


# 00:15 in Beijing: the month's early warning is stored before the briefings (00:30) read it.
@app.periodic(cron="15 16 * * *", periodic_id="daily")
@app.task(queueing_lock="analytics.monthly_outlooks", lock="analytics.outlooks", retry=RETRY)
def monthly_outlooks(timestamp: int) -> int:
    """Store this month's early warning (Beijing time) of every county once; how many were new.

    Daily like the briefings: on days after the 1st the outlooks are found stored (one query per
    county), and a worker that was down on the 1st makes them the next day.
    """
    report = store_due_outlooks(today=timezone.localdate())
    if report.failed:
        names = ", ".join(code for code, _error in report.failed)
        raise OutlooksFailedError(f"outlooks that failed: {names}")
    return len(report.created)
