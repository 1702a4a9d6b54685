"""Template filters of the briefing."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """A rate 0-1 as ``87.5%`` (``—`` when unknown)."""
    return "—" if rate is None else f"{100 * rate:.1f}%"


@register.filter(name="abs")
def absolute(value: int) -> int:
    """The absolute value."""
    return abs(value)
