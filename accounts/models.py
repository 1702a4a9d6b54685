"""Users: every user has a role and a jurisdiction (an Area whose subtree they may see)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
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
