"""Forms of analytics pages and the heatmap endpoint: area, period and matter filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.periods import PeriodError, parse_period
from gridmap.choices import AreaLevel
from gridmap.models import Area
from gridmap.scoping import can_see_area, user_area
from incidents.choices import IncidentKind


class BriefingForm(forms.Form):
    """Which briefing: an area of the user's jurisdiction and a period label."""

    area = forms.CharField(label=_("Area code"), max_length=15)
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026-10, 2026Q3 or 2026")
    )

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
