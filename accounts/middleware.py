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


def background(view: Callable) -> Callable:
    """Mark a view that open pages call by themselves (the live notification feed): its requests
    are not activity, so a tab left open does not keep an idle session alive."""
    view.idle_background = True  # type: ignore[attr-defined]
    return view


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
        request.idle_touch_due = last_seen is None or now - last_seen > TOUCH_EVERY_S
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, *args: object) -> None:
        """Record the activity, unless the view is a page's own background call."""
        if not getattr(request, "idle_touch_due", False):
            return
        if getattr(view_func, "idle_background", False):
            return
        request.session[LAST_SEEN] = time.time()
        if request.session.session_key:
            UserSession.objects.filter(session_key=request.session.session_key).update(
                last_seen=timezone.now()
            )
