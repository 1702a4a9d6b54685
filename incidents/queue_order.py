"""The queue's default view and its sortable columns (issue 20: dispatchers missed new work)."""

from __future__ import annotations

from django.http import QueryDict

from accounts.choices import Role
from incidents.queries import NEEDS_ACTION

# Column key -> ORDER BY fields; "-key" sorts descending. The id breaks ties (stable pages).
SORTS: dict[str, tuple[str, ...]] = {
    "number": ("id",),
    "title": ("title", "id"),
    "state": ("state", "id"),
    "received": ("received_at", "id"),
    "due": ("due_at", "id"),
}
DEFAULT_SORT = "-received"


def default_scope(user: object) -> str | None:
    """Dispatchers open the queue on what needs action in their jurisdiction; others on their
    units' queue (or, without units, the jurisdiction) as before."""
    if getattr(user, "role", None) in {Role.DISPATCHER, Role.COUNTY_ADMIN}:
        return NEEDS_ACTION
    return None


def sort_key(value: str | None) -> str:
    """The requested column sort, or the default (newest first) for anything unknown."""
    if value and value.lstrip("-") in SORTS:
        return value
    return DEFAULT_SORT


def order_by(key: str) -> list[str]:
    """ORDER BY fields of a sort key."""
    fields = SORTS[key.lstrip("-")]
    return [f"-{field}" for field in fields] if key.startswith("-") else list(fields)


def sort_links(query: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Per column: the query string that sorts by it (a second click reverses) and the
    aria-sort state of its header."""
    links = {}
    for column in SORTS:
        ascending = current == column
        descending = current == f"-{column}"
        params = query.copy()
        params["sort"] = f"-{column}" if ascending else column
        params.pop("page", None)
        state = "ascending" if ascending else "descending" if descending else "none"
        links[column] = {"query": params.urlencode(), "aria": state}
    return links
