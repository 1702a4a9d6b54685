"""REST API of incidents (mounted under /api/)."""

from django.urls import path

from incidents import api

urlpatterns = [
    path("incidents/", api.IncidentListView.as_view(), name="api-incident-list"),
    path(
        "incidents/duplicates",
        api.DuplicateSuggestionView.as_view(),
        name="api-incident-duplicates",
    ),
    path("incidents/<id:pk>/", api.IncidentDetailView.as_view(), name="api-incident-detail"),
    path(
        "incidents/<id:pk>/actions/<segment:action>/",
        api.IncidentActionView.as_view(),
        name="api-incident-action",
    ),
    path("categories/", api.CategoryListView.as_view(), name="api-categories"),
    path("handling-units/", api.HandlingUnitListView.as_view(), name="api-handling-units"),
]
