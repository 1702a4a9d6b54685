from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Responders and dispatch")

    def ready(self) -> None:
        from incidents.signals import handling_ended
        from volunteers.services import end_live_assignments

        handling_ended.connect(end_live_assignments, dispatch_uid="volunteers.end_live_assignments")
