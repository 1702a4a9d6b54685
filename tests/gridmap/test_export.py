"""export_areas: the areas in force to GeoJSON / Shapefile / GeoPackage, and back unchanged."""

from __future__ import annotations

import zipfile
from io import StringIO
from pathlib import Path

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command

from gridmap.models import Area, AreaVersion

COUNTY, TOWN_A, VILLAGE_A1 = "621122000000", "621122100000", "621122100001"
COLUMNS = {
    "code",
    "name",
    "level",
    "parent_code",
    "population",
    "households",
    "version",
    "valid_from",
    "synthetic",
}


def export(path: Path, **options: object) -> str:
    out = StringIO()
    call_command("export_areas", str(path), stdout=out, **options)
    return out.getvalue()


def reimport(path: Path) -> str:
    out = StringIO()
    call_command(
        "import_areas",
        str(path),
        valid_from="2025-01-01",
        stdout=out,
        stderr=StringIO(),
        verbosity=0,
    )
    return out.getvalue()


@pytest.mark.parametrize("suffix", [".geojson", ".shp", ".gpkg"])
@pytest.mark.django_db
def test_export_then_import_leaves_every_area_unchanged(network, tmp_path, suffix):
    path = tmp_path / f"areas{suffix}"

    assert "Wrote 15 areas" in export(path)
    output = reimport(path)

    assert "Created 0, re-versioned 0, unchanged 15 (names or figures updated: 0)" in output
    assert set(Area.objects.values_list("version", flat=True)) == {1}
    assert not AreaVersion.objects.exists()


@pytest.mark.django_db
def test_zipped_shapefile_imports_back_unchanged(network, tmp_path):
    export(tmp_path / "areas.shp")
    archive = tmp_path / "areas.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in tmp_path.glob("areas.*"):
            if part != archive:
                zipped.write(part, part.name)

    assert "unchanged 15" in reimport(archive)


@pytest.mark.django_db
def test_geojson_and_geopackage_carry_every_column(network, tmp_path):
    for name in ("areas.geojson", "areas.gpkg"):
        export(tmp_path / name)
        frame = gpd.read_file(tmp_path / name)

        assert set(frame.columns) == COLUMNS | {"geometry"}
        assert frame.crs.to_epsg() == 4326
        village = frame.set_index("code").loc[VILLAGE_A1]
        assert (village["parent_code"], village["level"], village["version"]) == (
            TOWN_A,
            "village",
            1,
        )


@pytest.mark.django_db
def test_shapefile_is_utf8_with_short_field_names(network, tmp_path):
    export(tmp_path / "areas.shp")

    assert (tmp_path / "areas.cpg").read_text().strip().upper() in {"UTF-8", "UTF8"}
    frame = gpd.read_file(tmp_path / "areas.shp")
    assert all(len(column) <= 10 for column in frame.columns)
    assert "parent" in frame.columns
    assert frame.set_index("code").loc[COUNTY, "name"] == "测试县"


@pytest.mark.django_db
def test_level_and_within_select_the_areas(network, tmp_path):
    path = tmp_path / "grids.geojson"

    export(path, level=["grid"], within=TOWN_A)

    codes = sorted(gpd.read_file(path)["code"])
    assert codes == [
        "621122100001001",
        "621122100001002",
        "621122100002001",
        "621122100002002",
    ]


@pytest.mark.django_db
def test_retired_areas_are_not_exported(network, tmp_path):
    Area.objects.filter(code=f"{VILLAGE_A1}002").update(valid_to="2025-01-01")
    path = tmp_path / "current.gpkg"

    export(path, within=VILLAGE_A1)

    assert list(gpd.read_file(path)["code"]) == [VILLAGE_A1, f"{VILLAGE_A1}001"]


@pytest.mark.django_db
def test_format_option_overrides_the_extension(network, tmp_path):
    path = tmp_path / "areas.out"

    export(path, format="geojson")

    assert len(gpd.read_file(path)) == 15


@pytest.mark.django_db
def test_unknown_extension_without_format_is_refused(network, tmp_path):
    with pytest.raises(CommandError, match="Cannot tell the format"):
        export(tmp_path / "areas.txt")


@pytest.mark.django_db
def test_unknown_within_code_is_refused(network, tmp_path):
    with pytest.raises(CommandError, match="no area in force has this code"):
        export(tmp_path / "areas.geojson", within="621122999000")
