"""The project's management commands' base: help texts that follow the language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class TranslatedHelpCommand(BaseCommand):
    """A command whose ``help`` is a lazy translation.

    argparse formats the description with a regular expression, which a lazy string is not:
    ``--help`` failed with a TypeError. The text is made a ``str`` in the active language when
    the parser is built.
    """

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)


def add_gis_file_arguments(parser: CommandParser, *, path_help: str) -> None:
    """The input-file arguments the GIS importers share (import_areas, import_roads): the path,
    --layer, --encoding and --source-crs (checked later by gridmap.io.parse_source_crs)."""
    parser.add_argument("path", type=Path, help=path_help)
    parser.add_argument("--layer", help=_("layer to read (files with several layers)"))
    parser.add_argument("--encoding", help=_("attribute encoding, e.g. GBK (Shapefiles)"))
    parser.add_argument(
        "--source-crs",
        help=_("wgs84, cgcs2000, gcj02, bd09 or EPSG:<number>; default: the file's own CRS"),
    )


def not_imported(path: Path, messages: list[str]) -> CommandError:
    """The error an importer stops with when a file's features are bad: nothing was written."""
    return CommandError(
        "\n".join(
            [_("%(path)s was not imported (nothing was written):") % {"path": path}, *messages]
        )
    )
