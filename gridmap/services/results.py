"""Results, errors and constants of the area importer (tolerances, validation report)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from gridmap.choices import (
    AreaLevel,
)

# Display boundaries are simplified per level with coverage simplification (shared edges of
# siblings stay together). The tolerance is in degrees, roughly the square root of the largest
# triangle removed: 0.0001° ≈ 10 m near Longxi. Lookups always use the full boundary.
DISPLAY_TOLERANCE_DEGREES: dict[str, float] = {
    AreaLevel.COUNTY: 0.0005,
    AreaLevel.TOWNSHIP: 0.0002,
    AreaLevel.VILLAGE: 0.0001,
    AreaLevel.GRID: 0.00002,
}
# Two boundaries are the same when they match vertex by vertex (after normalising ring order and
# start points, which Shapefiles change) within this distance, about 1 cm, or failing that when no
# point of either lies farther than it from the other.
SAME_BOUNDARY_DEGREES = 1e-7
OPTIONAL_FIELDS = ("population", "households", "synthetic")
MAX_LISTED_ERRORS = 50
_POLYGONAL = ("Polygon", "MultiPolygon")
_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}
# Serialises imports: two imports planning against the same rows would both pass their checks.
_IMPORT_LOCK_KEY = 621_122_001


# --- results and errors -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerances:
    """The largest validation shares, in percent, that an import accepts."""

    max_outside_pct: float = 0.1  # of a child's area lying outside its parent
    max_overlap_pct: float = 0.1  # of a parent's area claimed by two of its children
    max_uncovered_pct: float = 1.0  # of a parent's area covered by none of its children


DEFAULT_TOLERANCES = Tolerances()


@dataclass(frozen=True)
class Problem:
    """One validation share above its tolerance."""

    check: str  # outside | overlap | uncovered
    level: str  # the level of the children checked
    code: str  # the child (outside), a sibling (overlap) or the parent (uncovered)
    other: str  # the parent (outside), the other sibling (overlap), "" (uncovered)
    share_pct: float
    limit_pct: float
    area_m2: float

    def describe(self) -> str:
        """A sentence naming the areas and the numbers."""
        values = {
            "code": self.code,
            "other": self.other,
            "share": f"{self.share_pct:.3f}",
            "limit": f"{self.limit_pct:g}",
            "m2": f"{self.area_m2:,.0f}",
        }
        if self.check == "outside":
            text = _("%(code)s lies %(share)s %% outside its parent %(other)s (%(m2)s m²)")
        elif self.check == "overlap":
            text = _("%(code)s and %(other)s overlap on %(share)s %% of their parent (%(m2)s m²)")
        else:
            text = _("%(share)s %% of %(code)s is covered by none of its children (%(m2)s m²)")
        return (text + "; " + _("tolerance %(limit)s %%.")) % values


@dataclass
class LevelReport:
    """Validation figures for the children of one level under the parents an import touched."""

    level: str
    parents: int = 0
    children: int = 0
    max_outside_pct: float = 0.0
    max_outside_code: str = ""
    max_overlap_pct: float = 0.0
    max_overlap_codes: str = ""
    max_uncovered_pct: float = 0.0
    max_uncovered_code: str = ""


@dataclass
class ValidationReport:
    """What PostGIS found after writing: per level figures, broken tolerances, repairs."""

    tolerances: Tolerances
    levels: list[LevelReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repaired: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, stored on AreaImport.report."""
        return asdict(self)


@dataclass(frozen=True)
class ImportResult:
    """What an import did; ``updated`` counts boundaries re-versioned."""

    created: int
    updated: int
    unchanged: int
    repaired: int
    attributes_updated: int
    retired: int
    report: ValidationReport
    import_id: int | None
    dry_run: bool
    # What was done to codes on the way in (padded, read from numbers): gridmap.codes kinds.
    notes: tuple[dict[str, object], ...] = ()


class AreaImportError(Exception):
    """An import that wrote nothing; ``messages`` name the features or areas concerned, and
    ``items`` hold them as {"feature", "code", "reason"} where a feature is concerned."""

    def __init__(self, messages: list[str], items: list[dict[str, object]] | None = None) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages
        self.items = items if items is not None else [{"reason": m} for m in messages]


class InvalidFeaturesError(AreaImportError):
    """Input that breaks a rule: a column, a code, a geometry or the tree."""


class ImportRefusedError(AreaImportError):
    """The written boundaries broke a validation tolerance; the transaction was rolled back."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__([problem.describe() for problem in report.problems])
