"""The service circle of an area: covered residents per child area and in all, the uncovered
cells, and the best new sites; shared by the API and the briefing."""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics.coverage.reach import (
    DEFAULT_MINUTES,
    DEFAULT_MODE,
    Demand,
    cell_shares,
    covered_residents,
    greedy_sites,
    load_demand,
    reach_each,
    service_points_reach,
    village_centres,
)
from gridmap.choices import AreaLevel
from gridmap.models import Area
from roads.choices import TravelMode


@dataclass
class Row:
    """Residents and covered residents of one area."""

    code: str
    name: str
    population: int = 0
    covered: float = 0.0
    no_road: int = 0  # residents of cells without a road the mode may use

    @property
    def share(self) -> float | None:
        return self.covered / self.population if self.population else None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "population": self.population,
            "covered": round(self.covered),
            "share": round(self.share, 4) if self.share is not None else None,
            "no_road_population": self.no_road,
        }


@dataclass
class Suggestion:
    rank: int
    code: str
    name: str
    lon: float
    lat: float
    gain: float
    share_after: float | None

    def as_dict(self) -> dict:
        return {
            "rank": self.rank,
            "code": self.code,
            "name": self.name,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "gain": round(self.gain),
            "share_after": round(self.share_after, 4) if self.share_after is not None else None,
        }


@dataclass
class Coverage:
    area: Area
    mode: str
    minutes: int
    service_points: int
    total: Row
    rows: list[Row]
    shares: dict[int, float]  # grid cell id → covered share
    demand: Demand
    suggestions: list[Suggestion] = field(default_factory=list)
    cells_without_population: int = 0

    @property
    def mode_label(self) -> str:
        return str(TravelMode(self.mode).label)


def coverage(
    area: Area, *, mode: str = DEFAULT_MODE, minutes: int = DEFAULT_MINUTES, suggest: int = 0
) -> Coverage | None:
    """The service circle of ``area`` (None where no road network is loaded)."""
    demand = load_demand(area, mode=mode, minutes=minutes)
    if demand is None:
        return None
    reach, count = service_points_reach(demand)
    shares = cell_shares(demand, reach)
    children = _child_rows(area)
    total = Row(code=area.code, name=area.name)
    for pk, cell in demand.cells.items():
        covered = cell.population * shares[pk]
        no_road = cell.population if cell.road_m == 0 else 0
        rows = [total]
        child = next((row for prefix, row in children if cell.code.startswith(prefix)), None)
        if child is not None:
            rows.append(child)
        for row in rows:
            row.population += cell.population
            row.covered += covered
            row.no_road += no_road
    result = Coverage(
        area=area,
        mode=mode,
        minutes=minutes,
        service_points=count,
        total=total,
        rows=[row for _prefix, row in children],
        shares=shares,
        demand=demand,
        cells_without_population=demand.cells_without_population,
    )
    if suggest > 0:
        result.suggestions = _suggest(demand, reach, total, suggest)
    return result


def _child_rows(area: Area) -> list[tuple[str, Row]]:
    if area.level == AreaLevel.GRID:
        return []
    children = Area.objects.current().filter(parent=area).order_by("code")
    return [
        (child.code_prefix, Row(code=child.code, name=child.name))
        for child in children.only("code", "name", "level")
    ]


def _suggest(demand: Demand, base, total: Row, k: int) -> list[Suggestion]:
    villages = village_centres(demand.area)
    points = [(v.label_point.x, v.label_point.y) for v in villages]
    candidates = reach_each(demand, points)
    covered = covered_residents(demand, base)
    suggestions = []
    for rank, site in enumerate(greedy_sites(demand, base, candidates, k), start=1):
        covered += site.gain
        village = villages[site.index]
        suggestions.append(
            Suggestion(
                rank=rank,
                code=village.code,
                name=village.name,
                lon=points[site.index][0],
                lat=points[site.index][1],
                gain=site.gain,
                share_after=covered / total.population if total.population else None,
            )
        )
    return suggestions
