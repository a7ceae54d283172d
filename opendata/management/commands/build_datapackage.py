"""`manage.py build_datapackage [--as-of YYYY-MM-DD] [--force]`: build the data package now, as the worker does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from opendata import services


class Command(BaseCommand):
    help = "Build the data package of a date (default today) unless the stored one is up to date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--force", action="store_true", help="Build even if the stored package is up to date.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate()
        row = services.package_build(as_of=as_of, force=options["force"])
        if row is None:
            self.stdout.write(f"The data package as of {as_of} is up to date.")
        else:
            self.stdout.write(f"Built the data package as of {as_of}: {row.size:,} bytes in {row.seconds:.1f} s.")
