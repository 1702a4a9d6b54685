"""The live feed's two URLs (notify.live_views), under /notifications/."""

from django.urls import path

from notify import live_views

urlpatterns = [
    path("stream/", live_views.stream, name="notifications-stream"),
    path("poll/", live_views.poll, name="notifications-poll"),
]
