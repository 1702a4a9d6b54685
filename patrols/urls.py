"""Pages of patrols."""

from django.urls import path

from patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.walk, name="walk"),
    path("coverage/", views.coverage, name="coverage"),
    path("grid/<str:code>/", views.grid_patrols, name="grid"),
]
