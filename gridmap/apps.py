from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridmapConfig(AppConfig):
    name = "gridmap"
    verbose_name = _("Grid network")

    def ready(self) -> None:
        from django.urls import register_converter

        from gridmap.converters import ApiIdConverter, ApiSegmentConverter

        # Before any URL module is imported: the API's urls use <id:pk> and <segment:action>.
        register_converter(ApiIdConverter, "id")
        register_converter(ApiSegmentConverter, "segment")
