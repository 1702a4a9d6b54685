from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Responders and dispatch")

    def ready(self) -> None:
        from incidents.signals import handling_ended, synthetic_incidents_deleting
        from incidents.timeline_subjects import register_subject_namer
        from volunteers.demo.cleanup import delete_assignments_of_synthetic_incidents
        from volunteers.names import dispatch_step_units
        from volunteers.services import end_live_assignments

        handling_ended.connect(end_live_assignments, dispatch_uid="volunteers.end_live_assignments")
        synthetic_incidents_deleting.connect(
            delete_assignments_of_synthetic_incidents,
            dispatch_uid="volunteers.delete_assignments_of_synthetic_incidents",
        )
        # The matter's timeline names the unit of each dispatch step (one name per unit).
        register_subject_namer(dispatch_step_units)
