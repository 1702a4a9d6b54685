"""Staff rosters (网格员花名册 …) → user accounts with role and jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.crypto import keyed_hash, normalise_phone
from accounts.models import User
from gridmap.choices import AreaLevel
from onboarding.choices import ImportKind
from onboarding.columns import Columns
from onboarding.models import ImportBatch, ImportedPerson, InitialPassword
from onboarding.passwords import (
    IssuedPassword,
    hash_initial_password,
    new_initial_password,
)
from onboarding.people import RowReader
from onboarding.places import AreaIndex, Place
from onboarding.report import Report
from onboarding.validators import parse_id_number, parse_mobile

# 职务 as rosters write it → role; anything else takes --role.
POSITION_ROLES: dict[str, str] = {
    "网格长": Role.GRID_LEADER,
    "网格员": Role.GRID_LEADER,
    "专职网格员": Role.GRID_LEADER,
    "兼职网格员": Role.GRID_LEADER,
    "专职网格长": Role.GRID_LEADER,
    "兼职网格长": Role.GRID_LEADER,
    "网格管理员": Role.GRID_LEADER,
    "调度员": Role.DISPATCHER,
    "值班员": Role.DISPATCHER,
    "坐席员": Role.DISPATCHER,
    "领导": Role.LEADERSHIP,
    "分管领导": Role.LEADERSHIP,
    "调解员": Role.RESPONDER,
}


def role_for(position: str, default: str | None) -> str | None:
    """The role a 职务 maps to (a role's code or label is accepted too), else ``default``."""
    if position in POSITION_ROLES:
        return POSITION_ROLES[position]
    if "网格" in position and ("员" in position or "长" in position):
        return Role.GRID_LEADER
    for value, label in Role.choices:
        if position in (value, str(label)):
            return value
    return default if not position or default else None


@dataclass
class StaffRow:
    row: int
    name: str
    phone: str
    id_number: str
    area: Place
    role: str
    username: str
    user: User | None = None
    changes: list[str] = field(default_factory=list)


class StaffPlan:
    """Plans and writes the accounts of a staff roster."""

    def __init__(
        self, *, columns: Columns, report: Report, role: str | None, index: AreaIndex
    ) -> None:
        self.columns, self.report, self.default_role = columns, report, role
        self.index = index
        self.rows: list[StaffRow] = []
        # Hashes only: nothing is decrypted to match.
        self.people_by_id = dict(
            ImportedPerson.objects.filter(kind=ImportKind.STAFF, user__isnull=False)
            .exclude(id_number_hash="")
            .values_list("id_number_hash", "user_id")
        )
        self.users_by_phone: dict[str, User] = {}
        for user in User.objects.exclude(phone="").only(
            "id", "username", "display_name", "phone", "role", "jurisdiction_id"
        ):
            self.users_by_phone.setdefault(normalise_phone(user.phone), user)
        self.users_by_id = {user.pk: user for user in self.users_by_phone.values()}
        self.usernames = dict(User.objects.values_list("username", "id"))
        self.seen: dict[str, int] = {}

    def add_row(self, reader: RowReader) -> None:
        name = reader.text("name")
        if not name:
            reader.fail("name", _("The name is empty."))
        id_number = reader.parse("id_number", parse_id_number) or ""
        phone = reader.parse("phone", parse_mobile) or ""
        area = reader.place(self.index)
        position = reader.text("position")
        role = role_for(position, self.default_role)
        if role is None:
            reader.fail(
                "position",
                _("%(position)s is no role this site knows; map it with --role.")
                % {"position": position or _("(empty)")},
            )
        elif role == Role.GRID_LEADER and area is not None and area.level != AreaLevel.GRID:
            reader.fail(
                "grid", _("A grid leader's jurisdiction is a grid: give 所属网格 or its code.")
            )
        username = reader.text("username") or phone
        if reader.ok and not username:
            reader.fail("phone", _("A new account needs a mobile number (or a 用户名 column)."))
        for key, field_name in ((id_number, "id_number"), (phone, "phone"), (username, "username")):
            if key and reader.ok:
                first = self.seen.setdefault(f"{field_name}:{key}", reader.row)
                if first != reader.row:
                    reader.fail(field_name, _("The same person as row %(row)d.") % {"row": first})
        if reader.ok:
            self.rows.append(StaffRow(reader.row, name, phone, id_number, area, role, username))

    def finish(self) -> None:
        for row in self.rows:
            row.user = self._match(row)
            if row.user is None:
                taken = self.usernames.get(row.username)
                if taken is not None:
                    column = "username" if "username" in self.columns.fields else "phone"
                    self.report.error(
                        row.row,
                        self.columns.header_of(column),
                        _("The login name %(name)s belongs to another account.")
                        % {"name": row.username},
                    )
            else:
                row.changes = self._changes(row)

    def _match(self, row: StaffRow) -> User | None:
        if row.id_number:
            user_id = self.people_by_id.get(keyed_hash("id_number", row.id_number))
            if user_id is not None:
                return self.users_by_id.get(user_id) or User.objects.get(pk=user_id)
        if row.phone:
            return self.users_by_phone.get(row.phone)
        return None

    def _changes(self, row: StaffRow) -> list[str]:
        user = row.user
        wanted = {
            "display_name": row.name,
            "phone": row.phone or user.phone,
            "role": row.role,
            "jurisdiction_id": row.area.id,
        }
        return [name for name, value in wanted.items() if getattr(user, name) != value]

    def count(self, *, skip: set[int]) -> None:
        for row in self.rows:
            if row.row in skip:
                continue
            if row.user is None:
                self.report.created += 1
            elif row.changes:
                self.report.updated += 1
                self.report.changes.append(
                    _("row %(row)d %(name)s: %(fields)s changed")
                    % {"row": row.row, "name": row.name, "fields": ", ".join(row.changes)}
                )
            else:
                self.report.unchanged += 1

    def apply(self, *, batch: ImportBatch, skip: set[int]) -> list[IssuedPassword]:
        rows = [row for row in self.rows if row.row not in skip]
        matched = [row for row in rows if row.user is not None]
        issued: list[IssuedPassword] = []
        new_users: list[User] = []
        for row in rows:
            if row.user is None:
                password = new_initial_password()
                new_users.append(
                    User(
                        username=row.username,
                        display_name=row.name,
                        phone=row.phone,
                        role=row.role,
                        jurisdiction_id=row.area.id,
                        password=hash_initial_password(password),
                    )
                )
                issued.append(IssuedPassword(row.username, row.name, row.area.name, password))
            elif row.changes:
                user = row.user
                user.display_name, user.role, user.jurisdiction_id = row.name, row.role, row.area.id
                user.phone = row.phone or user.phone
                user.save(update_fields=[c for c in row.changes])
        User.objects.bulk_create(new_users, batch_size=1000)
        made = iter(new_users)
        people: list[ImportedPerson] = []
        for row in rows:
            if row.user is None:
                row.user = next(made)
                people.append(
                    ImportedPerson(
                        kind=ImportKind.STAFF,
                        user=row.user,
                        id_number=row.id_number,
                        phone=row.phone,
                        batch=batch,
                    )
                )
        ImportedPerson.objects.bulk_create(people, batch_size=1000)
        InitialPassword.objects.bulk_create(
            [InitialPassword(user=user, batch=batch) for user in new_users], batch_size=1000
        )
        self._keep_identities(matched, batch)
        return issued

    def _keep_identities(self, rows: list[StaffRow], batch: ImportBatch) -> None:
        """Matched accounts keep (or get) their ID number and phone for the next import."""
        known = {
            p.user_id: p
            for p in ImportedPerson.objects.filter(
                kind=ImportKind.STAFF, user_id__in=[r.user.pk for r in rows]
            )
        }
        for row in rows:
            person = known.get(row.user.pk)
            if person is None:
                ImportedPerson.objects.create(
                    kind=ImportKind.STAFF,
                    user=row.user,
                    id_number=row.id_number,
                    phone=row.phone,
                    batch=batch,
                )
            elif (row.id_number and person.id_number != row.id_number) or (
                row.phone and person.phone != row.phone
            ):
                person.id_number = row.id_number or person.id_number
                person.phone = row.phone or person.phone
                person.batch = batch
                person.save()
