from django.urls import path

from gridmap import views

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.area_map, name="area-map"),
]
