"""Rosters of responder units (调解员, 心理咨询师, 律师, 调委会) and of volunteer squads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.crypto import keyed_hash, normalise_phone
from onboarding.choices import ImportKind
from onboarding.columns import Columns
from onboarding.models import ImportBatch, ImportedPerson
from onboarding.passwords import IssuedPassword
from onboarding.people import RowReader
from onboarding.places import AreaIndex, Place
from onboarding.report import Report
from onboarding.skills import CategoryMatcher
from onboarding.validators import (
    CellError,
    clean_text,
    parse_flag,
    parse_id_number,
    parse_mobile,
    parse_positive_int,
    split_list,
)
from volunteers.choices import ResponderKind, TravelMode
from volunteers.models import Responder, Volunteer

UNIT_KINDS: dict[str, str] = {
    "调解员": ResponderKind.MEDIATOR, "人民调解员": ResponderKind.MEDIATOR,
    "专职调解员": ResponderKind.MEDIATOR, "兼职调解员": ResponderKind.MEDIATOR,
    "心理咨询师": ResponderKind.COUNSELLOR, "心理咨询": ResponderKind.COUNSELLOR,
    "心理服务": ResponderKind.COUNSELLOR, "律师": ResponderKind.LAWYER,
    "法律顾问": ResponderKind.LAWYER, "调委会": ResponderKind.COMMITTEE,
    "调解委员会": ResponderKind.COMMITTEE, "行业性调解委员会": ResponderKind.COMMITTEE,
    "行业调委会": ResponderKind.COMMITTEE, "志愿服务队": ResponderKind.SQUAD,
    "服务队": ResponderKind.SQUAD,
}  # fmt: skip
TRAVEL_MODES: dict[str, str] = {
    "步行": TravelMode.WALK, "自行车": TravelMode.BIKE, "电动车": TravelMode.BIKE,
    "电瓶车": TravelMode.BIKE, "摩托车": TravelMode.BIKE, "汽车": TravelMode.CAR,
    "开车": TravelMode.CAR, "驾车": TravelMode.CAR, "车辆": TravelMode.CAR,
}  # fmt: skip
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def parse_unit_phone(value: object) -> str:
    """A unit's phone: a mobile number, or a landline with its area code (0932-1234567)."""
    text = re.sub(r"\s+", "", clean_text(value))
    if _LANDLINE.match(text):
        return text
    return parse_mobile(value)  # type: ignore[arg-type]


def _choice(table: dict[str, str], choices: list[tuple[str, object]], text: str) -> str | None:
    if text in table:
        return table[text]
    for value, label in choices:
        if text in (value, str(label)):
            return value
    return None


def _skills(reader: RowReader, matcher: CategoryMatcher) -> set[int] | None:
    """Category ids of the skills cell (None when the column is empty); unknown ones warned."""
    items = split_list(reader.columns.value(reader.cells, "skills"))
    if not items:
        return None
    found = set()
    for item in items:
        category = matcher.find(item)
        if category is None:
            reader.report.warn(
                reader.row,
                reader.columns.header_of("skills"),
                _("%(skill)s is not in the category table; left out.") % {"skill": item},
            )
        else:
            found.add(category.pk)
    return found


@dataclass
class UnitRow:
    row: int
    name: str
    kind: str
    capacity: int
    phone: str
    travel_mode: str | None
    area: Place
    skills: set[int] | None
    unit: Responder | None = None
    changes: list[str] = field(default_factory=list)


class UnitsPlan:
    """Plans and writes responder units; a unit is matched by name and home area, else phone."""

    def __init__(
        self, *, columns: Columns, report: Report, role: str | None, index: AreaIndex
    ) -> None:
        self.columns, self.report = columns, report
        self.index = index
        self.matcher = CategoryMatcher()
        self.rows: list[UnitRow] = []
        units = list(Responder.objects.exclude(kind=ResponderKind.SQUAD).prefetch_related("skills"))
        self.by_name = {(clean_text(u.name), u.home_area_id): u for u in units}
        self.by_phone = {normalise_phone(u.phone): u for u in units if u.phone}
        self.seen: dict[tuple[str, int], int] = {}

    def add_row(self, reader: RowReader) -> None:
        name = reader.text("name")
        if not name:
            reader.fail("name", _("The name is empty."))
        kind_text = reader.text("kind")
        kind = _choice(UNIT_KINDS, ResponderKind.choices, kind_text) if kind_text else None
        if kind_text and kind is None:
            reader.fail(
                "kind",
                _("%(text)s is no kind of unit; write 调解员, 心理咨询师, 律师 or 调解委员会.")
                % {"text": kind_text},
            )
        capacity = reader.parse("capacity", lambda v: parse_positive_int(v, default=1))
        phone = reader.parse("phone", parse_unit_phone) or ""
        mode_text = reader.text("travel_mode")
        mode = _choice(TRAVEL_MODES, TravelMode.choices, mode_text) if mode_text else None
        if mode_text and mode is None:
            reader.fail(
                "travel_mode",
                _("%(text)s is no travel mode; write 步行, 电动车 or 汽车.") % {"text": mode_text},
            )
        area = reader.place(self.index)
        skills = _skills(reader, self.matcher)
        if reader.ok:
            first = self.seen.setdefault((name, area.id), reader.row)
            if first != reader.row:
                reader.fail("name", _("The same unit as row %(row)d.") % {"row": first})
        if reader.ok:
            self.rows.append(
                UnitRow(reader.row, name, kind or ResponderKind.MEDIATOR, capacity, phone, mode,
                        area, skills)
            )  # fmt: skip

    def finish(self) -> None:
        for row in self.rows:
            row.unit = self.by_name.get((row.name, row.area.id)) or (
                self.by_phone.get(normalise_phone(row.phone)) if row.phone else None
            )
            if row.unit is not None:
                row.changes = self._changes(row)

    def _changes(self, row: UnitRow) -> list[str]:
        unit = row.unit
        wanted = {
            "name": row.name,
            "kind": row.kind,
            "capacity": row.capacity,
            "phone": row.phone or unit.phone,
            "travel_mode": row.travel_mode or unit.travel_mode,
            "home_area_id": row.area.id,
        }
        changes = [name for name, value in wanted.items() if getattr(unit, name) != value]
        if row.skills is not None and row.skills != {s.pk for s in unit.skills.all()}:
            changes.append("skills")
        return changes

    def count(self, *, skip: set[int]) -> None:
        _count(self.report, [(r.row, r.name, r.unit, r.changes) for r in self.rows], skip)

    def apply(self, *, batch: ImportBatch, skip: set[int]) -> list[IssuedPassword]:
        for row in self.rows:
            if row.row in skip or (row.unit is not None and not row.changes):
                continue
            unit = row.unit or Responder()
            unit.name, unit.kind, unit.capacity, unit.home_area_id = (
                row.name, row.kind, row.capacity, row.area.id
            )  # fmt: skip
            unit.phone = row.phone or unit.phone
            unit.travel_mode = row.travel_mode or unit.travel_mode or TravelMode.CAR
            unit.save()
            if row.skills is not None:
                unit.skills.set(row.skills)
        return []


def _count(report: Report, rows: list[tuple[int, str, object, list[str]]], skip: set[int]) -> None:
    for number, name, record, changes in rows:
        if number in skip:
            continue
        if record is None:
            report.created += 1
        elif changes:
            report.updated += 1
            report.changes.append(
                _("row %(row)d %(name)s: %(fields)s changed")
                % {"row": number, "name": name, "fields": ", ".join(changes)}
            )
        else:
            report.unchanged += 1


@dataclass
class VolunteerRow:
    row: int
    squad: str
    name: str
    phone: str
    id_number: str
    is_leader: bool
    area: Place | None
    skills: set[int] | None
    volunteer: Volunteer | None = None
    changes: list[str] = field(default_factory=list)


class VolunteersPlan:
    """Plans and writes squads (made when new) and their volunteers, one leader per squad."""

    def __init__(
        self, *, columns: Columns, report: Report, role: str | None, index: AreaIndex
    ) -> None:
        self.columns, self.report = columns, report
        self.index = index
        self.matcher = CategoryMatcher()
        self.rows: list[VolunteerRow] = []
        self.squads = {
            clean_text(s.name): s for s in Responder.objects.filter(kind=ResponderKind.SQUAD)
        }
        self.new_squads: dict[str, tuple[Place, set[int]]] = {}
        volunteers = list(Volunteer.objects.select_related("squad"))
        self.by_pk = {v.pk: v for v in volunteers}
        self.by_phone = {normalise_phone(v.phone): v for v in volunteers if v.phone}
        self.by_id = dict(
            ImportedPerson.objects.filter(kind=ImportKind.VOLUNTEERS, volunteer__isnull=False)
            .exclude(id_number_hash="")
            .values_list("id_number_hash", "volunteer_id")
        )
        self.seen: dict[str, int] = {}
        self.leaders: dict[str, int] = {}

    def add_row(self, reader: RowReader) -> None:
        squad, name = reader.text("squad"), reader.text("name")
        if not squad:
            reader.fail("squad", _("The squad's name is empty."))
        if not name:
            reader.fail("name", _("The name is empty."))
        id_number = reader.parse("id_number", parse_id_number) or ""
        phone = reader.parse("phone", parse_mobile) or ""
        leader = bool(reader.parse("is_leader", _leader_flag))
        area = reader.place(self.index, required=squad not in self.squads)
        skills = _skills(reader, self.matcher)
        for key in (f"id:{id_number}" if id_number else "", f"phone:{phone}" if phone else ""):
            if key and reader.ok:
                first = self.seen.setdefault(key, reader.row)
                if first != reader.row:
                    reader.fail("name", _("The same person as row %(row)d.") % {"row": first})
        if leader and reader.ok:
            first = self.leaders.setdefault(squad, reader.row)
            if first != reader.row:
                reader.fail(
                    "is_leader", _("The squad's leader is already in row %(row)d.") % {"row": first}
                )
        if reader.ok:
            self.rows.append(
                VolunteerRow(reader.row, squad, name, phone, id_number, leader, area, skills)
            )

    def finish(self) -> None:
        for row in self.rows:
            volunteer_id = (
                self.by_id.get(keyed_hash("id_number", row.id_number)) if row.id_number else None
            )
            row.volunteer = self.by_pk.get(volunteer_id) if volunteer_id else None
            if row.volunteer is None and row.phone:
                row.volunteer = self.by_phone.get(row.phone)
            if row.squad not in self.squads and row.area is not None:
                _area, skills = self.new_squads.setdefault(row.squad, (row.area, set()))
                skills |= row.skills or set()
            if row.volunteer is not None:
                row.changes = self._changes(row)

    def _changes(self, row: VolunteerRow) -> list[str]:
        volunteer = row.volunteer
        changes = [
            name
            for name, value in (
                ("name", row.name),
                ("phone", row.phone or volunteer.phone),
                ("is_leader", row.is_leader),
            )
            if getattr(volunteer, name) != value
        ]
        if clean_text(volunteer.squad.name) != row.squad:
            changes.append("squad")
        return changes

    def count(self, *, skip: set[int]) -> None:
        _count(self.report, [(r.row, r.name, r.volunteer, r.changes) for r in self.rows], skip)

    def apply(self, *, batch: ImportBatch, skip: set[int]) -> list[IssuedPassword]:
        rows = [row for row in self.rows if row.row not in skip]
        for name, (area, skills) in self.new_squads.items():
            if not any(row.squad == name for row in rows):
                continue
            squad = Responder.objects.create(
                name=name, kind=ResponderKind.SQUAD, home_area_id=area.id, capacity=1
            )
            squad.skills.set(skills)
            self.squads[name] = squad
        # Leaders last: a squad's old leader steps down before the new one is marked.
        for row in sorted(rows, key=lambda r: r.is_leader):
            if row.volunteer is not None and not row.changes:
                continue
            squad = self.squads[row.squad]
            if row.is_leader:
                Volunteer.objects.filter(squad=squad, is_leader=True).exclude(
                    pk=getattr(row.volunteer, "pk", None)
                ).update(is_leader=False)
            volunteer = row.volunteer or Volunteer()
            volunteer.squad, volunteer.name, volunteer.is_leader = squad, row.name, row.is_leader
            volunteer.phone = row.phone or volunteer.phone
            volunteer.save()
            if row.volunteer is None:
                ImportedPerson.objects.create(
                    kind=ImportKind.VOLUNTEERS,
                    volunteer=volunteer,
                    id_number=row.id_number,
                    phone=row.phone,
                    batch=batch,
                )
        return []


def _leader_flag(value: object) -> bool:
    text = clean_text(value)
    if text in ("队长", "负责人", "领队", "副队长"):
        return text != "副队长"
    try:
        return parse_flag(value)  # type: ignore[arg-type]
    except CellError:
        if text in ("队员", "成员", "志愿者", ""):
            return False
        raise
