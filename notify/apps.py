from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The external channel adapters register themselves in notify.channels.ADAPTERS on
        # import, and the CenterChannel admin with its test button lives beside them.
        from notify import channel_admin  # noqa: F401
        from notify.channels import checks, dingtalk, sms, wecom  # noqa: F401
