"""Scheduled briefings: made on the 1st once per area and period, announced, listed and served
within the jurisdiction only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.choices import Role
from analytics.models import StoredBriefing
from analytics.scheduled import generate_period_briefings
from gridmap.choices import AreaLevel
from notify.choices import Channel, Event
from notify.models import Notification
from tests.factories import box, make_area

pytestmark = pytest.mark.django_db
COUNTY, TOWNSHIP_A, TOWNSHIP_B = "621122000000", "621122100000", "621122101000"
NOVEMBER_1 = dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def briefings_in_tmp(settings, tmp_path):
    """Stored briefings go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BRIEFINGS_ROOT = ""


@pytest.fixture
def october(network, matters) -> list[StoredBriefing]:
    """The run of 1 November 2026: October's briefings of the county and both townships."""
    report = generate_period_briefings(today=NOVEMBER_1)
    assert not report.failed
    return report.created


def stored_codes() -> list[tuple[str, str]]:
    return sorted(StoredBriefing.objects.values_list("area__code", "period_label"))


def test_first_of_month_stores_the_county_and_each_township_once(october):
    assert stored_codes() == [(COUNTY, "2026-10"), (TOWNSHIP_A, "2026-10"), (TOWNSHIP_B, "2026-10")]
    again = generate_period_briefings(today=NOVEMBER_1)
    assert again.created == []
    assert again.existing == 3
    assert StoredBriefing.objects.count() == 3


def test_stored_files_are_the_html_and_pdf_briefing(october, settings):
    county = StoredBriefing.objects.get(area__code=COUNTY)
    root = settings.MEDIA_ROOT / "briefings"
    assert county.html_path == f"2026-10/briefing-{COUNTY}-2026-10.html"
    assert (root / county.pdf_path).read_bytes().startswith(b"%PDF")
    assert "测试县" in (root / county.html_path).read_text(encoding="utf-8")
    assert county.pdf_size == (root / county.pdf_path).stat().st_size
    assert county.duration_s > 0


def test_first_of_april_also_stores_the_last_quarter(network, matters):
    report = generate_period_briefings(today=dt.date(2027, 1, 1))
    assert report.periods == ["2026-12", "2026Q4"]
    assert stored_codes() == [
        (COUNTY, "2026-12"),
        (COUNTY, "2026Q4"),
        (TOWNSHIP_A, "2026-12"),
        (TOWNSHIP_A, "2026Q4"),
        (TOWNSHIP_B, "2026-12"),
        (TOWNSHIP_B, "2026Q4"),
    ]
    assert set(StoredBriefing.objects.values_list("kind", flat=True)) == {"month", "quarter"}


def test_a_day_other_than_the_first_makes_nothing(network, matters):
    report = generate_period_briefings(today=dt.date(2026, 11, 2))
    assert report.periods == []
    call_command("generate_briefings", "--date", "2026-11-15")
    assert not StoredBriefing.objects.exists()


def test_the_command_makes_a_given_period_whatever_the_day(network, matters, capsys):
    call_command("generate_briefings", "--period", "2026Q4")
    assert stored_codes() == [(COUNTY, "2026Q4"), (TOWNSHIP_A, "2026Q4"), (TOWNSHIP_B, "2026Q4")]
    out, err = capsys.readouterr()
    assert "3 stored" in out
    assert re.search(r"\[3/3\] .+ 2026Q4: stored in [\d.]+ s", err)


def test_the_command_refuses_a_year(network):
    with pytest.raises(CommandError, match="month"):
        call_command("generate_briefings", "--period", "2026")


def test_leadership_is_told_in_their_own_language(network, matters, make_user):
    county = make_user("county-zh", Role.LEADERSHIP, network[COUNTY])
    township = make_user("township-en", Role.LEADERSHIP, network[TOWNSHIP_A])
    township.language = "en"
    township.save()
    admin = make_user("admin-b", Role.COUNTY_ADMIN, network[TOWNSHIP_B])
    make_user("dispatcher", Role.DISPATCHER, network[COUNTY])
    generate_period_briefings(today=NOVEMBER_1)

    def told(user) -> list[Notification]:
        return list(Notification.objects.filter(recipient=user).order_by("link"))

    assert len(told(county)) == 3  # the county's briefing and both townships'
    assert [n.link for n in told(township)] == [
        reverse(
            "analytics:stored-briefing", args=[StoredBriefing.objects.get(area__code=TOWNSHIP_A).pk]
        )
    ]
    assert len(told(admin)) == 1
    assert Notification.objects.count() == 5  # the dispatcher is not told
    note = told(township)[0]
    assert (note.event, note.channel) == (Event.BRIEFING_READY, Channel.SITE)
    assert note.title == "Briefing ready: 甲镇, 2026-10"
    assert "monthly briefing" in note.text
    chinese = Notification.objects.get(recipient=county, link=note.link)
    assert chinese.title.startswith("简报已生成")
    assert chinese.event_key == f"briefing:{StoredBriefing.objects.get(area__code=TOWNSHIP_A).pk}"


def test_a_second_run_announces_nothing_again(october, county_leader):
    before = Notification.objects.count()
    generate_period_briefings(today=NOVEMBER_1)
    assert Notification.objects.count() == before


def test_the_page_lists_only_the_jurisdictions_briefings(client, october, township_leader):
    client.force_login(township_leader)
    page = client.get(reverse("analytics:index")).content.decode()
    mine = StoredBriefing.objects.get(area__code=TOWNSHIP_B)
    others = StoredBriefing.objects.exclude(pk=mine.pk)
    assert reverse("analytics:stored-briefing", args=[mine.pk]) in page
    assert reverse("analytics:stored-briefing-pdf", args=[mine.pk]) in page
    for other in others:
        assert reverse("analytics:stored-briefing", args=[other.pk]) not in page


def test_the_county_leader_sees_every_briefing_newest_first(
    client, network, matters, county_leader
):
    call_command("generate_briefings", "--period", "2026-09")
    generate_period_briefings(today=NOVEMBER_1)
    client.force_login(county_leader)
    page = client.get(reverse("analytics:index")).content.decode()
    assert page.index(">2026-10<") < page.index(">2026-09<")
    assert page.count("/analytics/briefings/") == 2 * 6


def test_stored_html_is_served_under_the_csp_with_the_sites_leaflet(client, october, county_leader):
    stored = StoredBriefing.objects.get(area__code=COUNTY)
    client.force_login(county_leader)
    response = client.get(reverse("analytics:stored-briefing", args=[stored.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline;")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    page = response.content.decode()
    assert f"nonce=&quot;{nonce}&quot;" in page
    assert "MARK" not in page
    assert "/static/vendor/leaflet/leaflet" in page


def test_stored_pdf_downloads_as_a_pdf(client, october, township_leader):
    stored = StoredBriefing.objects.get(area__code=TOWNSHIP_B)
    client.force_login(township_leader)
    response = client.get(reverse("analytics:stored-briefing-pdf", args=[stored.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="briefing-{TOWNSHIP_B}-2026-10.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("name", ["analytics:stored-briefing", "analytics:stored-briefing-pdf"])
def test_a_briefing_outside_the_jurisdiction_is_not_found(client, october, township_leader, name):
    county = StoredBriefing.objects.get(area__code=COUNTY)
    other_township = StoredBriefing.objects.get(area__code=TOWNSHIP_A)
    client.force_login(township_leader)
    for stored in (county, other_township):
        assert client.get(reverse(name, args=[stored.pk])).status_code == 404


def test_a_failing_area_does_not_stop_the_others_and_is_retried(network, matters):
    # A township with no villages or grid cells under it: its briefing cannot be made.
    county = network[COUNTY]
    make_area("621122102000", "丙镇", AreaLevel.TOWNSHIP, county, box(104.64, 35.00, 104.66, 35.02))
    report = generate_period_briefings(today=NOVEMBER_1)
    assert [(f.area_code, f.period) for f in report.failed] == [("621122102000", "2026-10")]
    assert stored_codes() == [(COUNTY, "2026-10"), (TOWNSHIP_A, "2026-10"), (TOWNSHIP_B, "2026-10")]
    again = generate_period_briefings(today=NOVEMBER_1)
    assert (again.existing, len(again.failed)) == (3, 1)  # tried again, the others left alone
    with pytest.raises(CommandError, match="621122102000 2026-10"):
        call_command("generate_briefings", "--date", "2026-11-01")
