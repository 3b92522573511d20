"""``cistern ledger-check``: verify ledger invariants I1-I4 and I9 over the whole database.

Exits 0 and prints one line per invariant when all hold; otherwise prints each violation
and exits 1, so it can run from cron or a monitoring job.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cistern.ledger.checks import CHECKS, ledger_check


class Command(BaseCommand):
    help = "Verify the ledger's invariants (I1-I4, I9); exit non-zero on any violation."

    def handle(self, *args: Any, **options: Any) -> None:
        results = ledger_check()
        failures = 0
        for name, problems in results.items():
            title = CHECKS[name][0]
            if not problems:
                self.stdout.write(self.style.SUCCESS(f"ok    {name}  {title}"))
                continue
            failures += len(problems)
            self.stdout.write(self.style.ERROR(f"FAIL  {name}  {title}"))
            for problem in problems:
                self.stdout.write(f"      - {problem}")
        if failures:
            raise CommandError(f"ledger-check found {failures} violation(s).", returncode=1)
        self.stdout.write("The ledger is sound.")
