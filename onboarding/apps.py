from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding (imports)")

    def ready(self) -> None:
        from onboarding import signals  # noqa: F401  (initial passwords: login and change)
