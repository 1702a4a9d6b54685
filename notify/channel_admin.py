"""Admin of the centers' channels (WeCom, DingTalk, SMS gateway) with a "send test message" button.

Superusers and county administrators (staff accounts) manage the channels of the centers inside
their jurisdiction. The secret and the URL (whose query holds WeCom's key or DingTalk's
access_token) are write-only: never shown back; left blank on a change they keep their value.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from gridmap.admin import JurisdictionScopedAdmin
from gridmap.choices import AreaLevel
from gridmap.models import Area
from gridmap.scoping import scope
from notify.channels import DeliveryError
from notify.channels.http import check_url, public_url
from notify.channels.probe import send_test_message
from notify.choices import Status
from notify.models import CenterChannel


class WriteOnlyInput(forms.TextInput):
    """A text input that never renders the stored value (the placeholder says what is set)."""

    def format_value(self, value: object) -> None:
        return None


class CenterChannelForm(forms.ModelForm):
    """Edits a channel without ever sending its URL or secret back to the browser."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=WriteOnlyInput(attrs={"size": 80, "autocomplete": "off"}),
        help_text=_(
            "The robot's webhook URL or the SMS gateway's address, https. Not shown again: "
            "leave blank to keep the stored one."
        ),
    )
    secret = forms.CharField(
        label=_("secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "DingTalk signing secret or SMS gateway key. Not shown again: leave blank to keep "
            "the stored one."
        ),
    )
    clear_secret = forms.BooleanField(label=_("remove the stored secret"), required=False)

    class Meta:
        model = CenterChannel
        fields = ["area", "kind", "url", "secret", "clear_secret", "enabled"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            hint = public_url(self.instance.url)
            if urlsplit(self.instance.url).query:
                hint += "?…"
            self.fields["url"].widget.attrs["placeholder"] = hint
            if self.instance.secret:
                self.fields["secret"].widget.attrs["placeholder"] = "********"

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url:
            if self.instance.pk:
                return self.instance.url
            raise forms.ValidationError(_("Enter the URL."))
        try:
            check_url(url)
        except DeliveryError as exc:
            raise forms.ValidationError(
                _(
                    "Use an https address; plain http only to 127.0.0.1 or localhost, or on an "
                    "intranet with NOTIFY_ALLOW_HTTP set."
                )
            ) from exc
        return url

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("clear_secret"):
            cleaned["secret"] = ""
        elif not cleaned.get("secret") and self.instance.pk:
            cleaned["secret"] = self.instance.secret
        return cleaned


def may_manage(request: HttpRequest) -> bool:
    """Superusers and county administrators with a staff account."""
    user = request.user
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or getattr(user, "role", "") == Role.COUNTY_ADMIN)
    )


@admin.register(CenterChannel)
class CenterChannelAdmin(JurisdictionScopedAdmin, admin.ModelAdmin):
    form = CenterChannelForm
    list_display = ["area", "kind", "address", "has_secret", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["^area__code", "area__name"]
    list_select_related = ["area"]
    actions = ["send_test"]
    change_form_template = "admin/notify/centerchannel/change_form.html"

    @admin.display(description=_("address"))
    def address(self, obj: CenterChannel) -> str:
        return public_url(obj.url)

    @admin.display(description=_("secret set"), boolean=True)
    def has_secret(self, obj: CenterChannel) -> bool:
        return bool(obj.secret)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: CenterChannel | None = None) -> bool:
        return may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: CenterChannel | None = None) -> bool:
        return may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: CenterChannel | None = None) -> bool:
        return may_manage(request)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField | None:
        if db_field.name == "area":
            # Centers exist for county, township and village areas of the user's jurisdiction.
            kwargs["queryset"] = scope(
                Area.objects.current().without_shapes().exclude(level=AreaLevel.GRID),
                request.user,
                "",
            ).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="{}_{}_send_test".format(*info),
            ),
            *super().get_urls(),
        ]

    def send_test_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: send a test message through this channel now and report how it went."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not may_manage(request):
            return HttpResponseRedirect(reverse("admin:login"))
        channel = get_object_or_404(self.get_queryset(request), pk=object_id)
        self._report(request, channel)
        return HttpResponseRedirect(reverse("admin:notify_centerchannel_change", args=[channel.pk]))

    @admin.action(description=_("Send a test message"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[CenterChannel]) -> None:
        for channel in queryset.select_related("area"):
            self._report(request, channel)

    def _report(self, request: HttpRequest, channel: CenterChannel) -> None:
        notification = send_test_message(channel=channel, user=request.user)
        if notification.status == Status.SENT:
            self.message_user(
                request,
                _("%(channel)s: the test message was delivered.") % {"channel": channel},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("%(channel)s: the test message failed: %(error)s")
                % {"channel": channel, "error": notification.last_error},
                messages.ERROR,
            )
