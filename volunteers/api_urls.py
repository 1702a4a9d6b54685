"""REST API of dispatch (mounted under /api/)."""

from django.urls import path

from volunteers import api

urlpatterns = [
    path(
        "incidents/<id:pk>/candidates",
        api.CandidatesView.as_view(),
        name="api-incident-candidates",
    ),
    path(
        "incidents/<id:pk>/candidates/<id:responder>/route",
        api.CandidateRouteView.as_view(),
        name="api-candidate-route",
    ),
    path("incidents/<id:pk>/assign", api.AssignView.as_view(), name="api-incident-assign"),
    path(
        "incidents/<id:pk>/assignments",
        api.IncidentAssignmentsView.as_view(),
        name="api-incident-assignments",
    ),
    path("assignments/mine", api.MyAssignmentsView.as_view(), name="api-my-assignments"),
    path(
        "assignments/<id:pk>/<segment:action>/",
        api.AssignmentActionView.as_view(),
        name="api-assignment-action",
    ),
    path("responders/<id:pk>/position", api.PositionView.as_view(), name="api-responder-position"),
]
