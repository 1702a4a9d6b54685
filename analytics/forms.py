"""Forms of analytics pages and the heatmap endpoint: area, period and matter filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.periods import PeriodError, parse_period
from gridmap.choices import AreaLevel
from gridmap.models import Area
from gridmap.scoping import can_see_area, user_area
from incidents.choices import IncidentKind

_YES = ("1", "true", "on", "yes")
_NO = ("0", "false", "off", "no")


def include_imported(data: object) -> bool:
    """The ``include_imported`` parameter: absent means included (the default).

    The pages send a hidden ``0`` before the checkbox's ``1``, so an unticked box still says so;
    the last value given counts. Raises ValueError for anything but a yes/no word.
    """
    values = data.getlist("include_imported") if hasattr(data, "getlist") else []
    if not values:
        return True
    value = str(values[-1]).strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(value)


class BriefingForm(forms.Form):
    """Which briefing: an area of the user's jurisdiction and a period label, and whether the
    matters imported from past ledgers count (they do unless ``include_imported=0``)."""

    area = forms.CharField(label=_("Area code"), max_length=15)
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026-10, 2026Q3 or 2026")
    )
    include_imported = forms.CharField(label=_("Include imported ledger history"), required=False)

    def __init__(self, *args, user: object, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_area(self) -> Area:
        code = self.cleaned_data["area"].strip()
        area = Area.objects.filter(code=code).exclude(level=AreaLevel.GRID).first()
        # An area outside the jurisdiction reads as unknown: its existence is not disclosed.
        if area is None or not can_see_area(self.user, area):
            raise forms.ValidationError(_("No such area in your jurisdiction."))
        return area

    def clean_include_imported(self) -> bool:
        try:
            return include_imported(self.data)
        except ValueError:
            raise forms.ValidationError(_("Write 1 to include or 0 to leave out.")) from None

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from error


class HeatmapForm(BriefingForm):
    """The heatmap layer's filters: area and period, and optionally kind and category."""

    area = forms.CharField(label=_("Area code"), max_length=15, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", ""), *IncidentKind.choices], required=False
    )
    category = forms.SlugField(label=_("Category"), required=False)
    output = forms.ChoiceField(choices=[("geojson", "GeoJSON"), ("png", "PNG")], required=False)

    def clean_area(self) -> Area:
        if not self.cleaned_data.get("area"):
            area = user_area(self.user)
            if area is None:
                raise forms.ValidationError(_("No such area in your jurisdiction."))
            return area
        return super().clean_area()


def areas_for(user: object) -> list[Area]:
    """The areas a user may brief: their jurisdiction and its children in force."""
    area = user_area(user)
    if area is None or area.level == AreaLevel.GRID:
        return []
    children = Area.objects.filter(parent=area, valid_to__isnull=True).without_shapes()
    return [area, *children.order_by("code")] if area.level == AreaLevel.COUNTY else [area]
