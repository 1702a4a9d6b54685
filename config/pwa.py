"""The installable field app (docs/field-app.md): web manifest, service worker and start page.

The service worker is served from the site's root (``/sw.js``) so that its scope covers every
page; its logic is the static file js/service-worker.js, which this view prefixes with the
release's configuration: the version (a hash of the cached files, so a deployment that changes
any of them installs a new worker and the pages offer to reload) and the URLs to cache, read from
the static files storage (hashed names with the manifest storage). Everything is the site's own:
no CDN, no third-party push service.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.choices import Role

# The app shell: what the field pages need to open with no network. Other static files the
# pages load are cached by the worker on first use.
SHELL_FILES = (
    "css/site.css",
    "css/incidents.css",
    "css/dispatch.css",
    "css/live.css",
    "img/favicon.svg",
    "img/icon-192.png",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/layers.png",
    "vendor/leaflet/images/layers-2x.png",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "js/dates.js",
    "js/incident-maps.js",
    "js/map-context.js",
    "css/map-context.css",
    "js/incident-form.js",
    "js/incident-detail.js",
    "js/responder.js",
    "js/responder-steps.js",
    "js/live.js",
    "js/offline-queue.js",
    "js/offline-status.js",
    "js/patrol-track.js",
    "js/patrol-walk.js",
    "js/pwa.js",
)
WORKER_SCRIPT = "js/service-worker.js"
QUEUE_SCRIPT = "js/offline-queue.js"
ICONS = (
    {"src": "img/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "img/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "img/icon-maskable-512.png", "sizes": "512x512", "type": "image/png",
     "purpose": "maskable"},
)  # fmt: skip
THEME_COLOR = "#b3261e"
BACKGROUND_COLOR = "#ffffff"


def offline_pages(user: object) -> list[str]:
    """The pages of ``user``'s role kept for use without a network (their last synced copy)."""
    if not getattr(user, "is_authenticated", False):
        return []
    pages = []
    if getattr(user, "role", None) == Role.GRID_LEADER:
        pages += [
            reverse("incidents:my-grid"),
            reverse("incidents:field-intake"),
            reverse("patrols:walk"),
        ]
    if getattr(user, "role", None) == Role.RESPONDER or user.responder_units.exists():
        pages.append(reverse("volunteers:responder"))
    return pages


def _file_bytes(name: str) -> bytes:
    path = finders.find(name)
    if path is None and staticfiles_storage.exists(name):
        path = staticfiles_storage.path(name)
    if path is None:
        return b""
    with open(path, "rb") as handle:
        return handle.read()


def release_version(names: tuple[str, ...]) -> str:
    """A short hash that changes when any of the cached files changes.

    With the manifest storage the hashed names already say it; otherwise (development, tests)
    the files' contents are hashed.
    """
    digest = hashlib.sha256()
    for name in names:
        digest.update(staticfiles_storage.url(name).encode())
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            digest.update(_file_bytes(name))
    return digest.hexdigest()[:16]


def worker_config() -> dict[str, object]:
    """What js/service-worker.js reads from ``self.PINGAN_SW``."""
    names = (*SHELL_FILES, WORKER_SCRIPT)
    return {
        "version": release_version(names),
        "shell": [staticfiles_storage.url(name) for name in SHELL_FILES],
        "staticPrefix": staticfiles_storage.base_url,
        "startUrl": reverse("pwa-start"),
        "queueScript": staticfiles_storage.url(QUEUE_SCRIPT),
        "csrfCookie": settings.CSRF_COOKIE_NAME,
        # In both languages, like the bare error page: the worker's bytes must change only with
        # a release (a language switch would otherwise offer a "new version").
        "offlineTitle": "无网络 · No network",
        "offlineText": "此页面未保存在本机上。以下已保存的页面在无网络时仍可打开："
        " · This page was not saved on this phone. Your saved pages open without a network:",
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """GET /sw.js: the worker, with scope "/" and never taken from a cache (updates reach
    phones on their next page load)."""
    config = json.dumps(worker_config(), ensure_ascii=False, sort_keys=True)
    body = (
        f"self.PINGAN_SW = {config};\n"
        f"importScripts({json.dumps(staticfiles_storage.url(WORKER_SCRIPT))});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """GET /manifest.webmanifest: name, icons and start page, in the visitor's language."""
    data = {
        "id": "/",
        "name": _("Pingan Grid — field app"),
        "short_name": _("Pingan Grid"),
        "description": _(
            "Report matters and see your grid or assignments, also without a network."
        ),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": reverse("pwa-start"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [{**icon, "src": staticfiles_storage.url(icon["src"])} for icon in ICONS],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    # Changes with the language and with deployments; a day is short enough for both.
    response["Cache-Control"] = "public, max-age=86400"
    response["Vary"] = "Accept-Language, Cookie"
    return response


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """GET /app/: the installed app's start page, the user's field page by role."""
    pages = offline_pages(request.user)
    return redirect(pages[0] if pages else reverse("home"))


def queue_strings() -> dict[str, str]:
    """The texts of the offline queue's status panel (js/offline-status.js), translated."""
    return {
        "waiting": _("Waiting to send (%(count)s)"),
        "allSent": _("Everything has been sent."),
        "statusWaiting": _("waiting to send"),
        "statusSending": _("sending…"),
        "statusSent": pgettext("offline queue", "sent"),
        "statusRefused": _("refused: %(reason)s"),
        "auth": _("Sign in again to send it."),
        "savedAt": _("saved %(time)s"),
        "open": pgettext("offline queue", "Open"),
        "edit": _("Edit"),
        "discard": _("Discard"),
        "retry": _("Send again"),
        "confirmDiscard": _("Discard this? It has not been sent."),
        "savedOffline": _(
            "No network: saved on this phone. It is sent by itself when the connection returns."
        ),
        "noStorage": _(
            "This browser cannot keep anything offline; send it when you have a network."
        ),
        "lastSynced": _("Last synced %(time)s"),
        "offlineCopy": _("No network: this is the copy saved on this phone."),
    }
