from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import access_log, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", views.security, name="account-security"),
    path("security/password/", views.change_password, name="account-password"),
    path("security/tokens/<id:pk>/revoke/", views.revoke_token, name="account-token-revoke"),
    path(
        "security/sessions/end-others/",
        views.end_other_sessions_view,
        name="account-sessions-end-others",
    ),
    path("access-log/", access_log.access_log, name="access-log"),
    path("access-log.csv", access_log.access_log_csv, name="access-log-csv"),
]
