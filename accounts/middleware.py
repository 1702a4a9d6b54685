"""Sessions end after SESSION_IDLE_MINUTES without a request, and are listed per user."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import UserSession

LAST_SEEN = "last_seen"
# The session (and its list entry) is written at most this often, not on every request; the idle
# timeout is therefore exact to within this many seconds.
TOUCH_EVERY_S = 60


class SessionActivityMiddleware:
    """Log out a session idle longer than SESSION_IDLE_MINUTES; keep its last-seen time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        now = time.time()
        last_seen = request.session.get(LAST_SEEN)
        idle_limit = settings.SESSION_IDLE_MINUTES * 60
        if last_seen is not None and now - last_seen > idle_limit:
            logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)  # now anonymous: the API answers 401/403
            messages.info(
                request,
                _("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": settings.SESSION_IDLE_MINUTES},
            )
            return redirect_to_login(request.get_full_path())
        if last_seen is None or now - last_seen > TOUCH_EVERY_S:
            request.session[LAST_SEEN] = now
            if request.session.session_key:
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    last_seen=timezone.now()
                )
        return self.get_response(request)
