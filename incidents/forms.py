"""Forms of the incident pages: field and window intake, parties, and one form per workflow action.

The forms parse and render; the services validate what matters (location, photos, categories)
and their IncidentInputError field errors are put back on the form with ``add_service_errors``.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.choices import Action, IncidentKind, PartyRole, Satisfaction, Source, Tier
from incidents.models import Category, HandlingUnit, Incident
from incidents.photos import MAX_PHOTOS
from incidents.services import DESCRIPTION_MAX, MAX_PARTIES, TITLE_MAX, PartyInput

# Service error keys that have no form field of their own, and the field that shows them.
ERROR_FIELDS = {
    "location": "lon",
    "kind": "category",
    "accuracy_m": "lon",
    "located_at": "lon",
    "source": "source",
}


class ServiceErrorsMixin:
    """Puts a service's field errors ({field: [messages]}) on the matching form fields."""

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach each message to its field, or to the form when no field shows it."""
        for key, messages in errors.items():
            name = ERROR_FIELDS.get(key, key)
            target = name if name in self.fields else None  # type: ignore[attr-defined]
            for message in messages:
                self.add_error(target, message)  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS files; their content is checked by incidents.photos on intake."""

    def __init__(self, **kwargs: object) -> None:
        attrs = {"accept": "image/*", "capture": "environment", "data-max": str(MAX_PHOTOS)}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list:
        files = [f for f in (data or []) if f] if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(count)d photos.") % {"count": MAX_PHOTOS}, code="max_photos"
            )
        return files


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active categories grouped by kind, labelled in the active language."""
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in IncidentKind.values}
    for category in Category.objects.filter(active=True):
        groups[category.kind].append((category.code, category.label))
    return [(str(IncidentKind(kind).label), items) for kind, items in groups.items() if items]


class IntakeForm(ServiceErrorsMixin, forms.Form):
    """What a field report holds: the fields of incidents.services.IntakeRequest."""

    uid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("category"))
    tier = forms.ChoiceField(label=_("tier"), choices=Tier.choices, initial=Tier.ORDINARY)
    title = forms.CharField(label=_("title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("description"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lon = forms.CharField(
        label=_("longitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    lat = forms.CharField(
        label=_("latitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput)
    # Set by incident-form.js from the GPS fix (the phone's clock, ISO 8601); checked by intake.
    located_at = forms.CharField(required=False, widget=forms.HiddenInput)
    duplicate_of = forms.IntegerField(
        label=_("duplicate of matter (id)"), required=False, min_value=1
    )
    photos = PhotosField(label=_("photos"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", "---------"), *category_choices()]
        if not self.is_bound:
            # Without JavaScript the server's uid still makes a double submit harmless.
            self.initial.setdefault("uid", uuid.uuid4())

    def points(self) -> list[tuple[str, str]]:
        """The one point as typed or picked; empty when neither coordinate was given."""
        lon, lat = self.cleaned_data["lon"].strip(), self.cleaned_data["lat"].strip()
        return [(lon, lat)] if lon or lat else []

    def request_values(self) -> dict[str, object]:
        """The keyword arguments of IntakeRequest this form supplies."""
        data = self.cleaned_data
        return {
            "uid": data["uid"],
            "category": data["category"],
            "tier": data["tier"],
            "title": data["title"],
            "description": data["description"],
            "points": self.points(),
            "accuracy_m": data["accuracy_m"],
            "duplicate_of": data["duplicate_of"],
            "located_at": data["located_at"] or None,
        }


class WindowIntakeForm(IntakeForm):
    """The window/hotline form: also the source, the address and the departments flag."""

    source = forms.ChoiceField(
        label=_("source"),
        choices=[(Source.WINDOW, Source.WINDOW.label), (Source.HOTLINE, Source.HOTLINE.label)],
        initial=Source.WINDOW,
        widget=forms.RadioSelect,
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    multi_department = forms.BooleanField(
        label=_("involves several departments (joint mediation at the county center)"),
        required=False,
    )

    field_order = ["uid", "source", "category", "tier", "title", "description", "address"]

    def request_values(self) -> dict[str, object]:
        values = super().request_values()
        data = self.cleaned_data
        values.update(
            source=data["source"],
            address=data["address"],
            multi_department=data["multi_department"],
        )
        return values


class PartyForm(forms.Form):
    """One party of a matter (personal data)."""

    role = forms.ChoiceField(
        label=_("role"), choices=PartyRole.choices, initial=PartyRole.APPLICANT
    )
    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def party(self) -> PartyInput:
        data = self.cleaned_data
        return PartyInput(
            name=data["name"], phone=data["phone"], id_number=data["id_number"], role=data["role"]
        )


PartyFormSet = forms.formset_factory(
    PartyForm, extra=MAX_PARTIES, max_num=MAX_PARTIES, validate_max=True
)


def parties_of(formset: forms.BaseFormSet) -> list[PartyInput]:
    """The filled-in rows of a valid party formset (blank rows are skipped)."""
    return [form.party() for form in formset.forms if form.has_changed() and form.cleaned_data]


# --- workflow actions ----------------------------------------------------------------------------


def _note(required: bool = False, label: str | None = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("note"),
        required=required,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActionForm(ServiceErrorsMixin, forms.Form):
    """The fields of one workflow action; ``service_kwargs`` feeds incidents.services.ACTIONS."""

    def __init__(self, *args: object, incident: Incident, **kwargs: object) -> None:
        self.incident = incident
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def service_kwargs(self) -> dict[str, object]:
        return dict(self.cleaned_data)


class NoteForm(ActionForm):
    note = _note()


class RequiredNoteForm(ActionForm):
    note = _note(required=True)


class AssessForm(ActionForm):
    tier = forms.ChoiceField(label=_("tier"), choices=Tier.choices)
    multi_department = forms.BooleanField(label=_("involves several departments"), required=False)
    note = _note()

    def __init__(self, *args: object, incident: Incident, **kwargs: object) -> None:
        super().__init__(*args, incident=incident, **kwargs)
        self.fields["tier"].initial = incident.tier
        self.fields["multi_department"].initial = incident.multi_department


class RouteForm(ActionForm):
    override_unit = forms.ModelChoiceField(
        label=_("other unit (overrides the routing rule)"),
        queryset=HandlingUnit.objects.filter(active=True),
        required=False,
    )
    override_reason = forms.CharField(label=_("reason for the override"), required=False)
    note = _note()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("override_unit") and not (data.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the routing rule is overridden."))
        return data


class TransferForm(ActionForm):
    to_unit = forms.ModelChoiceField(
        label=_("to unit"), queryset=HandlingUnit.objects.filter(active=True)
    )
    report_back_by = forms.DateTimeField(
        label=_("report back by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = _note(required=True, label=_("reason for the transfer"))

    def __init__(self, *args: object, incident: Incident, **kwargs: object) -> None:
        super().__init__(*args, incident=incident, **kwargs)
        field = self.fields["to_unit"]
        field.queryset = field.queryset.exclude(pk=incident.handling_unit_id)  # type: ignore[attr-defined]


class OutcomeForm(ActionForm):
    outcome = _note(required=True, label=_("outcome"))


class FollowUpForm(ActionForm):
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = _note()


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.ASSESS: AssessForm,
    Action.ROUTE: RouteForm,
    Action.START: NoteForm,
    Action.RESOLVE: OutcomeForm,
    Action.FAIL: OutcomeForm,
    Action.TRANSFER: TransferForm,
    Action.FOLLOW_UP: FollowUpForm,
    Action.REOPEN: RequiredNoteForm,
    Action.CLOSE: NoteForm,
}
