"""Admin of onboarding: imports (read-only; a ledger import can be undone), the editable ledger
category mapping, imported matters and people (masked), accounts still on an initial password."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from incidents.privacy import mask_id_number, mask_phone
from onboarding.ledger_write import UndoError, undo_import
from onboarding.models import (
    CategoryMapping,
    ImportBatch,
    ImportedMatter,
    ImportedPerson,
    InitialPassword,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the importers: seen here, changed only by importing (or undoing)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.action(description=_("Undo the selected ledger imports"))
def undo_selected(modeladmin: ImportBatchAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    """Undo each selected ledger import whose matters nothing links to; say which could not."""
    for batch in queryset:
        try:
            count = undo_import(batch=batch)
        except UndoError as error:
            modeladmin.message_user(request, f"{batch}: {error}", messages.WARNING)
        else:
            modeladmin.message_user(
                request,
                _("%(batch)s undone: %(count)d matters removed.")
                % {"batch": batch, "count": count},
                messages.SUCCESS,
            )


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "file_name", "started_at", "by_label", "rows", "created",
                    "updated", "unchanged", "skipped", "undone_at"]  # fmt: skip
    list_filter = ["kind"]
    search_fields = ["file_name", "file_sha256"]
    actions = [undo_selected]


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    """Ledger texts → categories: add a text a ledger used, then import the ledger again."""

    list_display = ["text", "category"]
    list_editable = ["category"]
    search_fields = ["text"]
    autocomplete_fields = ["category"]


@admin.register(ImportedMatter)
class ImportedMatterAdmin(ReadOnlyAdmin):
    list_display = [
        "original_number", "incident", "batch", "source_row", "category_text", "responsible_unit",
    ]  # fmt: skip
    search_fields = ["original_number", "category_text", "responsible_unit"]
    list_select_related = ["incident", "batch"]


@admin.register(ImportedPerson)
class ImportedPersonAdmin(ReadOnlyAdmin):
    """Who a roster identified; the ID number and phone are shown masked."""

    list_display = ["kind", "user", "volunteer", "masked_id_number", "masked_phone", "batch"]
    list_filter = ["kind"]
    fields = ["kind", "user", "volunteer", "masked_id_number", "masked_phone", "batch"]
    readonly_fields = fields

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: ImportedPerson) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: ImportedPerson) -> str:
        return mask_phone(obj.phone)


@admin.register(InitialPassword)
class InitialPasswordAdmin(ReadOnlyAdmin):
    """Accounts that have not yet replaced the initial password an import gave them."""

    list_display = ["user", "batch", "issued_at"]
