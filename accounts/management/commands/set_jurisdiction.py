"""manage.py set_jurisdiction USERNAME AREA_CODE [--role ROLE]."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.choices import Role
from accounts.services import AccountError, set_jurisdiction


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Give a user the area they may see (and optionally a role). A superuser made with "
        "createsuperuser has none, and every list is scoped to it: run this once for them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("area_code", help="statistical code of the area, e.g. 621122000000")
        parser.add_argument("--role", choices=Role.values)

    def handle(self, *args: object, **options: object) -> None:
        try:
            user = set_jurisdiction(
                username=str(options["username"]),
                area_code=str(options["area_code"]),
                role=options["role"],  # type: ignore[arg-type]
            )
        except AccountError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{user.username}: {user.get_role_display()}, {user.jurisdiction}")
