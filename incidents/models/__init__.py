"""Matters the center handles: categories, handling units, incidents, parties, photos, the trail.

A package split by capability (code tables, the matter, what is recorded about it, the tally of
handled matters); every model stays importable from ``incidents.models`` and keeps its app
label, table and migrations.
"""

from incidents.models.catalog import Category, HandlingUnit
from incidents.models.incident import Incident
from incidents.models.records import IncidentEvent, Party, Photo, photo_path
from incidents.models.tally import HandledTally

__all__ = [
    "Category",
    "HandledTally",
    "HandlingUnit",
    "Incident",
    "IncidentEvent",
    "Party",
    "Photo",
    "photo_path",
]
