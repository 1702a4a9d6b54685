"""The site's URLs plus three that fail, for tests/config/test_error_pages.py."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def broken(request: HttpRequest) -> HttpResponse:
    """A page with a bug in it."""
    raise RuntimeError("a bug in a view")


def forbidden(request: HttpRequest) -> HttpResponse:
    """A plain Django view (not DRF) that refuses."""
    raise PermissionDenied


urlpatterns = [
    path("broken/", broken),
    path("api/broken/", broken),
    path("api/forbidden/", forbidden),
    *site_urlpatterns,
]
