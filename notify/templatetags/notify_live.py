"""``{% live_config %}``: what static/js/live.js needs on a signed-in page, as a dict for
json_script (no inline script: CSP ``script-src 'self'``)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from notify.live_queries import bell_state

register = template.Library()


def live_strings() -> dict[str, str]:
    """Every text live.js shows, in the active language."""
    return {
        "newItem": _("New notification"),
        "open": pgettext("live notification", "Open"),
        "close": pgettext("live notification", "Close"),
        "bell": _("Notifications"),
        "unread": _("%(count)s unread notifications"),
    }


@register.simple_tag(takes_context=True)
def live_config(context: template.Context) -> dict[str, object]:
    """URLs, the id the page starts after (so nothing between render and connect is missed), the
    unread count, the fallback poll interval and the strings.

    The cursor and count come from the bell's context processor (one query shared with the
    bell); a template rendered without it reads them here.
    """
    cursor, unread = context.get("notification_cursor"), context.get("unread_notifications")
    if cursor is not None and unread is not None:
        latest, unread = cursor(), unread()
    else:
        latest, unread = bell_state(context["request"].user.pk)
    return {
        "streamUrl": reverse("notifications-stream"),
        "pollUrl": reverse("notifications-poll"),
        "after": latest,
        "unread": unread,
        "pollSeconds": settings.LIVE_POLL_SECONDS,
        "strings": live_strings(),
    }
