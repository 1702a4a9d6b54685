"""Admin of users: role and jurisdiction, and only the users inside one's own jurisdiction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import (
    job_admin,  # noqa: F401  (registers the jobs admin)
    road_admin,  # noqa: F401  (registers the road network admin)
)
from accounts.audit import record_user_changes
from accounts.models import ApiToken, User
from accounts.tokens import revoke_token
from gridmap.admin import JurisdictionScopedAdmin
from gridmap.models import Area
from gridmap.scoping import scope


@admin.register(User)
class UserAdmin(JurisdictionScopedAdmin, DjangoUserAdmin):
    jurisdiction_area_path = "jurisdiction"
    list_display = ["username", "display_name", "role", "jurisdiction", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = [
        "username",
        "display_name",
        "phone",
        "^jurisdiction__code",
        "jurisdiction__name",
    ]
    list_select_related = ["jurisdiction"]
    autocomplete_fields = ["jurisdiction"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction")}),
        (
            _("Personal info"),
            {"fields": ("display_name", "phone", "first_name", "last_name", "email")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "usable_password",
                    "password1",
                    "password2",
                    "role",
                    "jurisdiction",
                    "display_name",
                    "phone",
                ),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        """Save, and write each change of role or jurisdiction to the access log."""
        before = User.objects.select_related("jurisdiction").filter(pk=obj.pk).first()
        super().save_model(request, obj, form, change)
        record_user_changes(
            request=request,
            target=obj,
            old_role=before.role if before else "",
            old_jurisdiction=before.jurisdiction if before else None,
        )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField | None:
        if db_field.name == "jurisdiction":
            # Nobody hands out a jurisdiction wider than their own.
            kwargs["queryset"] = scope(Area.objects.current(), request.user, "")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ApiToken)
class ApiTokenAdmin(JurisdictionScopedAdmin, admin.ModelAdmin):
    """API tokens of the users one administers: seen and revoked, never created or read back."""

    jurisdiction_area_path = "user__jurisdiction"
    list_display = ["prefix", "user", "created", "expires", "last_used", "revoked_at"]
    list_filter = ["revoked_at", "expires"]
    search_fields = ["prefix", "user__username", "user__display_name"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "prefix",
        "created",
        "expires",
        "last_used",
        "user_agent",
        "revoked_at",
    ]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens come from POST /api/auth/token/ only

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for token in queryset:
            revoke_token(token=token)
