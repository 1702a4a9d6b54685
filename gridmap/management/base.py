"""The project's management commands' base: help texts that follow the language."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class TranslatedHelpCommand(BaseCommand):
    """A command whose ``help`` is a lazy translation.

    argparse formats the description with a regular expression, which a lazy string is not:
    ``--help`` failed with a TypeError. The text is made a ``str`` in the active language when
    the parser is built.
    """

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
