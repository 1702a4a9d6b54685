"""Personal data encrypted at rest: a model field that encrypts on write and decrypts on read.

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256, ``cryptography``) under the keys of
``settings.FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts, so a new key can be
put first while ``manage.py rotate_field_keys`` re-encrypts the rows still under an older one
(docs/security/encryption.md). Fernet tokens are random, so an encrypted column cannot be searched:
``KeyedHashField`` keeps an HMAC-SHA256 of the normalised value (key ``settings.FIELD_HASH_KEY``)
beside it, in an indexed column, for exact search.

The model attribute stays a plain ``str``: masking, forms, serializers and the ledger see the value
as typed. An empty value is stored empty (it says only that none was given).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class UndecryptableValue(ImproperlyConfigured):
    """A stored value none of FIELD_ENCRYPTION_KEYS opens (a key was dropped too early)."""


@cache
def _fernet() -> MultiFernet:
    # Built once: settings.py has checked each key's form and raises naming the variable.
    from cryptography.fernet import Fernet

    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: object) -> None:
    # Tests swap the keys with override_settings: build the MultiFernet again.
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    """``value`` as a Fernet token under the current (first) key; "" stays ""."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text of a token made under any of the configured keys; "" stays ""."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: "
            "put back the key it was encrypted with (see docs/security/encryption.md)."
        ) from None


def rotate(token: str) -> str:
    """The token re-encrypted under the current key (unchanged when empty)."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UndecryptableValue(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS."
        ) from None


def normalise_id_number(value: str) -> str:
    """An ID number as compared: no spaces, upper-case check character."""
    return re.sub(r"\s+", "", value or "").upper()


def normalise_phone(value: str) -> str:
    """A phone number as compared: its digits only, without a +86 / 0086 country prefix."""
    digits = re.sub(r"\D+", "", value or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits


NORMALISERS = {"id_number": normalise_id_number, "phone": normalise_phone}


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised ``value`` of ``kind``; "" for an empty value.

    ``kind`` is part of the message, so an ID number and a phone with the same digits differ.
    """
    normalised = NORMALISERS[kind](value)
    if not normalised:
        return ""
    message = f"{kind}:{normalised}".encode()
    return hmac.new(settings.FIELD_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the attribute is the plain text.

    Only for reading and writing: lookups on the column compare tokens, which are random, so
    search goes through a ``KeyedHashField`` instead.
    """

    description = _("Text (encrypted at rest)")

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str:
        return decrypt(value) if value else ""

    def get_prep_value(self, value: object) -> str:
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""


class KeyedHashField(models.CharField):
    """The keyed hash of another field's value, computed on every save; indexed for search."""

    def __init__(self, *args: object, source: str = "", kind: str = "", **kwargs: object) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        # Leave out what __init__ sets by default, so migrations state only the differences.
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        for key, default in (("blank", True), ("editable", False), ("db_index", True)):
            kwargs.pop(key, None)
            if getattr(self, key) != default:
                kwargs[key] = getattr(self, key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = keyed_hash(self.kind, getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
