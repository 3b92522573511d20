"""``cistern billing-check``: verify the bills against their lines and the ledger (B1-B3)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cistern.billing.checks import CHECKS, billing_check


class Command(BaseCommand):
    help = "Verify bill totals, their journal entries and one bill per period; exit 1 if not."

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        for name, problems in billing_check().items():
            title = CHECKS[name][0]
            if not problems:
                self.stdout.write(self.style.SUCCESS(f"ok    {name}  {title}"))
                continue
            failures += len(problems)
            self.stdout.write(self.style.ERROR(f"FAIL  {name}  {title}"))
            for problem in problems:
                self.stdout.write(f"      - {problem}")
        if failures:
            raise CommandError(f"billing-check found {failures} problem(s).", returncode=1)
        self.stdout.write("The bills are sound.")
