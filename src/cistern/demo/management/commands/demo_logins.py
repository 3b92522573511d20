"""``cistern demo_logins``: the demo staff's usernames, roles and password."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cistern.demo.cast import CAST, PASSWORD
from cistern.staff.models import User


class Command(BaseCommand):
    help = "Print the demo staff sign-ins (one per role)."

    def handle(self, *args: object, **options: object) -> None:
        users = {
            u.username: u for u in User.objects.filter(username__in=[u for u, _ in CAST.values()])
        }
        if not users:
            self.stdout.write("No demo staff in this database. Run `cistern demo` first.")
            return
        rows = [
            (username, str(role.label), full_name)
            for role, (username, full_name) in CAST.items()
            if username in users
        ]
        width_user = max(len("username"), *(len(r[0]) for r in rows))
        width_role = max(len("role"), *(len(r[1]) for r in rows))
        self.stdout.write("Demo staff sign-ins (demo only; every one uses the same password):")
        self.stdout.write(f"  {'username':<{width_user}}  {'role':<{width_role}}  password")
        for username, role, _name in rows:
            self.stdout.write(f"  {username:<{width_user}}  {role:<{width_role}}  {PASSWORD}")
