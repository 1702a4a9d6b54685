"""Stored briefings read back: where their files are, which a user may see, the HTML as served.

Kept apart from analytics.scheduled (which builds briefings): the pages that list and serve
stored files must not load the briefing stack (scipy, h3, folium).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.html import escape
from django.utils.translation import gettext as _

from analytics.models import StoredBriefing
from analytics.periods import Period
from gridmap.models import Area
from gridmap.scoping import scope

# A stored HTML briefing is written with these marks where its maps name Leaflet and carry the
# CSP nonce; both are filled in when it is served, so a stored file keeps working after the
# static files' hashed names change, and each response has its own nonce.
NONCE_MARK = "BRIEFINGCSPNONCEMARK"
LEAFLET_MARKS = ("BRIEFING-LEAFLET-JS-MARK", "BRIEFING-LEAFLET-CSS-MARK")
LIST_LIMIT = 100


def briefings_root() -> Path:
    """The folder of stored briefings: BRIEFINGS_ROOT, or MEDIA_ROOT/briefings."""
    configured = getattr(settings, "BRIEFINGS_ROOT", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "briefings"


def file_stem(area: Area, period: Period) -> str:
    """``briefing-621122100000-2026-11``: digits, letters and hyphens only (safe file names)."""
    return f"briefing-{area.code}-{period.label}"


def relative_paths(area: Area, period: Period) -> tuple[str, str]:
    """The HTML and PDF paths of a briefing, relative to briefings_root()."""
    stem = file_stem(area, period)
    return f"{period.label}/{stem}.html", f"{period.label}/{stem}.pdf"


def file_path(relative: str) -> Path:
    """The absolute path of a stored file; Http404 if it is gone or would lie outside the root."""
    root = briefings_root().resolve()
    path = (root / relative).resolve()
    # The stored paths are built from codes and labels only; this guards against an edited row.
    if root not in path.parents or not path.is_file():
        raise Http404(_("The briefing's file is missing."))
    return path


def visible_briefings(user: object) -> QuerySet[StoredBriefing]:
    """Stored briefings of the user's jurisdiction (their area and every area below it)."""
    rows = StoredBriefing.objects.select_related("area").defer(
        "area__boundary", "area__display_boundary", "area__label_point"
    )
    return scope(rows, user)


def latest_for(user: object) -> list[StoredBriefing]:
    """The newest stored briefings a user may open, newest period first (the analytics page)."""
    rows = visible_briefings(user).order_by("-period_start", "-period_end", "area__code")
    return list(rows[:LIST_LIMIT])


def served_html(stored: StoredBriefing, *, leaflet: tuple[str, str], nonce: str) -> str:
    """The stored HTML with this site's Leaflet URLs and this response's CSP nonce filled in."""
    text = file_path(stored.html_path).read_text(encoding="utf-8")
    # The marks sit inside srcdoc attributes: the values go in escaped, as the template would.
    for mark, url in zip(LEAFLET_MARKS, leaflet, strict=True):
        text = text.replace(mark, escape(url))
    return text.replace(NONCE_MARK, escape(nonce))
