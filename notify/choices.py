"""What a notification is about, where it goes, and how far it got."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SITE = "site", _("In the site")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    SMS = "sms", _("SMS")


# Channels that post into a center's group chat (the recipient is the center, not a person).
GROUP_CHANNELS = (Channel.WECOM, Channel.DINGTALK)


class Event(models.TextChoices):
    OFFER = "offer", _("Offer to a unit")
    OFFER_DECLINED = "offer_declined", _("Offer declined")
    OFFER_EXPIRED = "offer_expired", _("Offer expired")
    REOFFERED = "reoffered", _("Offered to the next unit")
    UNIT_ARRIVED = "unit_arrived", _("Unit arrived")
    UNIT_DONE = "unit_done", _("Unit done")
    ROUTED = "routed", _("Matter routed or transferred to a center")
    DEADLINE_WARNING = "deadline_warning", _("Deadline near")
    ESCALATED = "escalated", _("Matter escalated")
    SUPERVISED_CHANGE = "supervised_change", _("Supervised matter changed")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up visit due")
    BRIEFING_READY = "briefing_ready", _("Briefing ready")
    EARLY_WARNING = "early_warning", _("Early warning of next month's matters")
    TEST = "test", _("Test message")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    READ = "read", _("Read")
