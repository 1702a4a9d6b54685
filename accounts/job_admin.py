"""The job runner's queue in the admin (docs/notifications/jobs.md): which jobs ran, which failed.

Procrastinate ships a read-only admin of its jobs; this one replaces it with translated columns and
a status filter, and shows it only to superusers and to the county's administrators (staff
accounts of the county administrator role over a whole county): the queue is county-wide, like
the access log. Nobody adds, edits or deletes a job here; a failed job can be run again and a
waiting one cancelled.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.choices import Role
from gridmap.choices import AreaLevel

STATUS_LABELS = {
    "todo": _("waiting"),
    "doing": _("running"),
    "succeeded": _("succeeded"),
    "failed": _("failed"),
    "cancelled": _("cancelled"),
    "aborted": _("aborted"),
}
EVENT_LABELS = {
    "deferred": _("queued"),
    "scheduled": _("scheduled"),
    "started": _("started"),
    "deferred_for_retry": _("to be retried"),
    "failed": _("failed"),
    "succeeded": _("succeeded"),
    "cancelled": _("cancelled"),
    "abort_requested": _("abort requested"),
    "aborted": _("aborted"),
}


def may_see_jobs(user: object) -> bool:
    """Superusers, and staff county administrators whose jurisdiction is a county."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    if getattr(user, "is_superuser", False):
        return True
    area = getattr(user, "jurisdiction", None)
    return getattr(user, "role", "") == Role.COUNTY_ADMIN and (
        area is not None and area.level == AreaLevel.COUNTY
    )


class StatusFilter(admin.SimpleListFilter):
    """By status, with translated names (the model's choices are procrastinate's own words)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return list(STATUS_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status=self.value()) if self.value() else queryset


admin.site.unregister(ProcrastinateJob)


@admin.register(ProcrastinateJob)
class JobAdmin(ProcrastinateJobAdmin):
    """Jobs of the queue, newest first: failed ones are found with the status filter."""

    ordering = ["-id"]
    list_display = ["pk", "task", "state", "attempts", "scheduled_at", "last_event"]
    list_filter = [StatusFilter, "task_name"]
    fields = ["pk", "task", "state", "attempts", "scheduled_at", "last_event", "queueing_lock"]
    actions = ["retry_jobs", "cancel_jobs"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return self.fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_jobs(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return may_see_jobs(request.user)

    @admin.display(description=_("task"), ordering="task_name")
    def task(self, job: ProcrastinateJob) -> str:
        return job.task_name.removesuffix("_periodic")

    @admin.display(description=_("status"), ordering="status")
    def state(self, job: ProcrastinateJob) -> str:
        return str(STATUS_LABELS.get(job.status, job.status))

    @admin.display(description=_("last event"))
    def last_event(self, job: ProcrastinateJob) -> str:
        event = job.procrastinateevent_set.first()  # newest first (get_queryset's prefetch)
        if event is None:
            return ""
        when = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S")
        return f"{EVENT_LABELS.get(event.type, event.type)} {when}"

    @admin.action(description=_("Retry the selected failed jobs now"))
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        ProcrastinateJobAdmin.retry(self, request, queryset)

    @admin.action(description=_("Cancel the selected jobs that have not started"))
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet) -> None:
        ProcrastinateJobAdmin.cancel(self, request, queryset)
