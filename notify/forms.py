"""Forms of the notification pages: preferences and the delivery log's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notify.choices import Channel, Event, Status

# Events a user may ask to get by SMS (the test message is the administrators' own).
SMS_EVENTS = [(e.value, e.label) for e in Event if e != Event.TEST]


class PreferenceForm(forms.Form):
    sms_events = forms.MultipleChoiceField(
        label=_("Also by SMS"),
        choices=SMS_EVENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sent to the phone number of your account, at most a few a day."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data


class DeliveryFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", "---------"), *Status.choices]
    )
    channel = forms.ChoiceField(
        label=_("channel"), required=False, choices=[("", "---------"), *Channel.choices]
    )
