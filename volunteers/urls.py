"""Pages of dispatch: the dispatch queue and console, the responder's phone page."""

from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("dispatch/", views.queue, name="queue"),
    path("dispatch/incidents/<int:pk>/", views.console, name="console"),
    path("dispatch/incidents/<int:pk>/assign/", views.assign_view, name="assign"),
    path(
        "dispatch/assignments/<int:pk>/cancel/",
        views.step,
        {"action": "cancel"},
        name="cancel",
    ),
    path("responder/", views.responder, name="responder"),
    path("responder/assignments/<int:pk>/<slug:action>/", views.step, name="step"),
]
