"""The summary of a network as plain-text lines: import_roads and load_demo_roads print it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridmap.demo.table import text_table
from roads.choices import RoadClass
from roads.models import RoadNetwork

# Small components and unjoined crossings printed (the report keeps more).
PRINTED = 10


def summary_lines(network: RoadNetwork) -> list[str]:
    """Edges, nodes, components, km per class, what noding did and what was left out."""
    report = network.report
    labels = dict(RoadClass.choices)
    rows = [(_("class"), _("edges"), "km")]
    for road_class, figures in report.get("classes", {}).items():
        rows.append((str(labels[road_class]), f"{figures['edges']:,}", f"{figures['km']:,.1f}"))
    rows.append((_("all"), f"{network.edge_count:,}", f"{report.get('km', 0):,.1f}"))
    lines = text_table(rows, right=(1, 2))
    noding = report.get("noding", {})
    components = report.get("components", {})
    lines.append(
        _(
            "%(edges)d edges, %(nodes)d nodes, %(components)d connected components (the largest "
            "holds %(share).1f %% of the length)."
        )
        % {
            "edges": network.edge_count,
            "nodes": network.node_count,
            "components": network.component_count,
            "share": 100 * components.get("largest_share_of_length", 0),
        }
    )
    lines.append(
        _(
            "Noding: %(crossings)d cuts at crossings, %(shared)d at shared vertices, "
            "%(snapped)d road ends joined to a road within %(tolerance)g m; %(unjoined)d "
            "crossings of expressways or bridges left without a junction."
        )
        % {
            "crossings": noding.get("crossings_noded", 0),
            "shared": noding.get("shared_vertices", 0),
            "snapped": noding.get("t_junctions_snapped", 0),
            "tolerance": report.get("snap_tolerance_m", 0),
            "unjoined": noding.get("crossings_not_joined", 0),
        }
    )
    for small in components.get("small", [])[:PRINTED]:
        lines.append(
            "  " + _("disconnected: %(edges)d edges, %(km).2f km near %(lon).5f, %(lat).5f") % small
        )
    more = len(components.get("small", [])) - PRINTED + components.get("small_not_listed", 0)
    if more > 0:
        lines.append("  " + _("… and %(n)d more small components.") % {"n": more})
    for label, count in report.get("skipped", {}).items():
        lines.append(_("Left out: %(what)s × %(n)d") % {"what": label, "n": count})
    for value, count in report.get("oneway_not_understood", {}).items():
        lines.append(
            _("One-way value %(value)r not understood (read as both ways) × %(n)d")
            % {"value": value, "n": count}
        )
    return lines
