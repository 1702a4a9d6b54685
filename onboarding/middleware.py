"""Sends a session still on an imported account's initial password to the password page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.models import InitialPassword
from onboarding.signals import SESSION_FLAG


class InitialPasswordMiddleware:
    """Until the initial password is changed, every page but the security page redirects there.

    Only sessions flagged at login are checked (one query for those, none for the others); the
    flag goes once the password is changed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is None or not session.get(SESSION_FLAG):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if not InitialPassword.objects.filter(user=user).exists():
            del session[SESSION_FLAG]
            return self.get_response(request)
        allowed = {
            reverse("account-security"),
            reverse("account-password"),
            reverse("logout"),
        }
        if request.path in allowed or request.path.startswith(("/static/", "/i18n/", "/jsi18n/")):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Change your initial password on the security page first.")},
                status=403,
            )
        return redirect("account-security")
