"""Write paths of the grid network. ``import_areas`` is the one way boundaries get written.

The importer by capability: ``results`` (tolerances, reports, errors), ``features`` (reading and
cleaning the frame), ``planning`` (comparing with the database), ``writing`` (create, re-version,
retire), ``validation`` (the tree checked in PostGIS) and ``importing`` (the write path itself).
Every public name is importable from here, as before the split.
"""

from gridmap.services.importing import import_areas
from gridmap.services.results import (
    DEFAULT_TOLERANCES,
    DISPLAY_TOLERANCE_DEGREES,
    MAX_LISTED_ERRORS,
    OPTIONAL_FIELDS,
    SAME_BOUNDARY_DEGREES,
    AreaImportError,
    ImportRefusedError,
    ImportResult,
    InvalidFeaturesError,
    LevelReport,
    Problem,
    Tolerances,
    ValidationReport,
)

__all__ = [
    "DEFAULT_TOLERANCES",
    "DISPLAY_TOLERANCE_DEGREES",
    "MAX_LISTED_ERRORS",
    "OPTIONAL_FIELDS",
    "SAME_BOUNDARY_DEGREES",
    "AreaImportError",
    "ImportRefusedError",
    "ImportResult",
    "InvalidFeaturesError",
    "LevelReport",
    "Problem",
    "Tolerances",
    "ValidationReport",
    "import_areas",
]
