"""The reference data the demo is built from: the county outline and the NBS division lists."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, shape

DATA_DIR = Path(__file__).resolve().parent / "data" / "longxi"
OUTLINE_FILE = DATA_DIR / "longxi_621122_wgs84.geojson"
TOWNSHIPS_FILE = DATA_DIR / "longxi_townships_nbs.csv"
VILLAGES_FILE = DATA_DIR / "longxi_villages_nbs.csv"

COUNTY_CODE = "621122000000"
COUNTY_NAME = "陇西县"


@dataclass(frozen=True)
class Division:
    """One NBS division: a 12-digit code, its name and the code of the township it belongs to."""

    code: str
    name: str
    township_code: str

    @property
    def is_community(self) -> bool:
        """Urban residents' committee (社区居民委员会) rather than a villagers' committee."""
        return self.name.endswith("居民委员会")

    @property
    def short_name(self) -> str:
        """The place name without the committee suffix: 东城社区居民委员会 → 东城社区."""
        for suffix, keep in (
            ("社区居民委员会", "社区"),
            ("居民委员会", "社区"),
            ("村民委员会", "村"),
        ):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)] + keep
        return self.name


def load_outline() -> Polygon:
    """The county outline in WGS84 degrees (a single polygon)."""
    with OUTLINE_FILE.open(encoding="utf-8") as handle:
        feature = json.load(handle)["features"][0]
    geometry = shape(feature["geometry"])
    if isinstance(geometry, MultiPolygon):
        # The published outline is one polygon wrapped in a MultiPolygon.
        (geometry,) = geometry.geoms
    return geometry


def load_townships() -> list[Division]:
    """The 17 townships, in NBS code order, with 12-digit codes (9-digit NBS code + 000)."""
    with TOWNSHIPS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    townships = [Division(f"{row['code']}000", row["name"], f"{row['code']}000") for row in rows]
    return sorted(townships, key=lambda division: division.code)


def load_villages() -> list[Division]:
    """The 233 villages and communities, in NBS code order."""
    with VILLAGES_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    villages = [Division(row["code"], row["name"], f"{row['streetCode']}000") for row in rows]
    return sorted(villages, key=lambda division: division.code)
