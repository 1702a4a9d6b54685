"""Vector tiles of responders (mounted under /tiles/)."""

from django.urls import path

from volunteers import tile_views

urlpatterns = [
    path(
        "responders/<int:z>/<int:x>/<int:y>.pbf",
        tile_views.responder_tile_view,
        name="responder-tile",
    ),
]
