"""Password policy for government accounts (等保 2.0): characters from several classes."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("lowercase", lambda ch: ch in string.ascii_lowercase),
    ("uppercase", lambda ch: ch in string.ascii_uppercase),
    ("digit", lambda ch: ch.isdigit()),
    ("symbol", lambda ch: not ch.isalnum() and not ch.isspace()),
)


def character_classes(password: str) -> int:
    """How many of lowercase, uppercase, digits and symbols the password uses."""
    return sum(1 for _name, test in CLASSES if any(test(ch) for ch in password))


class CharacterClassValidator:
    """At least ``min_classes`` of the 4 classes: lowercase, uppercase, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        """Refuse a password that mixes too few kinds of characters."""
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "The password must contain characters of at least %(count)d kind: "
                    "lowercase letters, uppercase letters, digits, symbols.",
                    "The password must contain characters of at least %(count)d kinds: "
                    "lowercase letters, uppercase letters, digits, symbols.",
                    self.min_classes,
                )
                % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        """The rule as shown under password fields."""
        return _(
            "Use at least %(count)d of: lowercase letters, uppercase letters, digits, symbols."
        ) % {"count": self.min_classes}
