"""The boundary import report in the reader's language: text (the command), JSON (--report-json)
and HTML (the admin's import record).

Everything is built from the JSON-ready report stored on ``AreaImport.report`` (numbers, codes and
keys, no sentences), so the admin shows a stored import in the language of whoever reads it.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridmap.choices import AreaLevel
from gridmap.codes import NUMBER, PADDED, SCIENTIFIC
from gridmap.encodings import describe as describe_encoding
from gridmap.services import ImportResult, Problem

# Examples listed per kind of code note; the JSON report lists every note.
LISTED_EXAMPLES = 5


def level_name(level: str) -> str:
    """The level's name in the active language (the stored value when unknown)."""
    return str(AreaLevel(level).label) if level in AreaLevel.values else level


def headers() -> list[str]:
    """Column titles of the validation table."""
    return [
        _("level"),
        _("parents"),
        _("children"),
        _("largest share outside"),
        _("largest overlap"),
        _("largest share uncovered"),
    ]


def table_rows(report: dict) -> list[list[str]]:
    """One row per level of children: name, counts and the largest shares in percent."""
    return [
        [
            level_name(row["level"]),
            str(row["parents"]),
            str(row["children"]),
            f"{row['max_outside_pct']:.3f} %",
            f"{row['max_overlap_pct']:.3f} %",
            f"{row['max_uncovered_pct']:.3f} %",
        ]
        for row in report.get("levels", [])
    ]


def tolerance_line(report: dict) -> str:
    """The tolerances the import was checked against."""
    tolerances = report.get("tolerances", {})
    return _("Tolerances: outside ≤ %(o)g %%, overlap ≤ %(v)g %%, uncovered ≤ %(u)g %%.") % {
        "o": tolerances.get("max_outside_pct", 0),
        "v": tolerances.get("max_overlap_pct", 0),
        "u": tolerances.get("max_uncovered_pct", 0),
    }


def problem_lines(report: dict) -> list[str]:
    """Each broken tolerance as a sentence."""
    return [Problem(**problem).describe() for problem in report.get("problems", [])]


def repair_lines(report: dict) -> list[str]:
    """Each repaired geometry, naming the feature."""
    return [
        _("Repaired feature %(row)s (code %(code)s): %(reason)s") % repair
        for repair in report.get("repaired", [])
    ]


def note_lines(notes: list[dict]) -> list[str]:
    """What was done to codes on the way in, one sentence per kind with a few examples."""
    lines = []
    for kind, sentence in (
        (
            PADDED,
            lambda n: ngettext(
                "%(n)d code was padded to the 12-digit statistical code: %(examples)s.",
                "%(n)d codes were padded to the 12-digit statistical code: %(examples)s.",
                n,
            ),
        ),
        (
            NUMBER,
            lambda n: ngettext(
                "%(n)d code was stored as a number and read as its digits: %(examples)s.",
                "%(n)d codes were stored as numbers and read as their digits: %(examples)s.",
                n,
            ),
        ),
        (
            SCIENTIFIC,
            lambda n: ngettext(
                "%(n)d code was in scientific notation and read as the digits it shows; "
                "check it: %(examples)s.",
                "%(n)d codes were in scientific notation and read as the digits they show; "
                "check them: %(examples)s.",
                n,
            ),
        ),
    ):
        chosen = [note for note in notes if kind in note.get("kinds", [])]
        if chosen:
            examples = "; ".join(_example(note) for note in chosen[:LISTED_EXAMPLES])
            if len(chosen) > LISTED_EXAMPLES:
                examples += " …"
            lines.append(sentence(len(chosen)) % {"n": len(chosen), "examples": examples})
    return lines


def _example(note: dict) -> str:
    return _("feature %(row)d: %(given)s → %(code)s") % {
        "row": note["feature"],
        "given": note["given"],
        "code": note["code"],
    }


def text_report(report: dict) -> str:
    """The validation table and what the import noted, as plain text for the terminal."""
    rows = [headers(), *table_rows(report)]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [_pad(cell, width, left=i == 0) for i, (cell, width) in pairs]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("-" * _width(lines[0]))
    if not report.get("levels"):
        lines.append(_("(no parent with children was touched: nothing to compare)"))
    lines.append(tolerance_line(report))
    lines += repair_lines(report)
    lines += note_lines(report.get("notes", []))
    return "\n".join(lines)


def _width(text: str) -> int:
    # A Chinese character takes two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    space = " " * (width - _width(text))
    return text + space if left else space + text


def summary_line(result: ImportResult) -> str:
    """The counts of an import."""
    return _(
        "Created %(created)d, re-versioned %(updated)d, unchanged %(unchanged)d "
        "(names or figures updated: %(touched)d), repaired %(repaired)d, "
        "retired %(retired)d."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "touched": result.attributes_updated,
        "repaired": result.repaired,
        "retired": result.retired,
    }


def json_report(
    *,
    source: str,
    features: int,
    encoding: dict | None,
    source_crs: str,
    result: ImportResult | None = None,
    report: dict | None = None,
    errors: list[dict] | None = None,
) -> dict[str, object]:
    """The --report-json document: keys in English for programs, every text in the active
    language; ``errors`` as {"feature", "code", "reason"} when nothing was imported."""
    report = report or (result.report.as_dict() if result else {})
    notes = list(result.notes) if result else []
    document: dict[str, object] = {
        "source": source,
        "features": features,
        "imported": bool(result and not result.dry_run),
        "dry_run": bool(result and result.dry_run),
        "source_crs": source_crs,
        "encoding": {**encoding, "text": describe_encoding(encoding)} if encoding else None,
        "errors": errors or [],
        "notes": [{**note, "text": _example(note)} for note in notes],
        "note_summary": note_lines(notes),
        "validation": {
            "headers": headers(),
            "levels": [
                {**level, "level_name": level_name(level["level"])}
                for level in report.get("levels", [])
            ],
            "problems": problem_lines(report),
            "repaired": repair_lines(report),
            "tolerances": tolerance_line(report) if report else "",
        },
    }
    if result is not None:
        document.update(
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            repaired=result.repaired,
            attributes_updated=result.attributes_updated,
            retired=result.retired,
            import_id=result.import_id,
            summary=summary_line(result),
        )
    return document


def html_report(report: dict) -> SafeString:
    """The stored report for the admin: encoding, notes, the validation table, repairs."""
    paragraphs = []
    if report.get("encoding"):
        paragraphs.append(describe_encoding(report["encoding"]))
    paragraphs += note_lines(report.get("notes", []))
    head = format_html_join("", "<th scope='col'>{}</th>", ((title,) for title in headers()))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),)
            for row in table_rows(report)
        ),
    )
    after = [tolerance_line(report), *problem_lines(report), *repair_lines(report)]
    if "retired" in report:
        after.append(
            _("Names or figures updated: %(touched)d; retired: %(retired)d; valid from %(date)s.")
            % {
                "touched": report.get("attributes_updated", 0),
                "retired": report["retired"],
                "date": report.get("valid_from", ""),
            }
        )
    return format_html(
        '<div class="import-report">{}<table><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>{}</div>",
        format_html_join("", "<p>{}</p>", ((text,) for text in paragraphs)),
        head,
        body,
        format_html_join("", "<p>{}</p>", ((text,) for text in after)),
    )
