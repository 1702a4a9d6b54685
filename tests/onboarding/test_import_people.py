"""import_people: rosters as counties keep them → accounts, units, squads; nothing on a bad row."""

from __future__ import annotations

import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.choices import Role
from accounts.models import User
from onboarding.models import ImportBatch, ImportedPerson, InitialPassword
from tests.onboarding.conftest import write_csv, write_xls, write_xlsx
from volunteers.models import Responder, Volunteer

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A valid resident ID number: the GB 11643 check character appended."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


ID_A = id_number("62112219850301123")
ID_B = id_number("62112219900715004")
ID_C = id_number("62112219780228331")
HEADER = [
    "序号",
    "姓名",
    "性别",
    "手机号",
    "身份证号",
    "所属乡镇",
    "所属村/社区",
    "所属网格",
    "职务",
]


def staff_rows() -> list[list[object]]:
    return [
        ["巩昌镇网格员花名册", None, None, None, None, None, None, None, None],
        HEADER,
        [1, "张三", "男", "13912345678", ID_A, "巩昌镇", "北关村", "第1网格", "专职网格员"],
        [
            2,
            "李四 ",
            "女",
            "１３９ ２２２２ ３３３３",
            ID_B,
            "巩昌镇",
            "东城社区居委会",
            "第2网格",
            "网格长",
        ],
        [
            3,
            "王五",
            "男",
            "13933334444",
            ID_C,
            "文峰",
            "北关村民委员会",
            "北关村第2网格",
            "兼职网格员",
        ],
    ]


def run(path, *args: str, tmp_path=None) -> tuple[dict, str]:
    report = (tmp_path or path.parent) / "report.json"
    call_command("import_people", str(path), *args, "--report-json", str(report))
    return json.loads(report.read_text(encoding="utf-8")), str(report)


def test_staff_roster_makes_accounts_with_role_jurisdiction_and_initial_password(county, tmp_path):
    path = write_xlsx(tmp_path / "花名册.xlsx", staff_rows(), merge=["A1:I1"])
    report, _ = run(path, "--kind", "staff")
    assert report == {
        "rows": 3, "created": 3, "updated": 0, "unchanged": 0, "skipped": 0, "errors": [],
        "warnings": [],
    }  # fmt: skip
    li = User.objects.get(username="13922223333")  # full-width digits and spaces normalised
    assert li.display_name == "李四"
    assert li.role == Role.GRID_LEADER
    assert li.jurisdiction == county["巩昌镇/东城社区/2"]
    wang = User.objects.get(username="13933334444")
    assert wang.jurisdiction == county["文峰镇/北关村/2"]  # the 北关村 of 文峰, not of 巩昌
    assert InitialPassword.objects.count() == 3
    person = ImportedPerson.objects.get(user=li)
    assert person.id_number == ID_B  # kept encrypted at rest, readable by the code


def test_initial_password_list_is_private_and_logs_in_once(county, tmp_path, capsys):
    path = write_xlsx(tmp_path / "roster.xlsx", staff_rows())
    call_command("import_people", str(path), "--kind", "staff")
    out = capsys.readouterr().out
    [listing] = list(tmp_path.glob("roster.initial-passwords-*.csv"))
    assert str(listing) in out
    assert stat.S_IMODE(os.stat(listing).st_mode) == 0o600
    lines = listing.read_text(encoding="utf-8-sig").splitlines()
    username, _name, _area, password = lines[1].split(",")
    assert password not in out  # never printed, only the file's path
    user = User.objects.get(username=username)
    assert user.check_password(password)
    assert InitialPassword.objects.filter(user=user).exists()
    user.set_password("Another-pass-2026")
    user.save()
    assert not InitialPassword.objects.filter(user=user).exists()


def test_session_on_initial_password_sees_only_the_password_page(county, tmp_path, client):
    path = write_xlsx(tmp_path / "roster.xlsx", staff_rows())
    call_command("import_people", str(path), "--kind", "staff")
    [listing] = list(tmp_path.glob("roster.initial-passwords-*.csv"))
    username, _name, _area, password = (
        listing.read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    )
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    assert client.get("/map/").url == "/accounts/security/"
    assert client.get("/api/me/").status_code == 403
    response = client.post(
        "/accounts/security/password/",
        {
            "old_password": password,
            "new_password1": "Chosen-pass-2026",
            "new_password2": "Chosen-pass-2026",
        },
    )
    assert response.status_code == 302
    assert client.get("/api/me/").status_code == 200


def test_second_import_changes_nothing_and_an_edit_updates_the_person(county, tmp_path, capsys):
    rows = staff_rows()
    path = write_xlsx(tmp_path / "roster.xlsx", rows)
    run(path, "--kind", "staff")
    report, _ = run(path, "--kind", "staff")
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)
    rows[2][3] = "13800001111"  # 张三 changed phone: found by his ID number
    rows[2][7] = "第2网格"
    edited = write_xlsx(tmp_path / "roster2.xlsx", rows)
    capsys.readouterr()
    report, _ = run(edited, "--kind", "staff")
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    out = capsys.readouterr().out
    assert "row 3 张三: phone, jurisdiction_id changed" in out
    zhang = User.objects.get(display_name="张三")
    assert zhang.phone == "13800001111"
    assert zhang.jurisdiction == county["巩昌镇/北关村/2"]
    assert User.objects.filter(role=Role.GRID_LEADER).count() == 3


def test_every_bad_row_is_named_and_nothing_is_written(county, tmp_path):
    rows = staff_rows()
    rows[2][4] = 6.21122198503011e17  # Excel turned the ID number into a number
    rows[3][4] = ID_B[:17] + ("0" if ID_B[17] != "0" else "1")  # a mistyped digit
    rows[4][6] = "南关村"  # no such village in 文峰镇
    rows.append(
        [4, "赵六", "男", "1391234", ID_C[:16] + "99", "巩昌镇", "北关村", "第9网格", "网格员"]
    )
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(CommandError) as failure:
        run(path, "--kind", "staff")
    assert failure.value.returncode == 1
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    errors = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(3, "身份证号"), (4, "身份证号"), (5, "所属村/社区"), (6, "手机号"), (6, "身份证号"),
            (6, "所属网格")} <= errors  # fmt: skip
    reasons = " ".join(e["reason"] for e in report["errors"])
    assert "format the column as text" in reasons
    assert "check digit" in reasons
    assert "北关村" in reasons  # the closest names are listed
    assert User.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_skip_bad_rows_imports_the_rest_and_writes_the_bad_ones_with_a_reason(county, tmp_path):
    from openpyxl import load_workbook

    rows = staff_rows()
    rows[3][4] = ID_B[:17] + ("0" if ID_B[17] != "0" else "1")
    path = write_xlsx(tmp_path / "roster.xlsx", rows)
    report, _ = run(path, "--kind", "staff", "--skip-bad-rows")
    assert (report["created"], report["skipped"]) == (2, 1)
    assert [e["row"] for e in report["errors"]] == [4]
    sheet = load_workbook(tmp_path / "report.bad-rows.xlsx").active
    values = list(sheet.values)
    assert values[1][0] == 4
    assert values[1][2] == "李四"
    assert "check digit" in values[1][-1]


def test_dry_run_writes_nothing(county, tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", staff_rows())
    report, _ = run(path, "--kind", "staff", "--dry-run")
    assert report["created"] == 3
    assert User.objects.count() == 0
    assert not list(tmp_path.glob("*.initial-passwords-*"))


def test_old_xls_with_a_merged_two_row_header(county, tmp_path):
    rows = [
        ["花名册", None, None, None, None, None, None],
        ["姓名", "联系方式", None, "身份证号", "所属区域", None, "职务"],
        [None, "手机", "座机", None, "乡镇", "村", None],
        ["张三", "13912345678", "0932-1234567", ID_A, "巩昌镇", "东城社区", "调度员"],
    ]
    merge = [(0, 0, 0, 6), (1, 2, 0, 0), (1, 1, 1, 2), (1, 2, 3, 3), (1, 1, 4, 5), (1, 2, 6, 6)]
    path = write_xls(tmp_path / "roster.xls", rows, merge=merge)
    report, _ = run(path, "--kind", "staff")
    assert report["created"] == 1, report
    user = User.objects.get(username="13912345678")
    assert (user.role, user.jurisdiction) == (Role.DISPATCHER, county["巩昌镇/东城社区"])


def test_gbk_csv_and_role_option(county, tmp_path):
    rows = [
        ["姓名", "联系电话", "乡镇", "村/社区", "岗位"],
        ["钱七", "13955556666", "文峰镇", "西街村", "综治专干"],
    ]
    path = write_csv(tmp_path / "roster.csv", rows, encoding="gbk")
    with pytest.raises(CommandError):
        run(path, "--kind", "staff")
    report, _ = run(path, "--kind", "staff", "--role", Role.DISPATCHER)
    assert report["created"] == 1
    assert User.objects.get(display_name="钱七").jurisdiction == county["文峰镇/西街村"]


def test_village_only_in_another_township_is_never_guessed(county, tmp_path):
    rows = [HEADER, [1, "孙八", "男", "13977778888", "", "文峰镇", "东城社区", "", "调度员"]]
    path = write_xlsx(tmp_path / "roster.xlsx", rows)
    with pytest.raises(CommandError):
        run(path, "--kind", "staff")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    [error] = report["errors"]
    assert error["row"] == 2
    assert "巩昌镇" in error["reason"]


def test_units_roster(county, tmp_path):
    rows = [
        [
            "名称",
            "类型",
            "技能/专长",
            "可同时承接",
            "联系电话",
            "出行方式",
            "所属乡镇",
            "所属村/社区",
        ],
        [
            "巩昌镇人民调解委员会",
            "调解委员会",
            "婚姻家庭纠纷、邻里纠纷",
            3,
            "0932-6621234",
            "汽车",
            "巩昌镇",
            "",
        ],
        [
            "王调解",
            "人民调解员",
            "土地承包纠纷、算命",
            "",
            "13911112222",
            "电动车",
            "文峰镇",
            "西街村",
        ],
    ]
    path = write_xlsx(tmp_path / "units.xlsx", rows)
    report, _ = run(path, "--kind", "units")
    assert report["created"] == 2
    assert report["warnings"] == [
        {"row": 3, "column": "技能/专长", "reason": "算命 is not in the category table; left out."}
    ]
    committee = Responder.objects.get(name="巩昌镇人民调解委员会")
    assert committee.capacity == 3
    assert committee.home_area == county["巩昌镇"]
    assert sorted(committee.skills.values_list("code", flat=True)) == [
        "marriage-family",
        "neighbours",
    ]
    mediator = Responder.objects.get(name="王调解")
    assert (mediator.kind, mediator.travel_mode) == ("mediator", "bike")
    assert list(mediator.skills.values_list("code", flat=True)) == ["land-forest"]
    report, _ = run(path, "--kind", "units")
    assert report["unchanged"] == 2


def test_volunteer_squads_with_their_leader(county, tmp_path):
    rows = [
        ["队伍名称", "姓名", "手机号", "身份证号", "是否队长", "所属乡镇", "所属村/社区"],
        ["北关村志愿服务队", "甲", "13900000001", ID_A, "是", "巩昌镇", "北关村"],
        ["北关村志愿服务队", "乙", "13900000002", "", "否", "巩昌镇", "北关村"],
        ["北关村志愿服务队", "丙", "13900000003", "", "队长", "巩昌镇", "北关村"],
    ]
    path = write_xlsx(tmp_path / "squads.xlsx", rows)
    with pytest.raises(CommandError):
        run(path, "--kind", "volunteers")  # two leaders for one squad
    rows[3][4] = "否"
    path = write_xlsx(tmp_path / "squads.xlsx", rows)
    report, _ = run(path, "--kind", "volunteers")
    assert report["created"] == 3
    squad = Responder.objects.get(name="北关村志愿服务队")
    assert (squad.kind, squad.home_area) == ("squad", county["巩昌镇/北关村"])
    assert list(Volunteer.objects.filter(is_leader=True).values_list("name", flat=True)) == ["甲"]
    rows[1][4], rows[2][4] = "否", "是"  # the leadership passes to 乙
    path = write_xlsx(tmp_path / "squads2.xlsx", rows)
    report, _ = run(path, "--kind", "volunteers")
    assert (report["updated"], report["unchanged"]) == (2, 1)
    assert list(Volunteer.objects.filter(is_leader=True).values_list("name", flat=True)) == ["乙"]


@pytest.mark.parametrize("kind", ["staff", "units", "volunteers"])
def test_template_reads_back_as_an_empty_roster(county, tmp_path, kind):
    template = tmp_path / f"{kind}.xlsx"
    call_command("import_people", "--kind", kind, "--template", str(template))
    report, _ = run(template, "--kind", kind)
    assert report["rows"] == 0


def test_a_token_asked_for_with_the_initial_password_does_not_work(county, tmp_path, client):
    path = write_xlsx(tmp_path / "roster.xlsx", staff_rows())
    call_command("import_people", str(path), "--kind", "staff")
    [listing] = list(tmp_path.glob("roster.initial-passwords-*.csv"))
    line = listing.read_text(encoding="utf-8-sig").splitlines()[1]
    username, _name, _area, password = line.split(",")
    response = client.post("/api/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/me/", headers={"authorization": f"Token {token}"}).status_code == 401
