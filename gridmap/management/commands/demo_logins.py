"""manage.py demo_logins: the site address and the demo users to log in with."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from gridmap.demo.table import text_table
from gridmap.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help = gettext_lazy("Print the site address and the demo logins (after load_demo).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help=_("the address the site is served at")
        )

    def handle(self, *args: object, **options: object) -> None:
        users = {
            user.username: user
            for user in get_user_model()
            .objects.filter(username__in=[login.username for login in DEMO_LOGINS])
            .select_related("jurisdiction")
        }
        if not users:
            self.stderr.write(_("No demo logins yet: run manage.py load_demo first."))
            return
        rows = [(_("username"), _("password"), _("role"), _("name"), _("jurisdiction"))]
        for login in DEMO_LOGINS:
            user = users.get(login.username)
            if user is None:
                continue
            area = user.jurisdiction
            rows.append(
                (
                    user.username,
                    DEMO_PASSWORD,
                    str(user.get_role_display()),
                    user.display_name,
                    f"{area.name} ({area.code})" if area else "—",
                )
            )
        self.stdout.write("")
        self.stdout.write(_("Pingan Grid demo: %(url)s") % {"url": options["url"]})
        self.stdout.write("")
        for line in text_table(rows):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(
            _("Every demo login has the password %(password)s (unless changed since).")
            % {"password": DEMO_PASSWORD}
        )
