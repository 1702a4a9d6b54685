"""import_areas with the files bureaus actually send: GBK attribute tables without a .cpg, codes
as counties publish them (6/9 digits, numbers, scientific notation), features without geometry,
latitude written first, and a report entirely in the reader's language."""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from io import StringIO
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.choices import Role
from gridmap.models import Area, AreaImport
from tests.gridmap.test_import import (
    COUNTY,
    COUNTY_SQUARE,
    TOWN_A,
    TOWN_A_SQUARE,
    TOWN_B,
    TOWN_B_SQUARE,
    write_geojson,
)

NEW_DATE = "2025-01-01"
# Words a Chinese report may still hold: encoding and CRS names, and the command's options.
LATIN_ALLOWED = {"GB", "GBK", "UTF", "EPSG", "ASCII", "cpg", "dbf", "wgs"}


def shapefile(path: Path, rows: list[dict], *, encoding: str, cpg: bool = False) -> Path:
    """A Shapefile written in ``encoding``; without its .cpg unless ``cpg``, as bureaus send it."""
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in row.items() if k != "geometry"} for row in rows],
        geometry=[row["geometry"] for row in rows],
        crs=4326,
    )
    frame.to_file(path, engine="pyogrio", encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path


def bureau_rows() -> list[dict]:
    """County and townships with Chinese field names, as a civil-affairs bureau names them."""
    return [
        {"代码": COUNTY, "名称": "测试县", "geometry": COUNTY_SQUARE},
        {"代码": TOWN_A, "名称": "巩昌镇", "geometry": TOWN_A_SQUARE},
        {"代码": TOWN_B, "名称": "文峰镇", "geometry": TOWN_B_SQUARE},
    ]


def run_import(path: Path, *args: str, **options: object) -> str:
    out = StringIO()
    options.setdefault("valid_from", NEW_DATE)
    call_command(
        "import_areas", str(path), *args, stdout=out, stderr=StringIO(), verbosity=0, **options
    )
    return out.getvalue()


def import_error(path: Path, *args: str, **options: object) -> str:
    with pytest.raises(CommandError) as caught:
        run_import(path, *args, **options)
    return str(caught.value)


def latin_words(text: str, *remove: str) -> set[str]:
    """Latin-letter words left in ``text`` once paths and the allowed names are taken out."""
    for part in remove:
        text = text.replace(part, "")
    text = re.sub(r"--[a-z-]+", "", text)  # option names
    return {word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in LATIN_ALLOWED}


# --- encodings ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_gbk_shapefile_without_cpg_is_read_as_gb18030_and_says_why(tmp_path):
    path = shapefile(tmp_path / "乡镇界.shp", bureau_rows(), encoding="GBK")

    output = run_import(path, code_field="代码", name_field="名称")

    assert sorted(Area.objects.values_list("name", flat=True)) == ["巩昌镇", "文峰镇", "测试县"]
    assert "GB18030" in output
    assert "no .cpg" in output
    assert AreaImport.objects.get().report["encoding"]["reason"] == "gb18030"


@pytest.mark.django_db
def test_zipped_gbk_shapefile_without_cpg_is_read_as_gb18030(tmp_path):
    shapefile(tmp_path / "towns.shp", bureau_rows(), encoding="GBK")
    archive = tmp_path / "towns.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in tmp_path.glob("towns.*"):
            if part != archive:
                bundle.write(part, part.name)

    run_import(archive, code_field="代码", name_field="名称")

    assert Area.objects.get(code=TOWN_A).name == "巩昌镇"


@pytest.mark.django_db
def test_utf8_shapefile_without_cpg_is_read_as_utf8(tmp_path):
    path = shapefile(tmp_path / "towns.shp", bureau_rows(), encoding="UTF-8")

    output = run_import(path, code_field="代码", name_field="名称")

    assert Area.objects.get(code=TOWN_B).name == "文峰镇"
    assert "UTF-8: the file has no .cpg and its text is valid UTF-8" in output


@pytest.mark.django_db
def test_cpg_file_is_followed_and_named(tmp_path):
    path = shapefile(tmp_path / "towns.shp", bureau_rows(), encoding="GBK", cpg=True)

    output = run_import(path, code_field="代码", name_field="名称")

    assert Area.objects.get(code=TOWN_A).name == "巩昌镇"
    assert "GBK, as declared by the file's .cpg" in output


@pytest.mark.django_db
def test_encoding_option_overrides_detection(tmp_path):
    path = shapefile(tmp_path / "towns.shp", bureau_rows(), encoding="GBK")

    output = run_import(path, code_field="代码", name_field="名称", encoding="GBK")

    assert "GBK, as given with --encoding" in output
    assert AreaImport.objects.get().report["encoding"] == {
        "encoding": "GBK",
        "reason": "option",
        "declared": "",
    }


@pytest.mark.django_db
def test_wrong_encoding_option_is_refused_with_the_fix(tmp_path):
    path = shapefile(tmp_path / "towns.shp", bureau_rows(), encoding="GBK")

    message = import_error(path, code_field="代码", name_field="名称", encoding="UTF-8")

    assert "The attribute table is not UTF-8" in message
    assert "--encoding GB18030" in message
    assert not Area.objects.exists()


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_six_digit_county_and_nine_digit_township_codes_are_padded_and_reported(tmp_path):
    rows = [
        {"code": "621122", "name": "测试县", "geometry": COUNTY_SQUARE},
        {"code": "621122100", "name": "巩昌镇", "geometry": TOWN_A_SQUARE},
        {"code": TOWN_B, "name": "文峰镇", "geometry": TOWN_B_SQUARE},
    ]

    output = run_import(write_geojson(tmp_path / "datav.geojson", rows))

    assert set(Area.objects.values_list("code", flat=True)) == {COUNTY, TOWN_A, TOWN_B}
    assert Area.objects.get(code=TOWN_A).parent.code == COUNTY
    assert "2 codes were padded to the 12-digit statistical code" in output
    assert f"feature 1: 621122 → {COUNTY}" in output
    assert f"feature 2: 621122100 → {TOWN_A}" in output
    notes = AreaImport.objects.get().report["notes"]
    assert [(note["given"], note["code"]) for note in notes] == [
        ("621122", COUNTY),
        ("621122100", TOWN_A),
    ]


@pytest.mark.django_db
def test_codes_written_as_numbers_are_read_as_the_digits_they_stand_for(tmp_path):
    rows = [
        {"code": "6.21122E+11", "name": "测试县", "geometry": COUNTY_SQUARE},
        {"code": f"{TOWN_A}.0", "name": "巩昌镇", "geometry": TOWN_A_SQUARE},
        {"code": "6.21122101E+11", "name": "文峰镇", "geometry": TOWN_B_SQUARE},
    ]

    output = run_import(write_geojson(tmp_path / "excel.geojson", rows))

    assert set(Area.objects.values_list("code", flat=True)) == {COUNTY, TOWN_A, TOWN_B}
    assert "1 code was stored as a number and read as its digits" in output
    assert "2 codes were in scientific notation" in output
    assert f"feature 1: 6.21122E+11 → {COUNTY}" in output


@pytest.mark.django_db
def test_numeric_code_field_of_a_shapefile_is_read_as_digits(tmp_path):
    rows = [
        {"code": float(COUNTY), "name": "测试县", "geometry": COUNTY_SQUARE},
        {"code": float(TOWN_A), "name": "巩昌镇", "geometry": TOWN_A_SQUARE},
        {"code": float(TOWN_B), "name": "文峰镇", "geometry": TOWN_B_SQUARE},
    ]
    path = shapefile(tmp_path / "numbers.shp", rows, encoding="UTF-8")
    assert gpd.read_file(path)["code"].dtype == "float64"

    run_import(path)

    assert set(Area.objects.values_list("code", flat=True)) == {COUNTY, TOWN_A, TOWN_B}


@pytest.mark.parametrize(
    ("rows", "feature"),
    [
        (  # two codes rounded by a spreadsheet to the same number
            [
                {"code": "6.21122E+11", "name": "测试县"},
                {"code": "6.21122E+11", "name": "巩昌镇"},
            ],
            2,
        ),
        ([{"code": "6.21122E+11", "name": "巩昌镇", "level": "township"}], 1),
        ([{"code": "6.21122E+14", "name": "第1网格"}], 1),
    ],
    ids=["rounded-alike", "level-needs-more-digits", "grid-code"],
)
@pytest.mark.django_db
def test_scientific_codes_that_lost_digits_are_refused_saying_why(tmp_path, rows, feature):
    for row in rows:
        row["geometry"] = COUNTY_SQUARE
    path = write_geojson(tmp_path / "rounded.geojson", rows)

    message = import_error(path)

    assert f"feature {feature} (code " in message
    assert "shows only 6 digits: the rest of the code was lost" in message
    assert "Format the code column as text" in message
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_a_code_with_a_fraction_is_refused(tmp_path):
    rows = [{"code": f"{COUNTY}.5", "name": "测试县", "geometry": COUNTY_SQUARE}]

    message = import_error(write_geojson(tmp_path / "fraction.geojson", rows))

    assert f"code {COUNTY}.5 is not a whole number" in message


# --- geometry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".shp", ".geojson"])
@pytest.mark.django_db
def test_features_without_geometry_are_named_not_taken_for_a_crs_problem(tmp_path, suffix):
    path = tmp_path / f"nogeom{suffix}"
    frame = gpd.GeoDataFrame(
        {"code": [TOWN_A, TOWN_B], "name": ["巩昌镇", "文峰镇"]}, geometry=[None, None], crs=4326
    )
    frame.to_file(path, engine="pyogrio")

    message = import_error(path)

    assert f"feature 1 (code {TOWN_A}) has no geometry." in message
    assert f"feature 2 (code {TOWN_B}) has no geometry." in message
    assert "longitude" not in message
    assert "CRS" not in message


def swapped(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda xy: xy[:, ::-1])


@pytest.mark.django_db
def test_swapped_longitude_and_latitude_are_named_with_the_fix(tmp_path):
    rows = [
        {"code": COUNTY, "name": "测试县", "geometry": swapped(COUNTY_SQUARE)},
        {"code": TOWN_A, "name": "巩昌镇", "geometry": swapped(TOWN_A_SQUARE)},
    ]
    path = write_geojson(tmp_path / "latlon.geojson", rows)

    message = import_error(path)

    assert "Longitude and latitude look swapped" in message
    assert "x runs 35–35.02" in message
    assert "--swap-xy" in message


@pytest.mark.django_db
def test_swap_xy_imports_a_file_written_latitude_first(tmp_path):
    rows = [
        {"code": COUNTY, "name": "测试县", "geometry": swapped(COUNTY_SQUARE)},
        {"code": TOWN_A, "name": "巩昌镇", "geometry": swapped(TOWN_A_SQUARE)},
        {"code": TOWN_B, "name": "文峰镇", "geometry": swapped(TOWN_B_SQUARE)},
    ]
    path = write_geojson(tmp_path / "latlon.geojson", rows)

    run_import(path, swap_xy=True)

    county = shapely.from_wkt(Area.objects.get(code=COUNTY).boundary.wkt)
    assert shapely.hausdorff_distance(county, COUNTY_SQUARE) < 1e-9


@pytest.mark.django_db
def test_swapped_shapefile_without_crs_is_named_too(tmp_path):
    path = tmp_path / "noprj.shp"
    frame = gpd.GeoDataFrame(
        {"code": [COUNTY], "name": ["县"]}, geometry=[swapped(COUNTY_SQUARE)], crs=None
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        frame.to_file(path, engine="pyogrio")

    assert "Longitude and latitude look swapped" in import_error(path)


# --- the report in the reader's language ---------------------------------------------------------


def padded_gbk_file(tmp_path: Path) -> Path:
    rows = bureau_rows()
    rows[0]["代码"], rows[1]["代码"] = "621122", "6.21122100E+11"
    return shapefile(tmp_path / "towns.shp", rows, encoding="GBK")


@pytest.mark.django_db
def test_chinese_report_has_no_english_headers_or_words(tmp_path):
    path = padded_gbk_file(tmp_path)
    report = tmp_path / "report.json"

    with translation.override("zh-hans"):
        output = run_import(path, code_field="代码", name_field="名称", report_json=report)

    assert "层级" in output
    assert "GB18030" in output
    assert "已补足为 12 位统计用区划代码" in output
    assert latin_words(output, str(path)) == set()
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["created"] == 3
    texts = [
        document["encoding"]["text"],
        *document["note_summary"],
        *document["validation"]["headers"],
        *(level["level_name"] for level in document["validation"]["levels"]),
        document["validation"]["tolerances"],
        document["summary"],
    ]
    assert latin_words("\n".join(texts)) == set()


@pytest.mark.django_db
def test_json_report_lists_each_bad_feature_in_chinese(tmp_path):
    rows = [
        {"code": COUNTY, "name": "测试县", "geometry": COUNTY_SQUARE},
        {"code": "6.21122E+14", "name": "第1网格", "geometry": TOWN_A_SQUARE},
        {"code": TOWN_B, "name": "文峰镇", "geometry": None},
    ]
    path = write_geojson(tmp_path / "bad.geojson", rows)
    report = tmp_path / "report.json"

    with translation.override("zh-hans"), pytest.raises(CommandError):
        run_import(path, report_json=report)

    document = json.loads(report.read_text(encoding="utf-8"))
    assert [error["feature"] for error in document["errors"]] == [2, 3]
    assert document["errors"][1]["code"] == TOWN_B
    assert document["errors"][1]["reason"] == "没有几何图形。"
    assert "位数字" in document["errors"][0]["reason"]
    assert document["imported"] is False
    assert not Area.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("plain_static_storage")
def test_admin_import_record_shows_the_report_in_the_readers_language(
    tmp_path, zh_client, make_user
):
    with translation.override("zh-hans"):
        run_import(padded_gbk_file(tmp_path), code_field="代码", name_field="名称")
    admin_user = make_user("admin", role=Role.COUNTY_ADMIN)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    zh_client.force_login(admin_user)

    page = zh_client.get(f"/admin/gridmap/areaimport/{AreaImport.objects.get().pk}/change/")

    html = page.content.decode()
    report = html[html.index('<div class="import-report">') :]
    report = report[: report.index("</div>")]
    text = re.sub(r"<[^>]+>", " ", report)
    assert "层级" in text
    assert "乡镇" in text
    assert "已补足为 12 位统计用区划代码" in text
    assert "max_outside_pct" not in html
    assert latin_words(text) == set()
