"""The Import page's upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from gridmap.coords import InputCRS
from incidents.choices import IncidentKind
from onboarding.choices import ImportKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(label=_("File (.xlsx, .xls, .ods or .csv)"))
    role = forms.ChoiceField(
        label=_("Role of staff whose 职务 names none"),
        choices=[("", _("none: refuse those rows")), *Role.choices],
        required=False,
    )
    ledger_kind = forms.ChoiceField(
        label=_("Kind of matters in the ledger"),
        choices=IncidentKind.choices,
        initial=IncidentKind.DISPUTE,
        required=False,
    )
    crs = forms.ChoiceField(
        label=_("Coordinate system of the ledger's 经度/纬度"),
        choices=InputCRS.choices,
        initial=InputCRS.WGS84,
        required=False,
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False
    )

    def options(self) -> dict[str, object]:
        """The choices the background jobs read."""
        data = self.cleaned_data
        return {
            "role": data.get("role") or "",
            "ledger_kind": data.get("ledger_kind") or IncidentKind.DISPUTE,
            "crs": data.get("crs") or InputCRS.WGS84,
            "skip_bad_rows": bool(data.get("skip_bad_rows")),
        }
