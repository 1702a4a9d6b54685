"""REST API of patrols (mounted under /api/)."""

from django.urls import path

from patrols import api

urlpatterns = [
    path("patrols", api.StartView.as_view(), name="api-patrol-start"),
    path("patrols/<id:pk>", api.TrackView.as_view(), name="api-patrol-track"),
    path("patrols/<id:pk>/points", api.PointsView.as_view(), name="api-patrol-points"),
    path("patrols/<id:pk>/end", api.EndView.as_view(), name="api-patrol-end"),
]
