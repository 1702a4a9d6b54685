"""Pages of patrols."""

from django.urls import path

from patrols import views

app_name = "patrols"

urlpatterns = [
    path("", views.walk, name="walk"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.csv", views.coverage_csv, name="coverage-csv"),
    path("grid/<str:code>/", views.grid_patrols, name="grid"),
]
