"""import_ledger: past matters from a ledger as closed, imported matters; idempotent; undoable."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from analytics.queries import MatterFilter, matters
from gridmap.coords import InputCRS
from incidents.choices import OPEN_STATES, State
from incidents.models import Incident, IncidentEvent
from onboarding.models import ImportBatch, ImportedMatter
from tests.onboarding.conftest import write_xlsx

HEADER = [
    "编号",
    "登记时间",
    "纠纷类型",
    "简要情况",
    "当事人",
    "所属乡镇",
    "所属村",
    "化解结果",
    "办结时间",
]


def serial(day: dt.date) -> int:
    """The Excel serial number of ``day`` (a date column left as General)."""
    return (day - dt.date(1899, 12, 30)).days


def ledger_rows() -> list[list[object]]:
    return [
        ["2023年巩昌镇矛盾纠纷排查调处台账", *[None] * 8],
        HEADER,
        ["GC-2023-001", serial(dt.date(2023, 3, 5)), "婚姻家庭纠纷", "夫妻因赡养老人发生争吵",
         "张某、李某", "巩昌镇", "北关村", "调解成功", serial(dt.date(2023, 3, 8))],
        ["GC-2023-002", "2023/4/1", "土地承包纠纷", "承包地边界争议", "王某与赵某", "巩昌镇",
         "东城社区居委会", "未化解，引导诉讼", "2023年4月20日"],
        ["GC-2023-003", "2023.5.6", "放牧纠纷", "羊群啃食庄稼", "孙某", "文峰镇", "北关村", "化解",
         ""],
        [None] * 9,
        ["GC-2023-004", "2023-06-01", "放牧纠纷", "羊群啃食庄稼", "孙某", "文峰", "西街村委会",
         "化解", "2023-06-02"],
    ]  # fmt: skip


def run(path, *args: str) -> dict:
    report = path.parent / "report.json"
    call_command("import_ledger", str(path), *args, "--report-json", str(report))
    return json.loads(report.read_text(encoding="utf-8"))


def test_ledger_with_serial_dates_and_place_names_only(county, tmp_path):
    path = write_xlsx(tmp_path / "台账.xlsx", ledger_rows(), merge=["A1:I1"])
    report = run(path)
    assert (report["rows"], report["created"], report["errors"]) == (4, 4, [])
    # The unmapped text is a warning on each of its rows, not an error.
    assert [(w["row"], w["column"]) for w in report["warnings"]] == [
        (5, "纠纷类型"),
        (7, "纠纷类型"),
    ]
    first = Incident.objects.get(ledger_row__original_number="GC-2023-001")
    assert timezone.localtime(first.received_at).date() == dt.date(2023, 3, 5)
    assert timezone.localtime(first.closed_at).date() == dt.date(2023, 3, 8)
    assert (first.state, first.result, first.category.code) == (
        State.CLOSED,
        "resolved",
        "marriage-family",
    )
    assert first.imported
    assert first.location_approximate
    village = county["巩昌镇/北关村"]
    assert first.village == village
    assert first.location.equals_exact(village.label_point, 1e-9)
    assert sorted(first.parties.values_list("name", flat=True)) == ["张某", "李某"]
    second = Incident.objects.get(ledger_row__original_number="GC-2023-002")
    assert second.result == "unresolved"
    third = Incident.objects.get(ledger_row__original_number="GC-2023-003")
    assert third.village == county["文峰镇/北关村"]  # the 北关村 of the township the row names
    assert third.category.code == "dispute-other"
    assert third.ledger_row.category_text == "放牧纠纷"
    assert third.ledger_row.source_row == 5
    assert not Incident.objects.filter(state__in=OPEN_STATES).exists()
    assert not IncidentEvent.objects.exists()
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.file_name, batch.created, len(batch.file_sha256)) == (
        "ledger",
        "台账.xlsx",
        4,
        64,
    )


def test_second_import_adds_nothing(county, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", ledger_rows())
    run(path)
    report = run(path)
    assert (report["created"], report["unchanged"]) == (0, 4)
    assert Incident.objects.count() == 4


def test_coordinates_in_gcj02_are_converted_and_exact(county, tmp_path):
    grid = county["巩昌镇/东城社区/2"]
    x, y = grid.label_point.x, grid.label_point.y
    from prcoords import wgs_gcj

    gcj = wgs_gcj((y, x))
    rows = [
        ["编号", "受理日期", "类别", "事由", "经度", "纬度", "坐标系"],
        ["A1", "2024-01-02", "邻里纠纷", "噪音", gcj.lon, gcj.lat, "GCJ-02"],
    ]
    report = run(write_xlsx(tmp_path / "coords.xlsx", rows))
    assert report["created"] == 1, report
    matter = Incident.objects.get()
    assert matter.grid == grid
    assert matter.input_crs == InputCRS.GCJ02
    assert not matter.location_approximate
    assert matter.location.distance(grid.label_point) < 1e-5


def test_every_bad_row_is_named_and_nothing_is_written(county, tmp_path):
    rows = ledger_rows()
    rows[2][1] = "2023-13-45"  # no such date
    rows[3][6] = "南关村"  # no such village in 巩昌镇
    rows[4][1] = None  # no date
    rows[6][8] = "2023-05-01"  # closed before registered
    report_path = tmp_path / "report.json"
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_ledger",
            str(write_xlsx(tmp_path / "bad.xlsx", rows)),
            "--report-json",
            str(report_path),
        )
    assert failure.value.returncode == 1
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (3, "登记时间"), (4, "所属村"), (5, "登记时间"), (7, "办结时间"),
    ]  # fmt: skip
    assert "北关村" in report["errors"][1]["reason"]  # the closest names
    assert not Incident.objects.exists()
    assert not ImportBatch.objects.exists()


def test_address_only_rows_are_matched_in_the_area_tree(county, tmp_path):
    rows = [
        ["登记日期", "类别", "发生地址"],
        ["2022-08-01", "邻里纠纷", "巩昌镇北关村三社"],
        ["2022-08-02", "邻里纠纷", "文峰镇北关村第2网格"],
        ["2022-08-03", "邻里纠纷", "北关村五社"],  # two 北关村: refused, not guessed
    ]
    with pytest.raises(CommandError):
        run(write_xlsx(tmp_path / "addr.xlsx", rows))
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [e["row"] for e in report["errors"]] == [4]
    rows.pop()
    run(write_xlsx(tmp_path / "addr.xlsx", rows))
    assert Incident.objects.get(address="巩昌镇北关村三社").village == county["巩昌镇/北关村"]
    assert Incident.objects.get(address="文峰镇北关村第2网格").grid == county["文峰镇/北关村/2"]


def test_analytics_count_imported_matters_unless_filtered_out(county, tmp_path):
    run(write_xlsx(tmp_path / "ledger.xlsx", ledger_rows()))
    flt = MatterFilter(
        area=county["621122000000"], start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 1)
    )
    assert matters(flt).count() == 4
    flt = MatterFilter(
        area=county["621122000000"], start=dt.date(2023, 1, 1), end=dt.date(2024, 1, 1),
        include_imported=False,
    )  # fmt: skip
    assert matters(flt).count() == 0


def test_undo_removes_the_matters_while_nothing_links_to_them(county, tmp_path, capsys):
    run(write_xlsx(tmp_path / "ledger.xlsx", ledger_rows()))
    batch = ImportBatch.objects.get()
    matter = Incident.objects.first()
    IncidentEvent.objects.create(incident=matter, kind="note", note="回访")
    with pytest.raises(CommandError, match="linked"):
        call_command("undo_import", str(batch.pk))
    assert Incident.objects.count() == 4
    other = write_xlsx(
        tmp_path / "ledger2.xlsx",
        [HEADER, ["X-1", "2021-01-01", "邻里纠纷", "吵架", "", "巩昌镇", "北关村", "", ""]],
    )
    run(other)
    second = ImportBatch.objects.latest("pk")
    call_command("undo_import", str(second.pk))
    second.refresh_from_db()
    assert second.undone_at is not None
    assert Incident.objects.count() == 4
    assert not ImportedMatter.objects.filter(batch=second).exists()
    run(other)  # importable again once undone
    assert Incident.objects.count() == 5


def test_dry_run_and_skip_bad_rows(county, tmp_path):
    rows = ledger_rows()
    rows[3][6] = "南关村"
    path = write_xlsx(tmp_path / "ledger.xlsx", rows)
    report = run(path, "--skip-bad-rows", "--dry-run")
    assert (report["created"], report["skipped"]) == (3, 1)
    assert not Incident.objects.exists()
    report = run(path, "--skip-bad-rows")
    assert Incident.objects.count() == 3
    assert (tmp_path / "report.bad-rows.xlsx").exists()


def test_ledger_template_reads_back(county, tmp_path):
    call_command("import_ledger", "--template", str(tmp_path / "t.xlsx"))
    assert run(tmp_path / "t.xlsx")["rows"] == 0


def test_undo_last_undoes_the_latest_import_that_brought_matters_in(county, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", ledger_rows())
    run(path)
    run(path)  # adds nothing: not the one --last undoes
    call_command("undo_import", "--last")
    assert not Incident.objects.exists()
    with pytest.raises(CommandError, match="No ledger import to undo"):
        call_command("undo_import", "--last")
