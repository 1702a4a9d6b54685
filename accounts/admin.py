"""Admin of users: role and jurisdiction, and only the users inside one's own jurisdiction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.audit import may_read_access_log, record_user_changes
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


# The job runner's queue (docs/notifications/jobs.md): procrastinate ships a read-only admin of
# jobs with their events. It is county-wide, so like the access log only superusers and county
# administrators (staff, with the view permission) see it; nobody adds, edits or deletes a job.
admin.site.unregister(ProcrastinateJob)


@admin.register(ProcrastinateJob)
class JobAdmin(ProcrastinateJobAdmin):
    """Jobs of the queue, newest first: failed ones are found with the status filter."""

    ordering = ["-id"]
    actions = ["retry_jobs", "cancel_jobs"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_read_access_log(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return may_read_access_log(request.user) and super().has_view_permission(request, obj)

    @admin.action(description=_("Retry the selected failed jobs now"))
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        ProcrastinateJobAdmin.retry(self, request, queryset)

    @admin.action(description=_("Cancel the selected jobs that have not started"))
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        ProcrastinateJobAdmin.cancel(self, request, queryset)
