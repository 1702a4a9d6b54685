"""Pages of analytics: the leadership page and the briefing (HTML, PDF)."""

from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("briefing/", views.briefing_html, name="briefing"),
    path("briefing.pdf", views.briefing_pdf, name="briefing-pdf"),
]
