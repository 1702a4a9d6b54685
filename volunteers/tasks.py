"""Jobs of the dispatch: expiring unanswered offers, and the demo units' phones.

Thin: each task calls the service that ``manage.py expire_offers`` / ``report_demo_positions``
call too. Crons are in UTC (the worker's clock); docs/notifications/jobs.md lists them all.
"""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from gridmap.demo.state import county_row, is_demo
from volunteers.services import expire_offers as expire_offers_now

# A failure is retried after 4, 16 and 64 s (then the job is failed and shown in the admin);
# the next minute's run is skipped meanwhile (the queueing lock), so runs never pile up.
RETRY = RetryStrategy(max_attempts=3, exponential_wait=4)


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(queueing_lock="volunteers.expire_offers", lock="volunteers.expire_offers", retry=RETRY)
def expire_offers(timestamp: int) -> int:
    """Expire offers nobody answered and re-offer their matters; how many expired."""
    return expire_offers_now()


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(
    queueing_lock="volunteers.report_demo_positions",
    lock="volunteers.report_demo_positions",
    retry=RETRY,
)
def report_demo_positions(timestamp: int) -> int:
    """The synthetic units' phones report their positions, only while the demo county is loaded."""
    if not is_demo(county_row()):
        return 0
    # Imported here: the demo module is needed only where the demo is loaded.
    from volunteers.demo.heartbeat import report_demo_positions as report

    return report()
