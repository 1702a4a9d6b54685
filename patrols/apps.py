from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("Patrols")

    def ready(self) -> None:
        # Reports taken in during an open patrol are linked to it (patrols.signals): incidents
        # cannot call patrols (the layering), so patrols listens.
        from patrols import signals  # noqa: F401
