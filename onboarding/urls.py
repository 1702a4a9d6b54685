"""The Import page (导入数据)."""

from django.urls import path

from onboarding import views

urlpatterns = [
    path("", views.imports, name="onboarding-imports"),
    path("template/<str:kind>.xlsx", views.template, name="onboarding-template"),
    path("<int:pk>/", views.upload_detail, name="onboarding-upload"),
    path("<int:pk>/state/", views.upload_state, name="onboarding-upload-state"),
    path("<int:pk>/confirm/", views.upload_confirm, name="onboarding-upload-confirm"),
    path("<int:pk>/bad-rows.xlsx", views.upload_errors, name="onboarding-upload-errors"),
    path("<int:pk>/passwords/", views.upload_passwords, name="onboarding-upload-passwords"),
]
