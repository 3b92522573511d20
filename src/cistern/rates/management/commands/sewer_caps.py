"""``cistern sewer-caps --year 2026``: recompute the winter-average sewer caps for a year.

Run once a year after the last winter bills are posted (April to June) and before the July
bills: see docs/operations/sewer-caps.md.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cistern.core.errors import ServiceError
from cistern.rates.sewer_caps import WINTERS, sewer_caps_recompute


class Command(BaseCommand):
    help = "Recompute each account's winter-average sewer cap, in force from July 1 of --year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, required=True, help="The year the caps take effect (July 1)."
        )
        parser.add_argument(
            "--winter",
            choices=sorted(WINTERS),
            default="nov-mar",
            help="Winter months averaged (default nov-mar: November of the year before to March).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = sewer_caps_recompute(year=options["year"], winter=options["winter"], actor=None)
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Sewer caps from July 1, {run.year}: {run.accounts_capped} account(s) capped; "
                f"{run.accounts_without_winter} sewer account(s) without a winter bill keep the "
                f"schedule's default cap."
            )
        )
