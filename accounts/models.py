"""Users: every user has a role and a jurisdiction (an Area whose subtree they may see)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import AccessAction, Role
from gridmap.choices import AreaLevel
from gridmap.models import Area


class User(AbstractUser):
    """A county staff member, grid leader or responder with a role and a jurisdiction."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Area,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The user sees this area and everything below it."),
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Messages sent to the user (notifications, SMS) are written in this language.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if not self.is_superuser and self.jurisdiction_id is None:
            raise ValidationError({"jurisdiction": _("Every user needs a jurisdiction area.")})
        if (
            self.role == Role.GRID_LEADER
            and self.jurisdiction_id
            and self.jurisdiction.level != AreaLevel.GRID
        ):
            raise ValidationError(
                {"jurisdiction": _("A grid leader's jurisdiction is a grid cell.")}
            )


class ApiToken(models.Model):
    """An API key for phones and scripts; only its SHA-256 is stored (the key is shown once)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_live")]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class UserSession(models.Model):
    """A signed-in browser session, listed on the user's security page."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="user_sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    created = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.ip_address or ''}"


class AccessLog(models.Model):
    """Who saw or changed what, when and from where: append-only at the database.

    The user's name and role are copied at the time, so a row still says who it was after the
    user is renamed, moved or deleted; ``user`` is empty for a failed login of an unknown name.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # No database constraint and no cascade: deleting a user must not touch (UPDATE or DELETE)
    # the append-only rows, which keep the username and role they were written with.
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AccessAction.choices)
    target_type = models.CharField(_("target type"), max_length=40, blank=True)
    target_id = models.CharField(_("target id"), max_length=40, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    filters = models.JSONField(_("details"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_label"], name="accesslog_target_idx"),
            models.Index(fields=["username", "at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.target_label}"
