"""``cistern api-key-create NAME``: make an API key for an integration; print it once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cistern.api.keys import api_key_create
from cistern.core.errors import ServiceError


class Command(BaseCommand):
    help = "Create an API key for an integration (IVR, web payments...). Shown once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help="Who uses the key, e.g. 'IVR'")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key, raw = api_key_create(name=options["name"])
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"API key for {key.name} (store it now; it is not shown again):")
        self.stdout.write(raw)
