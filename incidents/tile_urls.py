"""Vector tiles and map aggregates of matters (mounted under /tiles/)."""

from django.urls import path

from incidents import tile_views

urlpatterns = [
    path(
        "incidents/<int:z>/<int:x>/<int:y>.pbf",
        tile_views.incident_tile_view,
        name="incident-tile",
    ),
    path("incidents/heat.json", tile_views.heat_view, name="incident-heat"),
    path("incidents/filters.json", tile_views.filter_options, name="incident-map-filters"),
]
