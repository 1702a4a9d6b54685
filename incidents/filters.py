"""The one filter set of matter lists: queues, the API list, the ledger and the map use it."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.crypto import keyed_hash, normalise_id_number, normalise_phone
from gridmap.choices import code_prefix, level_for_code
from incidents.choices import IncidentKind, Source, State, Tier
from incidents.models import Category, HandlingUnit, Incident, Party
from incidents.privacy import may_search_parties
from incidents.queries import overdue_q


class AnyYesNo(forms.Select):
    """A yes/no filter whose empty choice reads "any" (Django's default says "unknown")."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class YesNoField(forms.NullBooleanField):
    """true / false / empty (any); anything else is an error, not "any".

    Django's NullBooleanField reads every unknown value as None, so ``supervised=maybe`` would
    silently list every matter (and the ledger would export them all).
    """

    widget = AnyYesNo
    _VALUES = {"": None, "true": True, "false": False, "1": True, "0": False}

    def to_python(self, value: object) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        key = str(value).strip().lower()
        if key not in self._VALUES:
            raise forms.ValidationError(
                _("Use true or false (or leave it empty for any), not %(value)s."),
                code="invalid",
                params={"value": value},
            )
        return self._VALUES[key]

    def validate(self, value: bool | None) -> None:
        pass


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses values other than true and false (400 in the API)."""

    field_class = YesNoField


# "20261125-000123" (as printed on the detail page and the ledger) or a bare id.
_NUMBER = re.compile(r"^(?:\d{8}-)?0*(\d{1,9})$")
# A resident ID number (18 characters, or the old 15 digits), searched whole through its hash.
_ID_NUMBER = re.compile(r"^(?:\d{17}[\dX]|\d{15})$")
_MIN_PHONE_DIGITS = 5  # the shortest phone intake accepts


class IncidentFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(label=_("state"), choices=State.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=IncidentKind.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("category"),
        queryset=Category.objects.all(),
        to_field_name="code",
    )
    tier = django_filters.ChoiceFilter(label=_("tier"), choices=Tier.choices)
    source = django_filters.ChoiceFilter(label=_("source"), choices=Source.choices)
    overdue = YesNoFilter(label=_("overdue"), method="filter_overdue", widget=AnyYesNo)
    supervised = YesNoFilter(label=_("supervised"), widget=AnyYesNo)
    area = django_filters.CharFilter(
        label=_("area code (subtree)"),
        method="filter_area",
        help_text=_("County, township, village or grid code: the matters in that subtree."),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("handling unit"),
        field_name="handling_unit",
        queryset=HandlingUnit.objects.all(),
        to_field_name="code",
    )
    received_after = django_filters.DateFilter(
        label=_("received from"), field_name="received_at", lookup_expr="date__gte"
    )
    received_before = django_filters.DateFilter(
        label=_("received until"), field_name="received_at", lookup_expr="date__lte"
    )
    q = django_filters.CharFilter(label=_("search"), method="filter_text")

    class Meta:
        model = Incident
        fields: list[str] = []

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        condition = overdue_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        level = level_for_code(code)
        if level is None:
            return queryset.none()
        return queryset.filter(grid__code__startswith=code_prefix(code, level))

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        condition = (
            Q(title__icontains=text) | Q(description__icontains=text) | Q(address__icontains=text)
        )
        number = _NUMBER.match(text)
        if number:
            condition |= Q(pk=int(number.group(1)))
        parties = self._parties_matching(text)
        if parties is not None:
            condition |= Q(pk__in=parties.values("incident_id"))
        return queryset.filter(condition)

    def _parties_matching(self, text: str) -> QuerySet | None:
        """Parties whose ID number or phone is exactly ``text``, through the keyed hashes.

        Only for users whose work shows parties' details (a masked viewer could otherwise confirm
        a guessed ID number); None when there is nothing to look for.
        """
        user = getattr(self.request, "user", None)
        if user is None or not may_search_parties(user):
            return None
        condition = Q()
        if _ID_NUMBER.match(normalise_id_number(text)):
            condition |= Q(id_number_hash=keyed_hash("id_number", text))
        if len(normalise_phone(text)) >= _MIN_PHONE_DIGITS:
            condition |= Q(phone_hash=keyed_hash("phone", text))
        return Party.objects.filter(condition) if condition else None
