"""import_roads: an OSM extract and a GeoPackage become one network; a bad file writes nothing."""

from __future__ import annotations

import warnings
from io import StringIO
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from django.core.management import CommandError, call_command

from roads.models import RoadEdge, RoadNetwork
from tests.roads.test_network import cost

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
# Ways 101 (secondary, crossing 102 at a shared node), 102 (residential), 103 (tertiary,
# oneway=yes), 104 (unclassified, oneway=-1), 105 (a motorway bridge), 106 (a river) and
# 107 (highway=proposed): see the file.
OSM = DATA / "roads_small.osm"


def run_import(path: Path, *args: str) -> str:
    """Run the command; return what it printed."""
    out = StringIO()
    call_command("import_roads", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write_gpkg(path: Path, rows: list[dict], crs: int | None = 4544) -> Path:
    """A road file from rows holding attributes and a WGS84 shapely ``geometry``, written in
    ``crs`` (CGCS2000 Gauss-Krüger metres by default, as a county's surveyors deliver it)."""
    frame = gpd.GeoDataFrame(
        [{k: v for k, v in row.items() if k != "geometry"} for row in rows],
        geometry=[row["geometry"] for row in rows],
        crs=4326,
    )
    if crs is None:
        frame = frame.to_crs(4544).set_crs(None, allow_override=True)
    else:
        frame = frame.to_crs(crs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        frame.to_file(path, engine="pyogrio")
    return path


def line(*points: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString(points)


GPKG_ROWS = [
    # A county road (code X) crossing a village road (村道) without a shared vertex: noded.
    {
        "等级": "X081",
        "名称": "X081 县道",
        "单行": "",
        "geometry": line((104.60, 35.0), (104.62, 35.0)),
    },
    {"等级": "村道", "名称": "", "单行": "否", "geometry": line((104.61, 34.99), (104.61, 35.01))},
    # The G30 (an expressway by its number) over the county road: a bridge, no junction.
    {
        "等级": "G30",
        "名称": "连霍高速",
        "单行": "是",
        "geometry": line((104.615, 34.99), (104.615, 35.01)),
    },
    # A one-way township road drawn against its direction (-1).
    {"等级": "乡道", "名称": "", "单行": "-1", "geometry": line((104.62, 35.0), (104.62, 35.01))},
]


def test_an_osm_extract_becomes_the_network_in_use():
    printed = run_import(OSM)
    network = RoadNetwork.objects.get()
    assert network.active
    assert network.source == str(OSM)
    edges = RoadEdge.objects.filter(network=network)
    classes = sorted(edges.values_list("road_class", flat=True))
    # 101 and 102 are cut at their shared node 2: two edges each.
    assert classes == ["county", "county", "expressway", "street", "street", "township", "village"]
    assert network.report["skipped"] == {"highway=proposed": 1, "no highway tag": 1}
    assert "highway=proposed" in printed
    # The motorway bridge joins nothing: its own component.
    assert network.component_count == 2


def test_osm_one_way_tags_bind_cars_in_the_tagged_direction():
    run_import(OSM)
    network = RoadNetwork.objects.get()
    # 103: oneway=yes from node 3 (104.62, 35.00) north to node 6 (104.62, 35.01).
    assert cost(network.pk, "car", (104.62, 35.00), (104.62, 35.01)) > 0
    # 104 is drawn from node 4 to node 6 with oneway=-1: cars go from 6 to 4 only.
    reverse = RoadEdge.objects.get(network=network, road_class="village")
    assert reverse.oneway
    assert reverse.geom.coords == ((104.62, 35.01), (104.61, 35.01))
    # From 6 to 4 directly (0.01° of longitude at 35°N, 912 m at 20 km/h)…
    assert cost(network.pk, "car", (104.62, 35.01), (104.61, 35.01)) == pytest.approx(
        912.4 / (20 / 3.6), rel=0.01
    )
    # …but from 4 to 6 a car must go round by the county road and the one-way 103.
    assert cost(network.pk, "car", (104.61, 35.01), (104.62, 35.01)) > 912.4 / (20 / 3.6) * 2


def test_a_geopackage_in_cgcs2000_metres_is_reprojected_and_classified(tmp_path):
    path = write_gpkg(tmp_path / "roads.gpkg", GPKG_ROWS)
    printed = run_import(path)
    network = RoadNetwork.objects.get()
    assert "EPSG:4544" in network.report["source_crs"]
    assert "EPSG:4544" in printed
    by_class = {}
    for edge in RoadEdge.objects.filter(network=network):
        by_class.setdefault(edge.road_class, []).append(edge)
    assert sorted((k, len(v)) for k, v in by_class.items()) == [
        ("county", 2),
        ("expressway", 1),
        ("township", 1),
        ("village", 2),
    ]
    # Back in WGS84 to the centimetre.
    start = min(edge.geom.coords[0][0] for edge in by_class["county"])
    assert start == pytest.approx(104.60, abs=1e-7)
    assert by_class["county"][0].name == "X081 县道"
    assert by_class["township"][0].geom.coords[0][1] == pytest.approx(35.01, abs=1e-7)
    assert by_class["expressway"][0].oneway
    assert network.report["noding"]["crossings_not_joined"] == 1
    # County and village roads meet; a car reaches the village road's end from the county road's.
    assert cost(network.pk, "car", (104.60, 35.0), (104.61, 35.01)) > 0


def test_a_class_map_names_what_a_code_means(tmp_path):
    rows = [{"kind": 7, "geometry": line((104.60, 35.0), (104.62, 35.0))}]
    path = write_gpkg(tmp_path / "coded.gpkg", rows, crs=4326)
    with pytest.raises(CommandError, match=r"'7'.*--class-map"):
        run_import(path, "--class-field", "kind")
    run_import(path, "--class-field", "kind", "--class-map", "7=track")
    assert list(RoadEdge.objects.values_list("road_class", flat=True)) == ["track"]


@pytest.fixture
def old_network():
    run_import(OSM)
    return RoadNetwork.objects.get()


def test_a_file_with_a_bad_geometry_writes_nothing(tmp_path, old_network):
    rows = [
        *GPKG_ROWS,
        {"等级": "村道", "名称": "", "单行": "", "geometry": line((104.7, 35.0), (104.7, 35.0))},
        {"等级": "村道", "名称": "", "单行": "", "geometry": shapely.Point(104.7, 35.1)},
    ]
    path = write_gpkg(tmp_path / "bad.gpkg", rows, crs=4326)
    with pytest.raises(CommandError) as raised:
        run_import(path)
    assert "feature 5:" in str(raised.value)
    assert "feature 6: is a Point" in str(raised.value)
    assert list(RoadNetwork.objects.all()) == [old_network]
    assert RoadNetwork.objects.get().active
    assert RoadEdge.objects.filter(network=old_network).count() == old_network.edge_count


def test_a_file_without_a_crs_is_refused_unless_named(tmp_path, old_network):
    path = write_gpkg(tmp_path / "nocrs.shp", GPKG_ROWS[:2], crs=None)
    with pytest.raises(CommandError, match="no CRS"):
        run_import(path, "--class-field", "等级")
    assert list(RoadNetwork.objects.all()) == [old_network]
    run_import(path, "--class-field", "等级", "--source-crs", "EPSG:4544")
    network = RoadNetwork.objects.get()
    assert network != old_network
    assert network.edge_count == 4


def test_a_dry_run_reports_and_writes_nothing(tmp_path, old_network):
    path = write_gpkg(tmp_path / "roads.gpkg", GPKG_ROWS)
    printed = run_import(path, "--dry-run")
    assert "Dry run" in printed
    assert list(RoadNetwork.objects.all()) == [old_network]
    assert RoadNetwork.objects.get().active


def test_an_exported_network_imports_back_the_same(tmp_path, old_network):
    path = tmp_path / "exported.gpkg"
    call_command("export_roads", str(path), stdout=StringIO())
    before = sorted(RoadEdge.objects.values_list("road_class", "name", "oneway", "length_m"))
    run_import(path)
    network = RoadNetwork.objects.get()
    assert network != old_network
    after = sorted(RoadEdge.objects.values_list("road_class", "name", "oneway", "length_m"))
    assert [row[:3] for row in after] == [row[:3] for row in before]
    assert [row[3] for row in after] == pytest.approx([row[3] for row in before], abs=0.01)
    assert network.component_count == old_network.component_count
