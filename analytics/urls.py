"""Pages of analytics: the leadership page, the briefing (HTML, PDF) and stored briefings."""

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("briefing/", views.briefing_html, name="briefing"),
    path("briefing.pdf", views.briefing_pdf, name="briefing-pdf"),
    path("briefings/<int:pk>/", views.stored_html, name="stored-briefing"),
    path("briefings/<int:pk>.pdf", views.stored_pdf, name="stored-briefing-pdf"),
]
