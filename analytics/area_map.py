"""The briefing's area map: each child area with its name and counts, a link to its queue.

Plain SVG, so the same map works in the web page (a click opens the queue) and in the PDF (the
areas are PDF links); it needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.contrib.gis.geos import GEOSGeometry, Point

from analytics.heatmap import to_metric

# Fill by overdue share of the open matters: none, some, a quarter or more, half or more.
OVERDUE_FILLS = ((0.5, "#f4a582"), (0.25, "#fddbc7"), (0.0, "#fef0e6"))
NO_OVERDUE_FILL = "#f2f2f2"


@dataclass(frozen=True)
class AreaShape:
    """One area drawn: its outline, label point, the lines of its label and where a click goes."""

    geometry: GEOSGeometry
    label_point: Point
    lines: tuple[str, ...]
    href: str
    open: int
    overdue: int


def fill(open_count: int, overdue: int) -> str:
    """The area's fill: warmer as more of its open matters are overdue."""
    if not overdue or not open_count:
        return NO_OVERDUE_FILL
    share = overdue / open_count
    return next(colour for limit, colour in OVERDUE_FILLS if share >= limit)


def linked_areas_map(shapes: Sequence[AreaShape], *, width: int = 640, height: int = 460) -> str:
    """Areas in EPSG:4544, north up, each a link with its label lines at its label point."""
    projected = []
    for shape in shapes:
        rings = []
        for polygon in shape.geometry:
            coords = polygon.exterior_ring.coords
            xs, ys = to_metric([c[0] for c in coords], [c[1] for c in coords])
            rings.append(list(zip(xs, ys, strict=True)))
        lx, ly = to_metric([shape.label_point.x], [shape.label_point.y])
        projected.append((shape, rings, (float(lx[0]), float(ly[0]))))
    all_points = [p for _, rings, _ in projected for ring in rings for p in ring]
    if not all_points:
        return ""
    min_x = min(x for x, _ in all_points)
    max_x = max(x for x, _ in all_points)
    min_y = min(y for _, y in all_points)
    max_y = max(y for _, y in all_points)
    scale = min(width / max(max_x - min_x, 1.0), height / max(max_y - min_y, 1.0))

    def xy(x: float, y: float) -> str:
        return f"{(x - min_x) * scale:.1f},{height - (y - min_y) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'width="100%" class="map area-map" font-size="12">'
    ]
    for shape, rings, (lx, ly) in projected:
        colour = fill(shape.open, shape.overdue)
        title = " · ".join(shape.lines)
        parts.append(
            f'<a href="{escape(shape.href)}" class="area-link"><title>{escape(title)}</title>'
        )
        for ring in rings:
            points = " ".join(xy(x, y) for x, y in ring)
            parts.append(
                f'<polygon points="{points}" fill="{colour}" stroke="#666" stroke-width="0.8"/>'
            )
        x, y = xy(lx, ly).split(",")
        parts.append(f'<text x="{x}" y="{y}" text-anchor="middle" fill="#222">')
        for index, line in enumerate(shape.lines):
            weight = ' font-weight="bold"' if index == 0 else ""
            dy = "0" if index == 0 else "1.2em"
            parts.append(f'<tspan x="{x}" dy="{dy}"{weight}>{escape(line)}</tspan>')
        parts.append("</text></a>")
    parts.append("</svg>")
    return "".join(parts)
