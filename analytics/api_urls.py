"""REST API of analytics (mounted under /api/)."""

from django.urls import path

from analytics import api

urlpatterns = [
    path("analytics/heatmap", api.heatmap, name="api-analytics-heatmap"),
    path("analytics/hotspots/<id:pk>", api.hotspot_run, name="api-analytics-hotspot-run"),
]
