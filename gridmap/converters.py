"""The ``<id:pk>`` path converter of the API: every segment reaches the view.

Django's ``<int:pk>`` does not match ``abc`` or ``-1``, so such a request never reached a DRF
view and got the site's HTML 404. This converter matches any segment; one that is not a
database id (digits within a bigint) becomes 0, which no row has, so the view's own lookup
answers its JSON 404.
"""

from __future__ import annotations

NO_ID = 0
_BIGINT_MAX = 2**63 - 1


class ApiIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> int:
        if value.isascii() and value.isdigit() and int(value) <= _BIGINT_MAX:
            return int(value)
        return NO_ID

    def to_url(self, value: object) -> str:
        return str(value)


class ApiSegmentConverter:
    """``<segment:action>``: any one path segment, so that an unknown action reaches the view,
    which answers its JSON 404 (``<slug:…>`` left ``a,b`` to the site's HTML 404)."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)
