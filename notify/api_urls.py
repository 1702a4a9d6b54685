from django.urls import path

from notify.api import NotificationListView, NotificationReadAllView, NotificationReadView

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/<int:pk>/read/", NotificationReadView.as_view(), name="api-notification-read"
    ),
    path(
        "notifications/read-all/",
        NotificationReadAllView.as_view(),
        name="api-notifications-read-all",
    ),
]
