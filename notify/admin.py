"""Notifications in the Django admin: read-only (the delivery log page retries failed ones)."""

from django.contrib import admin

from notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "recipient", "center", "channel", "status", "attempts"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["event_key", "title", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "center"]
    raw_id_fields = ["recipient", "center", "incident"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
