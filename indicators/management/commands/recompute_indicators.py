"""Recompute and store the slip indicators, synchronously, for one date or a range of dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from indicators import services

STEPS = {
    "day": relativedelta(days=1),
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' is not a date; write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Recompute the indicators as of a date (default: today in the policy's time zone), "
        "or back-fill history over a range of dates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=_date, help="The as-of date, YYYY-MM-DD (default: today).")
        parser.add_argument("--from", dest="start", type=_date, help="First date of a back-fill, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", type=_date, help="Last date of a back-fill (default: today).")
        parser.add_argument("--every", choices=sorted(STEPS), default="month", help="Step of a back-fill.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of, start, end = options["as_of"], options["start"], options["end"]
        if as_of and (start or end):
            raise CommandError("Give either --as-of or --from/--to, not both.")
        if end and not start:
            raise CommandError("--to needs --from.")
        if start:
            end = end or timezone.localdate()
            if end < start:
                raise CommandError(f"--to ({end}) comes before --from ({start}).")
            # Stepped from the start each time, so that months keep their day (31 Jan, 28 Feb, 31 Mar).
            step = STEPS[options["every"]]
            dates: list[dt.date] = []
            while (day := start + step * len(dates)) <= end:
                dates.append(day)
        else:
            dates = [as_of or timezone.localdate()]

        results = []
        progress = tqdm(dates, unit="date", disable=len(dates) < 2, file=self.stderr)
        for day in progress:
            progress.set_postfix_str(day.isoformat())
            results.append(services.indicators_recompute(as_of=day))

        for result in results:
            statuses = ", ".join(f"{count} {status}" for status, count in sorted(result.target_statuses.items()))
            self.stdout.write(
                f"{result.as_of}: {result.targets} targets ({statuses or 'none'}), "
                f"{result.milestones} milestones, {result.rollups} roll-ups in {result.seconds:.2f} s"
            )
            if result.invalid_targets:
                self.stderr.write(
                    self.style.WARNING(
                        f"  skipped {len(result.invalid_targets)} targets with invalid definitions: "
                        f"{', '.join(map(str, result.invalid_targets))}"
                    )
                )
        total = sum(r.seconds for r in results)
        self.stdout.write(self.style.SUCCESS(f"Recomputed {len(results)} date(s) in {total:.2f} s."))
