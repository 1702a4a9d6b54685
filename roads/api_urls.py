"""REST API of the road network (mounted under /api/)."""

from django.urls import path

from roads import api

urlpatterns = [
    path("routing/isochrone", api.IsochroneView.as_view(), name="api-routing-isochrone"),
]
