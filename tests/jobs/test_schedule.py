"""The periodic jobs are registered with the schedules docs/notifications/jobs.md documents."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from croniter import croniter
from procrastinate.contrib.django import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications" / "jobs.md"
BEIJING = ZoneInfo("Asia/Shanghai")
# A table row of the doc: | `task` | what | Beijing time | `cron` (UTC) | retries |
ROW = re.compile(r"^\|\s*`(?P<task>[\w.]+)`\s*\|[^|]*\|[^|]*\|\s*`(?P<cron>[^`]+)`\s*\|")


def documented() -> dict[str, str]:
    rows = (ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines())
    return {row["task"]: row["cron"] for row in rows if row}


def registered() -> dict[str, str]:
    return {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}


def test_every_periodic_job_runs_on_its_documented_schedule():
    assert registered() == documented()


def test_the_issue_s_schedules_hold():
    jobs = registered()
    assert jobs["volunteers.tasks.expire_offers"] == "* * * * *"
    assert jobs["incidents.tasks.check_deadlines"] == "*/10 * * * *"
    assert jobs["incidents.tasks.warn_deadlines"] == "*/10 * * * *"
    assert jobs["notify.tasks.deliver_notifications"] == "* * * * *"


def test_the_briefings_run_just_after_midnight_in_beijing_every_day():
    cron = registered()["analytics.tasks.scheduled_briefings"]
    # Crons are UTC (the worker's clock): the runs after 30 November 2026 noon, UTC.
    runs = croniter(cron, dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC))
    first, second = (runs.get_next(dt.datetime).astimezone(BEIJING) for _ in range(2))
    assert (first.date(), first.time()) == (dt.date(2026, 12, 1), dt.time(0, 30))
    assert second.date() == dt.date(2026, 12, 2)  # daily: a missed 1st is made up the next day
