"""Briefings rendered: the HTML document (folium maps) and the PDF (WeasyPrint, Noto CJK)."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from analytics import maps
from analytics.briefing import Briefing, add_maps
from analytics.choices import GI_BIN_LABELS

SITE_FRAME = "analytics/_briefing_site.html"
LEAFLET_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "leaflet"
# An exported briefing opens offline: Leaflet is copied next to it.
LOCAL_LEAFLET = ("assets/leaflet/leaflet.js", "assets/leaflet/leaflet.css")


def _context(briefing: Briefing, *, pdf: bool) -> dict:
    return {
        "b": briefing,
        "pdf": pdf,
        "heat_png_b64": base64.b64encode(briefing.heat_png).decode() if pdf else "",
        "legend": [(maps.BIN_COLOURS[k], GI_BIN_LABELS[k]) for k in (3, 2, 1, -1, -2, -3)],
    }


def html(
    briefing: Briefing,
    *,
    leaflet: maps.Leaflet,
    nonce: str = "",
    request: HttpRequest | None = None,
) -> str:
    """The HTML briefing; its maps load Leaflet from ``leaflet`` (script and CSS URLs), and their
    inline scripts carry ``nonce`` when served under the site's Content-Security-Policy. With a
    ``request`` it is a page of the site (header, navigation, favicon); without, a plain document
    (stored and exported briefings)."""
    with translation.override(settings.LANGUAGE_CODE):
        add_maps(briefing, leaflet, nonce=nonce)
        context = _context(briefing, pdf=False)
        if request is not None:
            context["frame"] = SITE_FRAME
        return render_to_string("analytics/briefing.html", context, request=request)


def pdf(briefing: Briefing) -> bytes:
    """The PDF briefing: static maps (PNG density, SVG hot spots and index), Chinese text."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s at start-up

    with translation.override(settings.LANGUAGE_CODE):
        document = render_to_string("analytics/briefing.html", _context(briefing, pdf=True))
    return HTML(string=document, base_url=str(settings.BASE_DIR)).write_pdf()


def write(briefing: Briefing, directory: Path) -> list[Path]:
    """briefing.html (with its Leaflet copied to assets/leaflet/) and briefing.pdf in a folder."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"briefing-{briefing.area.code}-{briefing.period.label}"
    assets = directory / "assets" / "leaflet"
    shutil.copytree(LEAFLET_DIR, assets, dirs_exist_ok=True)
    html_path = directory / f"{stem}.html"
    html_path.write_text(html(briefing, leaflet=LOCAL_LEAFLET), encoding="utf-8")
    pdf_path = directory / f"{stem}.pdf"
    pdf_path.write_bytes(pdf(briefing))
    return [html_path, pdf_path]
