"""REST API of patrols (mounted under /api/)."""

from django.urls import path

from patrols import api

urlpatterns = [
    path("patrols", api.StartView.as_view(), name="api-patrol-start"),
    # The offline queue addresses a patrol by the uid the phone gave it at the start. Before the
    # <id:pk> patterns, whose converter takes any segment (a bad id gets the view's JSON 404).
    path(
        "patrols/<uuid:uid>/points",
        api.PointsByUidView.as_view(),
        name="api-patrol-points-by-uid",
    ),
    path("patrols/<uuid:uid>/end", api.EndByUidView.as_view(), name="api-patrol-end-by-uid"),
    path("patrols/<id:pk>", api.TrackView.as_view(), name="api-patrol-track"),
    path("patrols/<id:pk>/points", api.PointsView.as_view(), name="api-patrol-points"),
    path("patrols/<id:pk>/end", api.EndView.as_view(), name="api-patrol-end"),
]
