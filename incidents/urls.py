"""Pages of incidents: queue, detail, intake forms, my grid, ledger downloads."""

from django.urls import path

from incidents import ledger_views, views

app_name = "incidents"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/field/", views.field_intake, name="field-intake"),
    path("new/window/", views.window_intake, name="window-intake"),
    path("my-grid/", views.my_grid, name="my-grid"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("ledger.xlsx", ledger_views.ledger_xlsx, name="ledger-xlsx"),
    path("ledger.csv", ledger_views.ledger_csv, name="ledger-csv"),
]
