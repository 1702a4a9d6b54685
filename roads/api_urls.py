"""REST API of the road network (mounted under /api/)."""

from django.urls import path

from roads import api, context_api

urlpatterns = [
    path("map/context", context_api.MapContextView.as_view(), name="api-map-context"),
    path("routing/isochrone", api.IsochroneView.as_view(), name="api-routing-isochrone"),
]
