"""DRF authentication with our hashed, expiring API tokens (``Authorization: Token <key>``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.tokens import token_for_key


class ApiTokenAuthentication(TokenAuthentication):
    """The header format of DRF's TokenAuthentication, checked against accounts.ApiToken."""

    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return (token.user, token)
