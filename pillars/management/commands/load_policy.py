"""`manage.py load_policy`: load the bundled policy data (data/policy.yaml); safe to run again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pillars.loading import PolicyDataError, policy_load


def _data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data"


class Command(BaseCommand):
    help = (
        "Load the policy's sources, pillars, hubs, targets, milestones, incentives and risks from data/policy.yaml. "
        "Idempotent; records an editor has changed are kept unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path", type=Path, default=None, help="The data file to load (default: data/policy.yaml)."
        )
        parser.add_argument(
            "--illustrative",
            action="store_true",
            help="Also load the made-up progress figures of data/illustrative-progress.yaml (marked illustrative).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite records an editor has changed with the file's values."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # call_command() passes --path through unparsed, so it may arrive as a str.
        path = Path(options["path"]) if options["path"] else _data_dir() / "policy.yaml"
        illustrative_path = _data_dir() / "illustrative-progress.yaml" if options["illustrative"] else None
        try:
            report = policy_load(
                path=path, illustrative_path=illustrative_path, force=options["force"], stdout=self.stdout
            )
        except PolicyDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Loaded {path}" + (f" and {illustrative_path}" if illustrative_path else "") + ":")
        self.stdout.write(str(report))
