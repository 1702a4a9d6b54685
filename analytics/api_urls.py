"""REST API of analytics (mounted under /api/)."""

from django.urls import path

from analytics import api
from analytics.coverage import api as coverage_api
from analytics.forecasting import api as forecast_api

urlpatterns = [
    path("analytics/heatmap", api.heatmap, name="api-analytics-heatmap"),
    path("analytics/hotspots/<id:pk>", api.hotspot_run, name="api-analytics-hotspot-run"),
    path("analytics/coverage", coverage_api.coverage_view, name="api-analytics-coverage"),
    path("analytics/coverage/gaps", coverage_api.coverage_gaps, name="api-analytics-coverage-gaps"),
    path("analytics/forecast", forecast_api.forecast_layer, name="api-analytics-forecast"),
]
