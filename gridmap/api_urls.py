from django.urls import path

from gridmap import api

urlpatterns = [
    path("areas/locate", api.LocateView.as_view(), name="api-locate"),
    path("areas/", api.AreaListView.as_view(), name="api-area-list"),
    path("areas/<str:code>/", api.AreaDetailView.as_view(), name="api-area-detail"),
    path("grid-workers/", api.GridWorkerListView.as_view(), name="api-grid-workers"),
]
