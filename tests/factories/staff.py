"""The named cast of staff: one user per role, with predictable usernames."""

# One cast for the demo district and the tests (usernames, names and the demo password).
from cistern.demo.cast import CAST, PASSWORD
from cistern.staff.models import User
from cistern.staff.roles import Role

__all__ = ["CAST", "PASSWORD", "staff_user"]


def staff_user(role: Role, *, username: str | None = None) -> User:
    default_username, full_name = CAST[role]
    user, created = User.objects.get_or_create(
        username=username or default_username, defaults={"role": role, "full_name": full_name}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user
