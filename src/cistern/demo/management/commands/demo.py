"""``cistern demo --accounts N --seed S [--if-empty]``: build the demo district."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cistern.core.calendar import district_today
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.demo.services import demo_district_build


class Command(BaseCommand):
    help = (
        "Build a deterministic demo district (customers, premises, meters, routes, cycles, "
        "accounts, staff for every role, rates, reads, bills and payments) of N accounts "
        "from a seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=5000, help="how many accounts")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same district")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already has accounts",
        )
        parser.add_argument(
            "--history-months",
            type=int,
            default=24,
            help="months of reads, posted bills and payments before the current period "
            "(0: none; the current period's reads are written either way)",
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the date the district's history leads up to (YYYY-MM-DD; default today)",
        )

    def handle(self, *args: object, **options: object) -> None:
        accounts = int(options["accounts"])  # type: ignore[call-overload]
        seed = int(options["seed"])  # type: ignore[call-overload]
        if options["if_empty"] and Account.objects.exists():
            self.stdout.write("The database already has accounts; no demo district built.")
            return
        today = options["today"] or district_today()
        verbose = int(options["verbosity"]) > 1  # type: ignore[call-overload]
        log = self.stdout.write if verbose else (lambda _: None)
        try:
            with _queries_not_logged():
                build = demo_district_build(
                    accounts=accounts,
                    seed=seed,
                    today=today,
                    history_months=int(options["history_months"]),  # type: ignore[call-overload]
                    log=log,
                )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in build.counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district built in {build.total_seconds:.1f}s from seed {seed}: {counts}."
            )
        )


@contextmanager
def _queries_not_logged() -> Iterator[None]:
    """Run with DEBUG off: under the development settings Django formats every query's SQL
    into ``connection.queries``, a tenth of a build's time over its hundred thousand
    queries, for a log nobody reads."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug
