"""Taking in a matter (any path): validate, locate, route, store it with its parties, photos and
trail, and list the possible duplicates.

A retry with the same ``uid`` by the same reporter returns the stored record, never a second one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.contrib.gis.geos import MultiPoint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from gridmap.scoping import user_area
from incidents.choices import TIER_DEADLINE, EventKind, State
from incidents.intake import CheckedIntake, IntakeRequest, check_request
from incidents.models import Incident, Party, Photo
from incidents.photos import PreparedPhoto
from incidents.queries import DuplicateCandidate, possible_duplicates
from incidents.routing import routed_unit
from incidents.services.common import IncidentInputError, WorkflowError, _append

INTAKE_ROLES = {Role.GRID_LEADER, Role.DISPATCHER, Role.COUNTY_ADMIN}


class IntakeNotAllowedError(WorkflowError):
    """The user's role (or missing jurisdiction) does not allow taking in matters."""


@dataclass
class IntakeResult:
    incident: Incident
    created: bool
    duplicates: list[DuplicateCandidate] = field(default_factory=list)


def take_in(
    *, request: IntakeRequest, reporter: object, now: dt.datetime | None = None
) -> IntakeResult:
    """Take in one matter (any path): validate, locate, route, store with its trail.

    A request whose ``uid`` was already taken in by the same reporter returns that record
    unchanged (``created`` False): a phone retrying on a flaky network never makes a second one.
    """
    if getattr(reporter, "role", None) not in INTAKE_ROLES or user_area(reporter) is None:
        raise IntakeNotAllowedError(_("Your role cannot take in matters."))
    uid = _parse_uid(request.uid)
    existing = _existing_for_retry(uid, reporter)
    if existing is not None:
        return IntakeResult(existing, created=False)
    checked, errors = check_request(request, reporter)
    if errors:
        raise IncidentInputError(errors)
    received_at = now or timezone.now()
    incident = _new_incident(checked, uid=uid, reporter=reporter, request=request, at=received_at)
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            _store_intake(incident, checked, stored_files)
    except IntegrityError:
        _delete_files(stored_files)
        # Two copies of one retry raced past the lookup above; the first insert won.
        existing = _existing_for_retry(uid, reporter)
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    except BaseException:
        _delete_files(stored_files)
        raise
    duplicates = possible_duplicates(
        category=checked.category,
        points=[hit.point for hit in checked.located],
        user=reporter,
        now=received_at,
        exclude_id=incident.pk,
    )
    return IntakeResult(incident, created=True, duplicates=duplicates)


def _new_incident(
    checked: CheckedIntake,
    *,
    uid: uuid.UUID,
    reporter: object,
    request: IntakeRequest,
    at: dt.datetime,
) -> Incident:
    """The unsaved matter, routed by the rule and located by its first point."""
    unit = routed_unit(
        [hit.grid.code for hit in checked.located], multi_department=request.multi_department
    )
    first = checked.located[0]
    return Incident(
        uid=uid,
        kind=checked.category.kind,
        category=checked.category,
        tier=checked.tier,
        title=checked.title,
        description=checked.description,
        address=checked.address,
        location=first.point,
        locations=MultiPoint([hit.point for hit in checked.located], srid=4326),
        input_crs=checked.input_crs,
        location_accuracy_m=checked.accuracy_m,
        located_at=checked.located_at,
        reported_at=checked.reported_at,
        grid=first.grid,
        village=first.grid.parent,
        township=first.grid.parent.parent,
        county=first.grid.parent.parent.parent,
        outside_grid=first.outside_m is not None,
        outside_distance_m=first.outside_m,
        source=checked.source,
        reporter=reporter,
        multi_department=request.multi_department,
        handling_unit=unit,
        state=State.RECEIVED,
        duplicate_of=checked.duplicate_of,
        received_at=at,
        due_at=at + TIER_DEADLINE[checked.tier],
    )


def _store_intake(incident: Incident, checked: CheckedIntake, stored_files: list[str]) -> None:
    """Save the matter, its parties and photos, and the intake event (inside one transaction)."""
    incident.save()
    Party.objects.bulk_create(
        Party(incident=incident, name=p.name, phone=p.phone, id_number=p.id_number, role=p.role)
        for p in checked.parties
    )
    for photo in checked.photos:
        _store_photo(incident, photo, incident.reporter, incident.received_at, stored_files)
    _append(
        incident,
        actor=incident.reporter,
        kind=EventKind.INTAKE,
        to_state=State.RECEIVED,
        at=incident.received_at,
        data={
            "source": incident.source,
            "handling_unit": incident.handling_unit.code,
            "outside_grid_m": incident.outside_distance_m,
            "input_crs": incident.input_crs,
            "duplicate_of": incident.duplicate_of_id,
        },
    )


def _parse_uid(raw: uuid.UUID | str | None) -> uuid.UUID:
    if raw is None or raw == "":
        return uuid.uuid4()
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise IncidentInputError({"uid": [_("uid must be a UUID.")]}) from None


def _existing_for_retry(uid: uuid.UUID, reporter: object) -> Incident | None:
    existing = Incident.objects.filter(uid=uid).first()
    if existing is None:
        return None
    if existing.reporter_id != getattr(reporter, "pk", None):
        raise IncidentInputError(
            {"uid": [_("This uid belongs to a matter taken in by someone else; send a new one.")]}
        )
    return existing


def _store_photo(
    incident: Incident, photo: PreparedPhoto, actor: object, at: dt.datetime, stored: list[str]
) -> None:
    record = Photo(
        incident=incident,
        width=photo.width,
        height=photo.height,
        size_bytes=len(photo.content),
        uploaded_by=actor,
        uploaded_at=at,
    )
    record.image.save("photo.jpg", ContentFile(photo.content), save=False)
    # Noted before the row is saved: if the save fails, the caller still removes the file.
    stored.append(record.image.name)
    record.save()


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
