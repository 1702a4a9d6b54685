"""Briefings: the command writes HTML and PDF in Chinese; bad input writes nothing."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from analytics import briefing, render
from analytics.choices import Trend
from analytics.models import HotspotCell, HotspotRun
from analytics.periods import parse_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(network, matters, tmp_path):
    call_command("briefing", "--area", "621122", "--period", "2026-10", "--output", str(tmp_path))
    return tmp_path


def test_command_writes_html_and_pdf(written):
    names = sorted(p.name for p in written.iterdir())
    assert names == [
        "assets",
        "briefing-621122000000-2026-10.html",
        "briefing-621122000000-2026-10.pdf",
    ]


def test_pdf_turns_into_png_pages(written, tmp_path):
    pdf = written / "briefing-621122000000-2026-10.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page-*.png"))


def test_pdf_text_is_chinese(written):
    pdf = written / "briefing-621122000000-2026-10.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    assert "测试县" in text.stdout
    assert "平安指数" in text.stdout


def test_html_loads_no_script_or_stylesheet_from_the_network(written):
    page = (written / "briefing-621122000000-2026-10.html").read_text()
    urls = re.findall(r"""(?:src|href)=(?:\\?["']|&quot;|&#x27;)(https?://[^"'&]+)""", page)
    assert urls == []
    assert "assets/leaflet/leaflet.js" in page
    assert (written / "assets" / "leaflet" / "leaflet.js").exists()


def test_hot_spot_finding_reads_as_one_chinese_line():
    cell = HotspotCell(
        name="东城社区",
        gi_bin=3,
        streak=3,
        streak_bin=3,
        trend=Trend.PERSISTENT,
        top_category="邻里纠纷",
    )
    with translation.override("zh-hans"):
        line = briefing.finding(cell)
    assert line == "东城社区：连续3个月99%置信度热点（持续热点），以邻里纠纷为主"


def test_unknown_area_is_refused_and_nothing_is_written(network, tmp_path):
    with pytest.raises(CommandError, match="621199"):
        call_command(
            "briefing", "--area", "621199", "--period", "2026-10", "--output", str(tmp_path)
        )
    assert not HotspotRun.objects.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("period", ["2026-13", "2026Q5", "26-10", "october"])
def test_malformed_period_is_refused(network, tmp_path, period):
    with pytest.raises(CommandError, match="2026Q3"):
        call_command("briefing", "--area", "621122", "--period", period, "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_a_grid_cell_cannot_be_briefed(network, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "briefing",
            "--area",
            "621122100001001",
            "--period",
            "2026-10",
            "--output",
            str(tmp_path),
        )


def test_pdf_of_a_quarter_renders(network, matters):
    result = briefing.build(area=network["621122000000"], period=parse_period("2026Q4"))
    assert render.pdf(result).startswith(b"%PDF")
