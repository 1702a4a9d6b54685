"""Intake input: what every intake path sends, and the field-by-field checks of it.

The checks collect every problem in one ``errors`` dict (field → messages) instead of stopping
at the first, so a form or an API client learns everything that is wrong at once. They write
nothing; incidents.services.take_in stores a request only when the dict stays empty.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridmap.coords import CoordinateError, InputCRS, parse_point
from gridmap.models import AREA_SHAPE_FIELDS, Area
from gridmap.queries import locate, nearest_grid
from gridmap.scoping import far_point_message
from incidents.choices import IncidentKind, PartyRole, Source, Tier
from incidents.models import Category, Incident
from incidents.photos import (
    MAX_PHOTOS,
    PhotoError,
    PreparedPhoto,
    declared_pixels,
    max_request_pixels,
    prepare_photo,
)
from incidents.queries import visible_incidents

TITLE_MAX = 100
DESCRIPTION_MAX = 5000
ADDRESS_MAX = 200
PARTY_NAME_MAX = 50
MAX_POINTS = 20
# Parties of one matter: the window form offers five rows; the API takes no more.
MAX_PARTIES = 5
# A phone's clock may run this much ahead of the server's before its times are refused.
DEVICE_CLOCK_SKEW = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class PartyInput:
    """One party as the intake forms and the API send it."""

    name: str
    phone: str = ""
    id_number: str = ""
    role: str = PartyRole.APPLICANT


@dataclass(frozen=True)
class PhotoInput:
    """An uploaded file as the views hand it over."""

    file: object  # a file-like object opened for binary reading
    name: str = ""
    size: int | None = None


@dataclass(frozen=True)
class IntakeRequest:
    """What every intake path (field form, window form, API) sends, not yet validated."""

    category: str
    tier: str
    title: str
    description: str
    points: Sequence[tuple[object, object]]
    kind: str = ""
    crs: str = InputCRS.WGS84
    source: str = Source.FIELD
    uid: uuid.UUID | str | None = None
    address: str = ""
    accuracy_m: object = None
    parties: Sequence[PartyInput] = ()
    photos: Sequence[PhotoInput] = ()
    multi_department: bool = False
    duplicate_of: int | None = None
    # The phone's clock: when it took the GPS fix, and when the reporter pressed send (offline
    # reports arrive later). Datetimes or ISO 8601 text; None when the client did not say.
    located_at: object = None
    reported_at: object = None


@dataclass(frozen=True)
class Located:
    """One reported point, converted, with the grid it lies in (or the nearest one)."""

    point: Point
    grid: Area
    outside_m: float | None


@dataclass(frozen=True)
class CheckedIntake:
    """A request whose fields passed their checks: cleaned values, points located, photos ready."""

    category: Category
    tier: str
    source: str
    title: str
    description: str
    address: str
    accuracy_m: float | None
    input_crs: str
    located: list[Located]
    parties: list[PartyInput]
    photos: list[PreparedPhoto]
    duplicate_of: Incident | None
    located_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None


def check_request(
    request: IntakeRequest, reporter: object
) -> tuple[CheckedIntake, dict[str, list[str]]]:
    """Every field of ``request`` checked; the errors dict is empty when all passed."""
    errors: dict[str, list[str]] = {}
    checked = CheckedIntake(
        category=_valid_category(request, errors),
        tier=_valid_choice(request.tier, Tier, "tier", errors),
        source=_valid_choice(request.source, Source, "source", errors),
        title=_valid_text(request.title, "title", TITLE_MAX, errors),
        description=_valid_text(request.description, "description", DESCRIPTION_MAX, errors),
        address=_valid_text(request.address, "address", ADDRESS_MAX, errors, required=False),
        accuracy_m=_valid_accuracy(request.accuracy_m, errors),
        input_crs=_crs_name(request.crs),
        located=_valid_locations(request, reporter, errors),
        parties=_valid_parties(request.parties, errors),
        photos=_valid_photos(request.photos, errors),
        duplicate_of=_valid_duplicate_of(request.duplicate_of, reporter, errors),
        located_at=valid_device_time(request.located_at, "located_at", errors),
        reported_at=valid_device_time(request.reported_at, "reported_at", errors),
    )
    return checked, errors


def valid_device_time(
    raw: object, name: str, errors: dict[str, list[str]], *, now: dt.datetime | None = None
) -> dt.datetime | None:
    """A time by the phone's clock: aware, and not later than the server's clock allows."""
    if raw in (None, ""):
        return None
    try:
        value = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw).strip())
    except ValueError:  # well formed but impossible, e.g. month 13
        value = None
    if value is None:
        errors[name] = [_("Send the time as ISO 8601 text, e.g. 2026-05-01T08:30:00+08:00.")]
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > (now or timezone.now()) + DEVICE_CLOCK_SKEW:
        errors[name] = [_("This time lies in the future: check the phone's date and time.")]
        return None
    return value


def _crs_name(raw: object) -> str:
    # parse_point accepts any case and spacing; the stored choice is the canonical name.
    return str(raw or InputCRS.WGS84).strip().lower()


def _valid_category(request: IntakeRequest, errors: dict[str, list[str]]) -> Category:
    category = Category.objects.filter(
        code=str(request.category or "").strip(), active=True
    ).first()
    if category is None:
        errors["category"] = [
            _("Unknown category %(code)r.") % {"code": request.category}
            if request.category
            else _("Choose a category.")
        ]
        return None  # type: ignore[return-value]
    if request.kind and request.kind != category.kind:
        if request.kind not in IncidentKind.values:
            errors["kind"] = [_("Unknown kind %(kind)r.") % {"kind": request.kind}]
        else:
            errors["category"] = [
                _("Category %(category)s is not of kind %(kind)s.")
                % {"category": category.label, "kind": IncidentKind(request.kind).label}
            ]
    return category


def _valid_choice(raw: str, choices: type, name: str, errors: dict[str, list[str]]) -> str:
    value = str(raw or "").strip()
    if value not in choices.values:  # type: ignore[attr-defined]
        errors[name] = [
            _("%(field)s must be one of %(allowed)s.")
            % {"field": name, "allowed": ", ".join(choices.values)}  # type: ignore[attr-defined]
        ]
    return value


def _valid_text(
    raw: object, name: str, limit: int, errors: dict[str, list[str]], *, required: bool = True
) -> str:
    # Text is stored exactly as typed (HTML included) and escaped wherever it is shown.
    text = str(raw or "").strip()
    if not text and required:
        errors[name] = [_("This field is required.")]
    elif len(text) > limit:
        errors[name] = [
            _("At most %(limit)d characters (this has %(count)d).")
            % {"limit": limit, "count": len(text)}
        ]
    return text


def _valid_accuracy(raw: object, errors: dict[str, list[str]]) -> float | None:
    if raw in (None, ""):
        return None
    try:
        if isinstance(raw, bool):
            raise TypeError(raw)
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors["accuracy_m"] = [_("Accuracy must be a number of metres.")]
        return None
    if not 0 <= value < 100_000:
        errors["accuracy_m"] = [_("Accuracy must be between 0 and 100,000 m.")]
        return None
    return value


def _valid_locations(
    request: IntakeRequest, reporter: object, errors: dict[str, list[str]]
) -> list[Located]:
    if not request.points:
        errors["location"] = [_("Give the location: a GPS fix or a point picked on the map.")]
        return []
    if len(request.points) > MAX_POINTS:
        errors["location"] = [_("At most %(count)d locations.") % {"count": MAX_POINTS}]
        return []
    points = []
    for raw in request.points:
        try:
            raw_lon, raw_lat = raw  # type: ignore[misc]
            lonlat = parse_point(raw_lon, raw_lat, request.crs)
        except CoordinateError as error:
            errors["location"] = [error.message]
            return []
        except (TypeError, ValueError):
            errors["location"] = [_("Each location is a pair of numbers: lon, lat.")]
            return []
        points.append((lonlat.lon, lonlat.lat))
    far = far_point_message(reporter, points)
    if far is not None:
        errors["location"] = [far]
        return []
    located = [_locate_point(lon, lat, errors) for lon, lat in points]
    if "location" in errors:
        return []
    return located


_CHAIN_PATHS = ("", "parent__", "parent__parent__", "parent__parent__parent__")


def _locate_point(lon: float, lat: float, errors: dict[str, list[str]]) -> Located:
    point = Point(lon, lat, srid=4326)
    hit = locate(lon, lat)
    if hit is not None:
        grid_code, outside_m = hit.grid.code, None
    else:
        # Outside every grid: kept where it was reported, tied to the nearest grid and flagged.
        nearest = nearest_grid(lon, lat)
        if nearest is None:
            errors["location"] = [_("No grid network is loaded; matters cannot be located.")]
            return Located(point, None, None)  # type: ignore[arg-type]
        grid_code, outside_m = nearest.grid.code, round(nearest.distance_m, 1)
    grid = (
        Area.objects.select_related("parent__parent__parent")
        .defer(*(f"{path}{name}" for path in _CHAIN_PATHS for name in AREA_SHAPE_FIELDS))
        .get(code=grid_code)
    )
    return Located(point, grid, outside_m)


def _valid_parties(parties: Sequence[PartyInput], errors: dict[str, list[str]]) -> list[PartyInput]:
    if len(parties) > MAX_PARTIES:
        errors["parties"] = [_("At most %(count)d parties.") % {"count": MAX_PARTIES}]
        return []
    cleaned = [
        PartyInput(
            name=str(p.name or "").strip(),
            phone=str(p.phone or "").strip(),
            id_number=str(p.id_number or "").strip().upper(),
            role=str(p.role or PartyRole.APPLICANT),
        )
        for p in parties
    ]
    messages = [
        message
        for index, party in enumerate(cleaned, start=1)
        for message in _party_problems(index, party)
    ]
    if messages:
        errors["parties"] = messages
    return cleaned


def _party_problems(index: int, party: PartyInput) -> list[str]:
    """What is wrong with one (cleaned) party, each message naming the party by number."""
    problems = []
    if not party.name:
        problems.append(_("Party %(n)d has no name.") % {"n": index})
    elif len(party.name) > PARTY_NAME_MAX:
        problems.append(
            _("Party %(n)d: the name has more than %(limit)d characters.")
            % {"n": index, "limit": PARTY_NAME_MAX}
        )
    if party.role not in PartyRole.values:
        problems.append(_("Party %(n)d has an unknown role.") % {"n": index})
    phone = party.phone
    if phone and not (phone.replace("-", "").isdigit() and 5 <= len(phone) <= 20):
        problems.append(_("Party %(n)d: the phone number is not valid.") % {"n": index})
    if party.id_number and not _valid_id_number(party.id_number):
        problems.append(
            _("Party %(n)d: the ID number is not a valid 18-character resident ID.") % {"n": index}
        )
    return problems


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _valid_id_number(value: str) -> bool:
    """GB 11643: 17 digits and a check character (ISO 7064 MOD 11-2)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def _valid_photos(
    photos: Sequence[PhotoInput], errors: dict[str, list[str]]
) -> list[PreparedPhoto]:
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(count)d photos.") % {"count": MAX_PHOTOS}]
        return []
    # Decoding costs time in proportion to pixels: six 40-megapixel PNGs of a few KB each
    # would hold a worker for seconds. The headers are read first and the sum is capped.
    declared = sum(declared_pixels(photo.file) for photo in photos)  # type: ignore[arg-type]
    if declared > max_request_pixels():
        errors["photos"] = [
            _(
                "The photos hold %(total).0f megapixels together; at most %(limit).0f megapixels "
                "per report. Send fewer or smaller photos."
            )
            % {"total": declared / 1e6, "limit": max_request_pixels() / 1e6}
        ]
        return []
    prepared, messages = [], []
    for photo in photos:
        try:
            prepared.append(prepare_photo(photo.file, name=photo.name, size=photo.size))  # type: ignore[arg-type]
        except PhotoError as error:
            messages.append(str(error))
    if messages:
        errors["photos"] = messages
    return prepared


def _valid_duplicate_of(
    raw: int | None, reporter: object, errors: dict[str, list[str]]
) -> Incident | None:
    if raw in (None, ""):
        return None
    try:
        pk = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors["duplicate_of"] = [_("duplicate_of must be the number of a matter.")]
        return None
    original = visible_incidents(reporter).filter(pk=pk).first()
    if original is None:
        errors["duplicate_of"] = [_("No matter %(id)s that you can see.") % {"id": raw}]
    return original
