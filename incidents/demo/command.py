"""What the seeded demo loaders (matters, responders) share: --force/--seed and the run itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from gridmap.management.base import TranslatedHelpCommand


class SeededDemoCommand(TranslatedHelpCommand):
    """A demo loader that does nothing when its rows are there, unless --force replaces them."""

    force_help: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        from incidents.demo.load import DEFAULT_SEED

        parser.add_argument("--force", action="store_true", help=str(self.force_help))
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("random seed (default %(default)s): the same seed on the same day, same data"),
        )

    def run_loader(
        self,
        load: Callable[..., Any],
        options: dict[str, Any],
        error: type[Exception],
    ) -> tuple[Any, float]:
        """Call ``load(seed=, replace=, progress=)`` with the options; its result and seconds.

        ``error`` (the loader's own refusal) becomes a CommandError: a message, no traceback.
        """
        started = time.perf_counter()
        progress = self.stdout.write if options["verbosity"] >= 1 else (lambda message: None)
        try:
            result = load(
                seed=int(options["seed"]), replace=bool(options["force"]), progress=progress
            )
        except error as refusal:
            raise CommandError(str(refusal)) from None
        return result, time.perf_counter() - started

    def write_summary(self, lines: Iterable[str], options: dict[str, Any]) -> None:
        if options["verbosity"] >= 1:
            for line in lines:
                self.stdout.write(f"  {line}")
