from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import access_log

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("access-log/", access_log.access_log, name="access-log"),
    path("access-log.csv", access_log.access_log_csv, name="access-log-csv"),
]
