"""Records of imports: each run, the people a roster identified, the matters a ledger brought in,
the editable mapping of ledger category texts, and accounts still on their initial password."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField, KeyedHashField
from incidents.models import Category, Incident
from onboarding.choices import ImportKind
from volunteers.models import Volunteer


class ImportBatch(models.Model):
    """One import of one file: who, when, which file (name and SHA-256), counts, the report."""

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    started_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by_label = models.CharField(
        _("imported by (as recorded)"),
        max_length=150,
        blank=True,
        help_text=_("The account name, or the system user who ran the command."),
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} @ {self.started_at:%Y-%m-%d %H:%M}"


class ImportedPerson(models.Model):
    """A person of a roster as it identifies them: their ID number and phone (encrypted, with
    keyed hashes for matching) and the account or volunteer record made for them."""

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    id_number = EncryptedTextField(_("ID number"), blank=True, db_column="id_number_encrypted")
    phone = EncryptedTextField(_("phone"), blank=True, db_column="phone_encrypted")
    id_number_hash = KeyedHashField(
        _("ID number (keyed hash)"), source="id_number", kind="id_number"
    )
    phone_hash = KeyedHashField(_("phone (keyed hash)"), source="phone", kind="phone")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("last import"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="people",
    )

    class Meta:
        verbose_name = _("imported person")
        verbose_name_plural = _("imported people")

    def __str__(self) -> str:
        return str(self.user or self.volunteer or self.pk)


class ImportedMatter(models.Model):
    """A matter brought in from a ledger: its batch, source row, and the ledger's own number."""

    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="ledger_row"
    )
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.PROTECT, related_name="matters"
    )
    source_row = models.PositiveIntegerField(_("row in the file"))
    original_number = models.CharField(_("number in the ledger"), max_length=60, blank=True)
    category_text = models.CharField(_("category as written"), max_length=100, blank=True)
    # The ledger's 责任单位 as written: a text naming the county's own offices
    # (司法所, 派出所, 村委会…), not one of our handling units, and part of the ledger's
    # record rather than of the matter's workflow: so it lives here, beside the row and
    # number, and goes with an undone import.
    responsible_unit = models.CharField(
        _("responsible unit (责任单位)"),
        max_length=100,
        blank=True,
        default="",
        # In the database too: a writer that does not know the column (COPY) still inserts rows.
        db_default="",
        help_text=_("As the ledger names it; shown on the matter's page."),
    )
    # The ledger's number where it has one, else a hash of the row's content: a second import of
    # the same ledger finds its matters by this key and adds nothing.
    key = models.CharField(_("identity key"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("imported matter")
        verbose_name_plural = _("imported matters")
        ordering = ["batch", "source_row"]

    def __str__(self) -> str:
        return self.original_number or f"{self.batch_id}:{self.source_row}"


class CategoryMapping(models.Model):
    """A category as ledgers write it (婚姻家庭纠纷) → the category table; editable."""

    text = models.CharField(_("text in the ledger"), max_length=100, unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger category mapping")
        verbose_name_plural = _("ledger category mappings")
        ordering = ["text"]

    def __str__(self) -> str:
        return f"{self.text} → {self.category}"


class InitialPassword(models.Model):
    """An account made by an import that still has its one-time initial password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="initial_password",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("initial password to change")
        verbose_name_plural = _("initial passwords to change")

    def __str__(self) -> str:
        return str(self.user)


class UploadState(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked: confirm to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Could not be read")


def upload_path(upload: ImportUpload, filename: str) -> str:
    """Under MEDIA_ROOT (never served), by a fresh UUID: the file's own name is kept apart."""
    import uuid
    from pathlib import PurePath

    return f"onboarding/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class ImportUpload(models.Model):
    """A file sent on the Import page: checked in the background (a dry run), shown as a
    preview, then imported when the administrator confirms."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=upload_path)
    original_name = models.CharField(_("file name"), max_length=255)
    options = models.JSONField(_("options"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=UploadState.choices, default=UploadState.CHECKING
    )
    message = models.TextField(_("message"), blank=True)
    preview = models.JSONField(_("check report"), default=dict, blank=True)
    result = models.JSONField(_("import report"), default=dict, blank=True)
    error_report = models.FileField(_("bad rows (.xlsx)"), upload_to="onboarding/", blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # The new accounts' initial passwords (CSV), encrypted at rest, handed out once and cleared.
    passwords = EncryptedTextField(_("initial passwords"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
