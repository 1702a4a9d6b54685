"""Forms of the dispatch pages: assign (a named unit or the nearest), and one assignment step.

They parse only; the services decide and say why they refuse (shown as messages).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# As long as the services keep them (TextField); a phone form should not send essays.
NOTE_MAX = 2000


class AssignForm(forms.Form):
    """POST of the console's buttons: ``responder`` empty means "nearest available"."""

    responder = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    override_reason = forms.CharField(
        label=_("Reason to send a unit of another area"),
        required=False,
        max_length=NOTE_MAX,
    )


class AssignmentStepForm(forms.Form):
    """POST of a step's button: the note is a decline's reason or the outcome of "done"."""

    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)
