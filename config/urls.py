"""URL map: pages (language-aware) and the API."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import pwa
from config.health import ready
from config.views import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("readyz", ready, name="ready"),
    # The installable field app (docs/field-app.md): at the root, so the worker's scope is "/".
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("app/", pwa.start, name="pwa-start"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("api/", include("accounts.api_urls")),
    path("api/", include("gridmap.api_urls")),
    path("api/", include("roads.api_urls")),
    path("api/", include("incidents.api_urls")),
    path("api/", include("volunteers.api_urls")),
    path("api/", include("analytics.api_urls")),
    path("api/", include("patrols.api_urls")),
    path("api/", include("notify.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): nothing inline (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("tiles/", include("incidents.tile_urls")),
    path("tiles/", include("volunteers.tile_urls")),
    path("notifications/", include("notify.live_urls")),
    path("incidents/", include("incidents.urls")),
    path("analytics/", include("analytics.urls")),
    path("patrols/", include("patrols.urls")),
    path("notifications/", include("notify.urls")),
    path("imports/", include("onboarding.urls")),
    path("", include("volunteers.urls")),
    path("", include("gridmap.urls")),
]

# The site's own error pages, JSON under /api/ (config/views.py).
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
