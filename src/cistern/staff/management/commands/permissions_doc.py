"""Print the roles page (docs/user-guide/roles.md) generated from the permission table."""

from typing import Any

from django.core.management.base import BaseCommand

from cistern.staff.roles_doc import permissions_markdown


class Command(BaseCommand):
    help = "Print docs/user-guide/roles.md, generated from the permission table."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(permissions_markdown(), ending="")
