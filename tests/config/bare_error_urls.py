"""A site whose page frame cannot be built (no "home" URL), for the bare 500 page's test."""

from django.urls import path

from config.urls import handler500
from tests.config.error_urls import broken

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [path("broken/", broken)]
