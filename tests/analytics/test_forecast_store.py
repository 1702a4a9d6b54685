"""Stored early warnings: made once per area and month, read per jurisdiction, announced."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.choices import Role
from analytics.forecasting.backtest import NO_SKILL
from analytics.forecasting.reads import cells_in, early_warning, outlook_for
from analytics.forecasting.records import OutlookCell, StoredOutlook
from analytics.forecasting.store import store_due_outlooks, store_outlook
from analytics.forecasting.warnings import announce_outlook
from analytics.tasks import monthly_outlooks
from notify.channels import send
from notify.choices import Channel, Event
from notify.models import CenterChannel, Notification
from tests.analytics.warning_data import (
    FORECAST_MONTH,
    OTHER_HOT_GRID,
    SHARE,
    place_history,
    stored_outlook,
)
from tests.factories import HOT_GRID
from tests.fakes.receiver import WECOM_PATH
from tests.notify.conftest import fake_receiver, no_channel_defaults  # noqa: F401  (fixtures)

COUNTY, TOWNSHIP_A, TOWNSHIP_B = "621122000000", "621122100000", "621122101000"


@pytest.fixture
def stored(network, category) -> StoredOutlook:
    return stored_outlook(network, category)


def test_the_stored_outlook_keeps_ranked_cells_drivers_and_the_measured_skill(stored):
    cells = list(stored.cells.order_by("rank").select_related("grid"))
    assert [c.grid.code for c in cells] == [HOT_GRID, OTHER_HOT_GRID]
    assert cells[0].expected > cells[1].expected > 1
    assert cells[0].score > 0
    assert 0.5 < cells[0].probability <= 1
    assert cells[0].lags["own_last"] == pytest.approx(8)
    assert cells[0].drivers  # the GLM says which lags raised the cell
    assert stored.month == FORECAST_MONTH
    assert stored.model == "glm"
    assert stored.flagged_share == pytest.approx(SHARE)
    assert stored.backtest_periods == 2  # June–August learnt, September and October scored
    assert stored.pai is not None
    assert stored.pai_low <= stored.pai <= stored.pai_high
    assert stored.baseline in {"last", "mean3", "mean12", "gistar", "kde"}
    assert stored.verdict


def test_a_second_store_of_the_month_stores_and_announces_nothing(stored, network):
    notes = Notification.objects.count()
    again = store_outlook(area=network[COUNTY], month=FORECAST_MONTH, share=SHARE)
    assert again == "exists"
    assert StoredOutlook.objects.count() == 1
    assert OutlookCell.objects.count() == 2
    assert Notification.objects.count() == notes


def test_the_command_stores_once_and_says_so_the_second_time(network, category):
    place_history(network, category)
    out = io.StringIO()
    options = {"area": "621122", "month": "2026-11", "share": SHARE, "store": True}
    call_command("forecast", **options, stdout=out, stderr=io.StringIO())
    assert "Stored the outlook of 621122000000 for 2026-11: 2 cells" in out.getvalue()
    assert "PAI 5%" in out.getvalue()  # the backtest that measures it is printed too
    out = io.StringIO()
    call_command("forecast", **options, stdout=out, stderr=io.StringIO())
    assert "was stored before" in out.getvalue()
    assert StoredOutlook.objects.get().cells.count() == 2


def test_the_command_stores_only_monthly_grid_outlooks(network, category):
    place_history(network, category)
    with pytest.raises(CommandError, match="Only monthly outlooks"):
        call_command("forecast", area="621122", month="2026-11", h3=8, store=True,
                     stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip


def test_the_monthly_run_stores_the_current_month_of_each_county_once(network, category):
    place_history(network, category)
    first = store_due_outlooks(today=dt.date(2026, 11, 1))
    second = store_due_outlooks(today=dt.date(2026, 11, 17))
    assert [o.area.code for o in first.created] == [COUNTY]
    assert (len(second.created), second.existing, second.failed) == (0, 1, [])
    assert StoredOutlook.objects.get().month == FORECAST_MONTH


def test_a_county_without_matters_is_no_failure_of_the_job(network):
    report = store_due_outlooks(today=dt.date(2026, 11, 1))
    assert (report.created, report.failed) == ([], [])


def test_the_job_stores_this_months_outlook(network, category):
    place_history(network, category)  # June–October 2026; the job forecasts today's month
    assert monthly_outlooks(timestamp=0) == 1
    assert monthly_outlooks(timestamp=0) == 0
    assert StoredOutlook.objects.count() == 1


def test_a_township_reads_its_own_cells_of_the_county_outlook(stored, network):
    township = network[TOWNSHIP_B]
    assert outlook_for(township) == stored
    assert outlook_for(township, dt.date(2026, 12, 1)) is None
    assert [c.grid.code for c in cells_in(stored, township)] == [OTHER_HOT_GRID]


def test_the_briefing_section_lists_cells_villages_and_the_skill(stored, network):
    warning = early_warning(network[TOWNSHIP_A], FORECAST_MONTH)
    assert [c.name for c in warning.cells] == [network[HOT_GRID].name]
    assert [(v.village, v.cells) for v in warning.villages] == [(network[HOT_GRID].parent.name, 1)]
    assert warning.cells[0].why  # "matters here last month; …"
    assert "over the last 2 months" in warning.skill
    assert early_warning(network[TOWNSHIP_A], dt.date(2026, 12, 1)) is None


def test_no_skill_is_said_plainly(stored, network):
    stored.verdict, stored.pai, stored.pai_low, stored.pai_high = NO_SKILL, 1.1, 0.6, 1.7
    stored.save()
    warning = early_warning(network[COUNTY], FORECAST_MONTH)
    assert not warning.has_skill
    assert warning.skill.startswith("No measured skill")
    assert "Treat these cells as a guess" in warning.skill


def test_each_township_is_told_of_its_own_cells_once(network, category, make_user):
    leader_a = make_user("lead-a", Role.LEADERSHIP, network[TOWNSHIP_A])
    dispatcher_b = make_user("disp-b", Role.DISPATCHER, network[TOWNSHIP_B])
    grid_leader = make_user("grid", Role.GRID_LEADER, network[HOT_GRID])
    stored = stored_outlook(network, category)

    (told_a,) = Notification.objects.filter(recipient=leader_a, event=Event.EARLY_WARNING)
    (told_b,) = Notification.objects.filter(recipient=dispatcher_b, event=Event.EARLY_WARNING)
    assert network[HOT_GRID].name in told_a.text
    assert network[OTHER_HOT_GRID].name not in told_a.text
    assert network[OTHER_HOT_GRID].name in told_b.text
    assert network[HOT_GRID].name not in told_b.text
    # Users without a language of their own read the county's: Simplified Chinese.
    assert told_a.title == f"2026-11预警：{network[TOWNSHIP_A].name}需关注的网格（1 个）"
    assert told_a.link == f"/map/#area={TOWNSHIP_A}"
    assert not Notification.objects.filter(recipient=grid_leader).exists()
    # Announcing the stored month again writes nothing (the outbox's event keys).
    with transaction.atomic():
        assert announce_outlook(stored) == 0


@pytest.mark.usefixtures("no_channel_defaults")
def test_the_township_centers_group_robot_receives_the_warning(network, category, fake_receiver):  # noqa: F811
    CenterChannel.objects.create(
        area=network[TOWNSHIP_A], kind=Channel.WECOM, url=fake_receiver.url(f"{WECOM_PATH}?key=a")
    )
    stored_outlook(network, category)
    (row,) = Notification.objects.filter(event=Event.EARLY_WARNING, channel=Channel.WECOM)
    assert row.center.code == TOWNSHIP_A  # township B has no robot and no default: no row

    send(row)

    (got,) = fake_receiver.delivered(WECOM_PATH)
    content = got.body["markdown"]["content"]
    assert network[HOT_GRID].name in content
    assert "倍" in content  # the skill in plain words, in the center's language (Chinese)
