"""Small inline SVG for briefings: a monthly line chart and static maps (PDFs run no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.contrib.gis.geos import GEOSGeometry

from analytics.heatmap import to_metric

CHART_COLOURS = ("#c0392b", "#2c6fbb")


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    width: int = 640,
    height: int = 200,
) -> str:
    """A line chart with one y axis per series (left, right); ``None`` values leave a gap."""
    pad_l, pad_r, pad_t, pad_b = 44, 44, 24, 28
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    n = len(labels)
    step = plot_w / max(1, n - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" class="chart" font-size="11">',
        f'<rect x="{pad_l}" y="{pad_t}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#ccc"/>',
    ]
    for i, label in enumerate(labels):
        x = pad_l + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#555">'
            f"{escape(label)}</text>"
        )
    for index, (name, values) in enumerate(series[:2]):
        colour = CHART_COLOURS[index]
        known = [v for v in values if v is not None]
        if not known:
            continue
        low, high = min(known), max(known)
        if high == low:
            low, high = low - 1, high + 1
        y_of = lambda v, lo=low, hi=high: pad_t + plot_h * (1 - (v - lo) / (hi - lo))  # noqa: E731
        axis_x = pad_l - 4 if index == 0 else width - pad_r + 4
        anchor = "end" if index == 0 else "start"
        for value in (low, high):
            parts.append(
                f'<text x="{axis_x}" y="{y_of(value) + 4:.1f}" text-anchor="{anchor}" '
                f'fill="{colour}">{value:g}</text>'
            )
        points = [
            f"{pad_l + i * step:.1f},{y_of(v):.1f}" for i, v in enumerate(values) if v is not None
        ]
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
            'stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{pad_l + 6 + index * 160}" y="{pad_t - 8}" fill="{colour}">'
            f"— {escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def shapes_map(
    shapes: Sequence[tuple[GEOSGeometry, str, str]], *, width: int = 640, height: int = 460
) -> str:
    """Polygons (geometry, fill colour, title) drawn in EPSG:4544, north up, fitted to the box."""
    rings: list[tuple[list[tuple[float, float]], str, str]] = []
    for geometry, fill, title in shapes:
        for polygon in geometry:
            coords = polygon.exterior_ring.coords
            xs, ys = to_metric([c[0] for c in coords], [c[1] for c in coords])
            rings.append((list(zip(xs, ys, strict=True)), fill, title))
    if not rings:
        return ""
    all_x = [x for ring, _, _ in rings for x, _ in ring]
    all_y = [y for ring, _, _ in rings for _, y in ring]
    min_x, max_x, min_y, max_y = min(all_x), max(all_x), min(all_y), max(all_y)
    scale = min(width / (max_x - min_x), height / (max_y - min_y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'width="100%" class="map">'
    ]
    for ring, fill, title in rings:
        path = " ".join(
            f"{(x - min_x) * scale:.1f},{height - (y - min_y) * scale:.1f}" for x, y in ring
        )
        parts.append(
            f'<polygon points="{path}" fill="{fill}" stroke="#888" stroke-width="0.3">'
            f"<title>{escape(title)}</title></polygon>"
        )
    parts.append("</svg>")
    return "".join(parts)
