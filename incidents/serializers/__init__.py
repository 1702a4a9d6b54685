"""Serializers of the incidents API: GeoJSON features out, GeoJSON features and parameters in.

A package split by capability: features (lists, maps), detail (one matter in full), catalog
(code tables, errors) and inputs. Every serializer stays importable from here.
"""

from incidents.serializers.catalog import (
    CategorySerializer,
    ErrorSerializer,
    HandlingUnitSerializer,
)
from incidents.serializers.detail import (
    DuplicateSerializer,
    EventSerializer,
    IncidentCreatedSerializer,
    IncidentDetailSerializer,
    PartySerializer,
    PhotoSerializer,
)
from incidents.serializers.features import (
    LIST_FIELDS,
    IncidentFeatureSerializer,
    IncidentRefSerializer,
)
from incidents.serializers.inputs import (
    ActionInputSerializer,
    DuplicateQuerySerializer,
    IncidentFeatureInputSerializer,
    IncidentMultipartInputSerializer,
    IncidentPropertiesInputSerializer,
    PartyInputSerializer,
    PointGeometryInputSerializer,
)

__all__ = [
    "LIST_FIELDS",
    "ActionInputSerializer",
    "CategorySerializer",
    "DuplicateQuerySerializer",
    "DuplicateSerializer",
    "ErrorSerializer",
    "EventSerializer",
    "HandlingUnitSerializer",
    "IncidentCreatedSerializer",
    "IncidentDetailSerializer",
    "IncidentFeatureInputSerializer",
    "IncidentFeatureSerializer",
    "IncidentMultipartInputSerializer",
    "IncidentPropertiesInputSerializer",
    "IncidentRefSerializer",
    "PartyInputSerializer",
    "PartySerializer",
    "PhotoSerializer",
    "PointGeometryInputSerializer",
]
