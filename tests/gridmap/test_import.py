"""import_areas: the one write path for boundaries, through the command and the service."""

from __future__ import annotations

import datetime as dt
import warnings
from io import StringIO
from pathlib import Path

import geopandas as gpd
import prcoords
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Geod

from gridmap.choices import AreaLevel
from gridmap.models import Area, AreaImport, AreaVersion
from gridmap.services import import_areas
from tests.factories import STEP, VALID_FROM, X0, Y0

DATA = Path(__file__).resolve().parent.parent / "data"
SMALL_COUNTY = DATA / "small_county.geojson"
NEW_DATE = "2025-01-01"
GEOD = Geod(ellps="WGS84")
COUNTY, TOWN_A, TOWN_B = "621122000000", "621122100000", "621122101000"
VILLAGE_A1 = "621122100001"


def square(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """An axis-aligned rectangle in degrees (shapely, for writing files)."""
    return shapely.box(x0, y0, x1, y1)


COUNTY_SQUARE = square(X0, Y0, X0 + 4 * STEP, Y0 + 2 * STEP)
TOWN_A_SQUARE = square(X0, Y0, X0 + 2 * STEP, Y0 + 2 * STEP)
TOWN_B_SQUARE = square(X0 + 2 * STEP, Y0, X0 + 4 * STEP, Y0 + 2 * STEP)
# Crossing edges: a "polygon" whose ring runs (0,0) → (1,1) → (1,0) → (0,1), scaled into the county.
BOW_TIE = shapely.Polygon(
    [(X0, Y0), (X0 + STEP, Y0 + STEP), (X0 + STEP, Y0), (X0, Y0 + STEP), (X0, Y0)]
)


def write_geojson(path: Path, rows: list[dict], crs: int | None = 4326) -> Path:
    """A boundary file from rows holding properties and a shapely ``geometry``."""
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in row.items() if k != "geometry"} for row in rows],
        geometry=[row["geometry"] for row in rows],
        crs=crs,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        frame.to_file(path, engine="pyogrio")
    return path


def write_without_crs(path: Path) -> None:
    """The county square in EPSG:4544 metres, in a file that does not say so."""
    metres = list(gpd.GeoSeries([COUNTY_SQUARE], crs=4326).to_crs(4544))
    frame = gpd.GeoDataFrame({"code": [COUNTY], "name": ["县"]}, geometry=metres, crs=None)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        frame.to_file(path, engine="pyogrio")


def county_and_townships(town_b: shapely.Geometry = TOWN_B_SQUARE) -> list[dict]:
    return [
        {"code": COUNTY, "name": "测试县", "geometry": COUNTY_SQUARE},
        {"code": TOWN_A, "name": "甲镇", "geometry": TOWN_A_SQUARE},
        {"code": TOWN_B, "name": "乙乡", "geometry": town_b},
    ]


def run_import(path: Path, *args: str, **options: object) -> str:
    """Run the command quietly (no progress bar); return what it printed."""
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


# --- good files ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_geojson_builds_the_tree_children_listed_first():
    output = run_import(SMALL_COUNTY)

    assert "Created 15, re-versioned 0, unchanged 0" in output
    assert Area.objects.count() == 15
    village = Area.objects.get(code=VILLAGE_A1)
    assert village.parent.code == TOWN_A
    assert village.parent.parent.code == COUNTY
    assert village.level == AreaLevel.VILLAGE
    assert village.population == 1200
    assert list(village.children.values_list("code", flat=True)) == [
        "621122100001001",
        "621122100001002",
    ]
    assert Area.objects.filter(level=AreaLevel.GRID).count() == 8


@pytest.mark.django_db
def test_import_records_counts_and_report():
    run_import(SMALL_COUNTY)

    record = AreaImport.objects.get()
    assert (record.created, record.updated, record.unchanged, record.repaired) == (15, 0, 0, 0)
    assert record.source_crs == "EPSG:4326"
    assert [level["level"] for level in record.report["levels"]] == ["township", "village", "grid"]
    assert record.report["problems"] == []


@pytest.mark.django_db
def test_display_boundary_and_label_point_have_srid_and_label_is_inside():
    run_import(SMALL_COUNTY)

    for area in Area.objects.all():
        assert area.boundary.srid == area.display_boundary.srid == area.label_point.srid == 4326
        assert area.boundary.contains(area.label_point)


@pytest.mark.django_db
def test_service_takes_a_frame_without_level_or_parent_columns():
    frame = gpd.GeoDataFrame(
        {
            "code": [TOWN_A, COUNTY],
            "name": ["甲镇", "测试县"],
            "population": [100, 300],
            "households": [40, 120],
            "synthetic": [True, True],
        },
        geometry=[COUNTY_SQUARE, COUNTY_SQUARE],
        crs=4326,
    )

    result = import_areas(frame, source="demo", source_crs="wgs84", valid_from=dt.date(2024, 1, 1))

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    township = Area.objects.get(code=TOWN_A)
    assert township.parent.code == COUNTY
    assert township.synthetic is True
    assert township.households == 40


@pytest.mark.django_db
def test_grids_of_one_village_import_under_parents_already_in_the_database(network, tmp_path):
    x = X0
    rows = [
        {"code": f"{VILLAGE_A1}{i + 1:03d}", "name": f"新网格{i + 1}", "geometry": geom}
        for i, geom in enumerate(
            [
                square(x, Y0, x + STEP / 2, Y0 + STEP),
                square(x, Y0 + STEP, x + STEP / 2, Y0 + 2 * STEP),
                square(x + STEP / 2, Y0, x + STEP, Y0 + STEP),
                square(x + STEP / 2, Y0 + STEP, x + STEP, Y0 + 2 * STEP),
            ]
        )
    ]

    output = run_import(write_geojson(tmp_path / "grids.geojson", rows))

    assert "Created 2, re-versioned 2, unchanged 0" in output
    new_grid = Area.objects.get(code=f"{VILLAGE_A1}004")
    assert new_grid.parent == network[VILLAGE_A1]


@pytest.mark.django_db
def test_file_in_epsg4544_lands_where_it_belongs(tmp_path):
    rows = county_and_townships()
    path = tmp_path / "gk.gpkg"
    gpd.GeoDataFrame(
        [{"code": r["code"], "name": r["name"]} for r in rows],
        geometry=[r["geometry"] for r in rows],
        crs=4326,
    ).to_crs(4544).to_file(path, engine="pyogrio")

    output = run_import(path)

    assert "source CRS: EPSG:4544" in output
    county = Area.objects.get(code=COUNTY)
    assert shapely.hausdorff_distance(shapely.from_wkt(county.boundary.wkt), COUNTY_SQUARE) < 1e-7


@pytest.mark.django_db
def test_gcj02_source_is_shifted_250_to_300_m_back_within_1_m_of_wgs84(tmp_path):
    def to_gcj(lon: float, lat: float) -> tuple[float, float]:
        converted = prcoords.wgs_gcj((lat, lon))
        return converted.lon, converted.lat

    known = COUNTY_SQUARE
    published = shapely.Polygon([to_gcj(x, y) for x, y in known.exterior.coords])
    path = write_geojson(
        tmp_path / "amap.geojson", [{"code": COUNTY, "name": "县", "geometry": published}]
    )

    output = run_import(path, source_crs="gcj02")

    assert "source CRS: gcj02" in output
    stored = Area.objects.get(code=COUNTY).boundary
    corners = [(x, y) for x, y in known.exterior.coords]
    for (lon, lat), (glon, glat) in zip(corners, published.exterior.coords, strict=True):
        nearest = min(stored.coords[0][0], key=lambda c: (c[0] - lon) ** 2 + (c[1] - lat) ** 2)
        assert GEOD.inv(lon, lat, *nearest)[2] < 1.0
        assert 250 <= GEOD.inv(glon, glat, *nearest)[2] <= 300


@pytest.mark.django_db
def test_projected_shapefile_without_crs_is_refused(tmp_path):
    path = tmp_path / "noprj.shp"
    write_without_crs(path)

    message = import_error(path)

    assert "no CRS" in message
    assert "--source-crs" in message
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_projected_shapefile_without_crs_imports_with_source_crs(tmp_path):
    path = tmp_path / "noprj.shp"
    write_without_crs(path)

    run_import(path, source_crs="EPSG:4544")

    county = Area.objects.get(code=COUNTY)
    assert shapely.hausdorff_distance(shapely.from_wkt(county.boundary.wkt), COUNTY_SQUARE) < 1e-7


@pytest.mark.django_db
def test_projected_coordinates_in_a_geojson_without_crs_member_are_refused(tmp_path):
    projected = gpd.GeoSeries([COUNTY_SQUARE], crs=4326).to_crs(4544).iloc[0]
    path = write_geojson(
        tmp_path / "gk.geojson", [{"code": COUNTY, "name": "县", "geometry": projected}], crs=None
    )

    message = import_error(path)

    assert "not longitude/latitude" in message


@pytest.mark.django_db
def test_source_crs_text_other_than_names_and_epsg_codes_is_refused():
    message = import_error(SMALL_COUNTY, source_crs="+proj=longlat +datum=WGS84")

    assert "EPSG:<number>" in message


@pytest.mark.django_db
def test_unknown_epsg_code_is_refused():
    assert "not a known CRS" in import_error(SMALL_COUNTY, source_crs="EPSG:999999")


# --- geometry repair -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_bow_tie_geometry_is_repaired_and_reported(tmp_path):
    path = write_geojson(
        tmp_path / "bowtie.geojson", [{"code": COUNTY, "name": "县", "geometry": BOW_TIE}]
    )

    output = run_import(path)

    assert "repaired 1" in output
    assert f"Repaired feature 1 (code {COUNTY}): Self-intersection" in output
    county = Area.objects.get(code=COUNTY)
    assert county.boundary.valid
    assert county.boundary.num_geom == 2
    assert county.boundary.area == pytest.approx(STEP * STEP / 2)
    assert AreaImport.objects.get().report["repaired"][0]["code"] == COUNTY


# --- refusals: nothing written -------------------------------------------------------------------


@pytest.mark.django_db
def test_overlapping_siblings_are_refused_and_nothing_written(tmp_path):
    # Township B reaches 0.001° into township A: 5 % of the county claimed twice.
    overlapping = square(X0 + 2 * STEP - 0.001, Y0, X0 + 4 * STEP, Y0 + 2 * STEP)
    path = write_geojson(tmp_path / "overlap.geojson", county_and_townships(overlapping))

    message = import_error(path)

    assert f"{TOWN_A} and {TOWN_B} overlap on 2.5" in message
    assert "tolerance 0.1 %" in message
    assert not Area.objects.exists()
    assert not AreaImport.objects.exists()


@pytest.mark.django_db
def test_a_looser_overlap_tolerance_accepts_the_overlap(tmp_path):
    overlapping = square(X0 + 2 * STEP - 0.001, Y0, X0 + 4 * STEP, Y0 + 2 * STEP)
    path = write_geojson(tmp_path / "overlap.geojson", county_and_townships(overlapping))

    run_import(path, max_overlap=5.0)

    assert Area.objects.count() == 3


@pytest.mark.django_db
def test_parent_left_uncovered_is_refused(tmp_path):
    half_b = square(X0 + 2 * STEP, Y0, X0 + 3 * STEP, Y0 + 2 * STEP)
    path = write_geojson(tmp_path / "gap.geojson", county_and_townships(half_b))

    message = import_error(path)

    assert f"25.000 % of {COUNTY} is covered by none of its children" in message


@pytest.mark.django_db
def test_child_reaching_outside_its_parent_is_refused(network, tmp_path):
    too_wide = square(X0 - 0.002, Y0, X0 + STEP, Y0 + STEP)
    path = write_geojson(
        tmp_path / "out.geojson",
        [{"code": f"{VILLAGE_A1}001", "name": "网格", "geometry": too_wide}],
    )

    message = import_error(path)

    assert f"{VILLAGE_A1}001 lies 16.667 %" in message
    assert f"outside its parent {VILLAGE_A1}" in message
    assert Area.objects.get(code=f"{VILLAGE_A1}001").version == 1


@pytest.mark.django_db
def test_a_bad_feature_in_the_middle_writes_nothing(tmp_path):
    rows = gpd.read_file(SMALL_COUNTY).to_dict("records")
    rows[7]["geometry"] = shapely.Point(X0, Y0)
    path = write_geojson(tmp_path / "point.geojson", rows)

    message = import_error(path)

    assert f"feature 8 (code {rows[7]['code']}): is a Point" in message
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_a_rollback_after_writing_leaves_existing_areas_as_they_were(network, tmp_path):
    changed = square(X0, Y0, X0 + STEP, Y0 + STEP / 2)  # leaves half of its share uncovered
    path = write_geojson(
        tmp_path / "g.geojson", [{"code": f"{VILLAGE_A1}001", "name": "改", "geometry": changed}]
    )

    import_error(path)

    grid = Area.objects.get(code=f"{VILLAGE_A1}001")
    assert (grid.version, grid.name) == (1, network[grid.code].name)
    assert not AreaVersion.objects.exists()


@pytest.mark.django_db
def test_child_code_not_under_its_parent_is_refused_with_the_rule(tmp_path):
    rows = [
        *county_and_townships(),
        {
            "code": VILLAGE_A1,
            "name": "错村",
            "parent_code": TOWN_B,
            "geometry": square(X0 + 2 * STEP, Y0, X0 + 4 * STEP, Y0 + 2 * STEP),
        },
    ]
    path = write_geojson(tmp_path / "wrong.geojson", rows)

    message = import_error(path)

    assert f"feature 4 (code {VILLAGE_A1})" in message
    assert "A child's code starts with its parent's" in message
    assert not Area.objects.exists()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [{"code": COUNTY, "name": "县"}, {"code": COUNTY, "name": "又一个县"}],
            f"feature 2 (code {COUNTY}): code {COUNTY} appears twice in the file "
            "(first at feature 1)",
        ),
        ([{"code": "62112", "name": "短"}], "'62112' is not a statistical code"),
        (
            [{"code": VILLAGE_A1, "name": "孤村"}],
            f"its parent {TOWN_A} is neither in the file nor an area in force",
        ),
        ([{"code": COUNTY, "name": ""}], f"feature 1 (code {COUNTY}): name is empty"),
        (
            [{"code": COUNTY, "name": "县", "population": -3}],
            "population must be a whole number ≥ 0",
        ),
    ],
    ids=["duplicate", "bad-code", "unknown-parent", "empty-name", "negative-population"],
)
@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_feature(tmp_path, rows, expected):
    for row in rows:
        row["geometry"] = COUNTY_SQUARE
    path = write_geojson(tmp_path / "bad.geojson", rows)

    message = import_error(path)

    assert expected in message
    assert "nothing was written" in message
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_missing_file_is_reported(tmp_path):
    assert "File not found" in import_error(tmp_path / "nowhere.geojson")


@pytest.mark.django_db
def test_missing_name_field_is_reported_with_the_fields_present(tmp_path):
    path = write_geojson(
        tmp_path / "x.geojson", [{"code": COUNTY, "MC": "县", "geometry": COUNTY_SQUARE}]
    )

    message = import_error(path)

    assert "no 'name' field" in message
    assert "--name-field" in message
    assert "MC" in message


@pytest.mark.django_db
def test_field_options_read_other_column_names(tmp_path):
    path = write_geojson(
        tmp_path / "x.geojson", [{"DM": COUNTY, "MC": "县", "geometry": COUNTY_SQUARE}]
    )

    run_import(path, code_field="DM", name_field="MC")

    assert Area.objects.get(code=COUNTY).name == "县"


@pytest.mark.django_db
def test_unknown_layer_is_reported_with_the_layers_present(tmp_path):
    path = tmp_path / "two.gpkg"
    frame = gpd.GeoDataFrame({"code": [COUNTY], "name": ["县"]}, geometry=[COUNTY_SQUARE], crs=4326)
    frame.to_file(path, layer="county", engine="pyogrio")
    frame.to_file(path, layer="other", engine="pyogrio")

    message = import_error(path, layer="towns")

    assert "Layer 'towns' is not in" in message
    assert "county, other" in message


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    output = run_import(SMALL_COUNTY, dry_run=True)

    assert "Created 15" in output
    assert "Dry run" in output
    assert not Area.objects.exists()
    assert not AreaImport.objects.exists()


# --- versions -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changed_boundary_keeps_the_old_version_and_bumps_version(network, tmp_path):
    # Village A1's two grids re-divided: the line between them moves 0.002° north.
    cut = Y0 + STEP + 0.002
    rows = [
        {"code": f"{VILLAGE_A1}001", "name": "一格", "geometry": square(X0, Y0, X0 + STEP, cut)},
        {
            "code": f"{VILLAGE_A1}002",
            "name": "二格",
            "geometry": square(X0, cut, X0 + STEP, Y0 + 2 * STEP),
        },
    ]
    old_boundary = network[f"{VILLAGE_A1}001"].boundary

    output = run_import(write_geojson(tmp_path / "redivide.geojson", rows))

    assert "re-versioned 2" in output
    grid = Area.objects.get(code=f"{VILLAGE_A1}001")
    assert (grid.version, grid.valid_from, grid.name) == (2, dt.date(2025, 1, 1), "一格")
    old = AreaVersion.objects.get(area=grid)
    assert (old.version, old.valid_from, old.valid_to) == (1, VALID_FROM, dt.date(2025, 1, 1))
    assert old.name == network[grid.code].name
    assert old.boundary.equals(old_boundary)
    assert old.boundary.srid == 4326


@pytest.mark.django_db
def test_changed_boundary_needs_a_later_valid_from(network, tmp_path):
    rows = [
        {"code": COUNTY, "name": "县", "geometry": square(X0, Y0, X0 + 4 * STEP, Y0 + 3 * STEP)}
    ]

    message = import_error(write_geojson(tmp_path / "c.geojson", rows), valid_from="2023-06-01")

    assert "valid-from must be after the current version's (2024-01-01)" in message


@pytest.mark.django_db
def test_same_boundary_with_new_name_is_unchanged_and_renamed_in_place(network, tmp_path):
    rows = [{"code": TOWN_A, "name": "甲街道", "geometry": TOWN_A_SQUARE}]

    output = run_import(write_geojson(tmp_path / "t.geojson", rows))

    assert "unchanged 1 (names or figures updated: 1)" in output
    township = Area.objects.get(code=TOWN_A)
    assert (township.name, township.version) == ("甲街道", 1)
    assert not AreaVersion.objects.exists()


@pytest.mark.django_db
def test_retire_missing_under_retires_children_left_out(network, tmp_path):
    whole_village = square(X0, Y0, X0 + STEP, Y0 + 2 * STEP)
    rows = [{"code": f"{VILLAGE_A1}001", "name": "合并网格", "geometry": whole_village}]

    output = run_import(
        write_geojson(tmp_path / "merge.geojson", rows), retire_missing_under=VILLAGE_A1
    )

    assert "retired 1" in output
    retired = Area.objects.get(code=f"{VILLAGE_A1}002")
    assert retired.valid_to == dt.date(2025, 1, 1)
    assert Area.objects.current().filter(parent__code=VILLAGE_A1).count() == 1


# --- scale ----------------------------------------------------------------------------------------


def square_county(columns: int = 40, rows: int = 50) -> gpd.GeoDataFrame:
    """1 county, 8 townships, 80 villages of 5 × 5 grid cells (2,089 areas), children first."""
    dx, dy = 0.0125, 0.008

    def cells(c0: int, r0: int, c1: int, r1: int) -> shapely.Polygon:
        return square(X0 + c0 * dx, Y0 + r0 * dy, X0 + c1 * dx, Y0 + r1 * dy)

    records = []
    for t in range(columns // 5):
        township = f"621122{100 + t:03d}"
        for v in range(rows // 5):
            village = f"{township}{v + 1:03d}"
            for i in range(25):
                c, r = t * 5 + i % 5, v * 5 + i // 5
                records.append((f"{village}{i + 1:03d}", f"网格{i + 1}", cells(c, r, c + 1, r + 1)))
            records.append((village, f"村{v + 1}", cells(t * 5, v * 5, t * 5 + 5, v * 5 + 5)))
        records.append((f"{township}000", f"镇{t + 1}", cells(t * 5, 0, t * 5 + 5, rows)))
    records.append((COUNTY, "县", cells(0, 0, columns, rows)))
    codes, names, geoms = zip(*records, strict=True)
    return gpd.GeoDataFrame({"code": codes, "name": names}, geometry=list(geoms), crs=4326)


@pytest.mark.slow
@pytest.mark.django_db
def test_a_county_sized_file_imports_every_level_of_the_tree():
    frame = square_county()

    result = import_areas(frame, source="scale", source_crs="wgs84", valid_from=dt.date(2024, 1, 1))

    assert result.created == len(frame) == 2089
    assert [level.children for level in result.report.levels] == [8, 80, 2000]
