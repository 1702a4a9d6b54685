from django.urls import path

from accounts.api import MeView, RevokeTokenView, TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", RevokeTokenView.as_view(), name="api-token-revoke"),
    path("me/", MeView.as_view(), name="api-me"),
]
