"""The ledger (台账): .xlsx and .csv of a filtered list, read back with openpyxl and csv."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.choices import Role
from incidents import ledger_views
from incidents.ledger import HEADERS, write_csv, write_xlsx
from incidents.models import Incident
from incidents.routing import center_for
from incidents.services import PartyInput, take_in
from tests.factories import IN_GRID_B1_SOUTH, intake_request

pytestmark = pytest.mark.django_db

XLSX_URL = "/incidents/ledger.xlsx"
CSV_URL = "/incidents/ledger.csv"
UTC = dt.UTC
ID_NUMBER = "11010519491231002X"
PARTY = PartyInput(name="张三丰", phone="13912345678", id_number=ID_NUMBER)


def column(name: str) -> int:
    return HEADERS.index(name)


def xlsx_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content))["台账"]
    return list(sheet.iter_rows(values_only=True))


def xlsx_cells(incidents, user) -> list:
    """The ledger of ``incidents`` as written for ``user``: the cells of its first data row."""
    buffer = io.BytesIO()
    write_xlsx(incidents, buffer, user=user)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["台账"]
    return list(sheet[2])


@pytest.fixture
def window_matter(intake, people):
    """A matter taken in at the window in grid A1, with one party."""
    return intake(reporter=people["county"], source="window", parties=[PARTY])


def test_header_row_holds_the_fixed_chinese_headers(client, people, window_matter):
    rows = xlsx_rows(_download(client, people["county"], XLSX_URL))

    assert list(rows[0]) == [
        "编号",
        "受理时间",
        "类型",
        "类别",
        "等级",
        "标题",
        "事项描述",
        "地址",
        "乡镇",
        "村(社区)",
        "网格",
        "网格代码",
        "办理单位",
        "状态",
        "办理期限",
        "是否逾期",
        "办结时间",
        "办理结果",
        "化解情况",
        "回访时间",
        "满意度",
        "挂牌督办",
        "领导包案",
        "来源",
        "当事人",
        "经度",
        "纬度",
        "位置为近似",
    ]


def test_received_time_is_an_excel_datetime_in_local_time(people):
    received = dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    take_in(request=intake_request(), reporter=people["leader_a1"], now=received)

    cell = xlsx_cells(Incident.objects.all(), people["county"])[column("受理时间")]

    assert cell.value == dt.datetime(2026, 3, 1, 9, 30)
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_grid_code_is_a_text_cell_of_fifteen_digits(people, intake):
    intake()

    cell = xlsx_cells(Incident.objects.all(), people["county"])[column("网格代码")]

    assert cell.value == "621122100001001"
    assert cell.data_type == "s"
    assert cell.number_format == "@"


def test_coordinates_are_numbers_and_flags_are_yes_or_no(people, intake):
    intake()

    cells = xlsx_cells(Incident.objects.all(), people["county"])

    assert cells[column("经度")].value == pytest.approx(104.605)
    assert cells[column("经度")].data_type == "n"
    assert cells[column("挂牌督办")].value == "否"


def test_open_matter_past_its_due_time_is_marked_overdue(people):
    two_days_ago = dt.datetime.now(UTC) - dt.timedelta(days=2)
    take_in(request=intake_request(), reporter=people["leader_a1"], now=two_days_ago)

    cells = xlsx_cells(Incident.objects.all(), people["county"])

    assert cells[column("是否逾期")].value == "是"


def test_title_that_looks_like_a_formula_stays_text(people, intake):
    intake(title='=HYPERLINK("http://evil.example","x")')

    cell = xlsx_cells(Incident.objects.all(), people["county"])[column("标题")]

    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_control_characters_in_text_are_dropped_from_the_workbook(people, intake):
    intake(description="第一行\x0b第二行")

    cell = xlsx_cells(Incident.objects.all(), people["county"])[column("事项描述")]

    assert cell.value == "第一行第二行"


def test_leadership_sees_parties_masked(client, people, window_matter):
    rows = xlsx_rows(_download(client, people["boss"], XLSX_URL))

    assert rows[1][column("当事人")] == "申请人：张** 139****5678 110105********002X"


def test_dispatcher_of_the_area_sees_parties_unmasked(client, people, window_matter):
    rows = xlsx_rows(_download(client, people["township"], XLSX_URL))

    assert rows[1][column("当事人")] == f"申请人：张三丰 13912345678 {ID_NUMBER}"


def test_ledger_keeps_only_the_filtered_matters(client, people, intake):
    intake(title="邻里纠纷")
    intake(category="fire", title="消防隐患")

    rows = xlsx_rows(_download(client, people["county"], f"{XLSX_URL}?kind=hazard"))

    assert [row[column("标题")] for row in rows[1:]] == ["消防隐患"]


def test_user_of_another_township_gets_none_of_its_matters(
    client, people, intake, make_user, network
):
    intake(title="甲镇的事项")
    intake(reporter=people["leader_b1"], title="乙乡的事项", points=[IN_GRID_B1_SOUTH])
    other = make_user("township_b", Role.DISPATCHER, network["621122101000"])

    rows = xlsx_rows(_download(client, other, XLSX_URL))

    assert [row[column("标题")] for row in rows[1:]] == ["乙乡的事项"]


def test_workbook_download_is_named_in_chinese_with_an_ascii_fallback(client, people, intake):
    intake()
    client.force_login(people["county"])

    response = client.get(XLSX_URL)

    disposition = response["Content-Disposition"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert disposition.startswith('attachment; filename="ledger-')
    chinese = unquote(disposition.split("filename*=UTF-8''")[1])
    assert chinese.startswith("台账-")
    assert chinese.endswith(".xlsx")


def test_workbook_above_the_cap_is_refused_with_a_message(client, people, intake, monkeypatch):
    intake()
    intake()
    monkeypatch.setattr(ledger_views, "MAX_XLSX_ROWS", 1)
    client.force_login(people["county"])

    response = client.get(XLSX_URL)

    assert response.status_code == 400
    assert "download the CSV" in response.content.decode()


def test_invalid_filter_is_refused_rather_than_ignored(client, people, intake):
    intake()
    client.force_login(people["county"])

    response = client.get(f"{XLSX_URL}?state=nonsense")

    assert response.status_code == 400
    assert "state" in response.content.decode()


def test_ledger_needs_a_signed_in_user(client, intake):
    intake()

    response = client.get(CSV_URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_about_sheet_lists_the_filters(client, people, intake):
    intake()

    workbook = load_workbook(
        io.BytesIO(_download(client, people["county"], f"{XLSX_URL}?kind=hazard"))
    )

    lines = [row for row in workbook["说明"].iter_rows(values_only=True)]
    assert ("事项数", 0) in lines
    assert any(label == "筛选条件" and "安全隐患" in text for label, text in lines[4:])


def test_query_count_does_not_grow_with_the_number_of_matters(people, intake):
    intake(parties=[PARTY])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            write_xlsx(Incident.objects.all(), io.BytesIO(), user=people["boss"])
        return len(captured)

    few = queries()
    for _ in range(4):
        intake(parties=[PARTY, PARTY])

    assert queries() == few


def test_csv_starts_with_the_bom_and_parses(client, people, window_matter):
    content = _download(client, people["county"], CSV_URL)

    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == list(HEADERS)
    assert len(rows) == 2
    assert rows[1][column("网格代码")] == "621122100001001"


def test_csv_times_are_local_and_iso_like(people):
    take_in(
        request=intake_request(),
        reporter=people["leader_a1"],
        now=dt.datetime(2026, 3, 1, 16, 5, tzinfo=UTC),
    )
    buffer = io.BytesIO()

    write_csv(Incident.objects.all(), buffer, user=people["county"])

    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert rows[1][column("受理时间")] == "2026-03-02 00:05"


def test_csv_text_that_a_spreadsheet_would_run_is_quoted(people, intake):
    intake(title="=1+1")
    buffer = io.BytesIO()

    write_csv(Incident.objects.all(), buffer, user=people["county"])

    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    assert rows[1][column("标题")] == "'=1+1"


def _download(client, user, url: str) -> bytes:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_ledger_exports_the_queue_scope_of_a_center_dispatcher(client, network, people, intake):
    center_for(network["621122100000"])  # the township dispatcher works its center's queue
    village_matter = intake()  # routed to the village center, inside the township's subtree

    def numbers(query: str) -> list[str]:
        text = _download(client, people["township"], f"{CSV_URL}?{query}").decode("utf-8-sig")
        return [row["编号"] for row in csv.DictReader(io.StringIO(text))]

    assert numbers("") == []  # the center's own queue: the matter is the village's
    assert numbers("scope=all") == [village_matter.number]
