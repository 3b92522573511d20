"""The named cast of staff: one user per role, with predictable usernames."""

from cistern.staff.models import User
from cistern.staff.roles import Role

PASSWORD = "cistern-demo-password"  # test and demo only

CAST = {
    Role.CSR_I: ("ana", "Ana Reyes"),
    Role.CSR_II: ("ben", "Ben Okafor"),
    Role.CSR_III: ("carla", "Carla Nguyen"),
    Role.CSR_SENIOR: ("dev", "Dev Patel"),
    Role.MANAGER: ("elena", "Elena Morales"),
    Role.FINANCE: ("frank", "Frank Li"),
    Role.FIELD: ("gus", "Gus Hernandez"),
    Role.AUDITOR: ("hana", "Hana Kim"),
    Role.ADMIN: ("ivan", "Ivan Petrov"),
}


def staff_user(role: Role, *, username: str | None = None) -> User:
    default_username, full_name = CAST[role]
    user, created = User.objects.get_or_create(
        username=username or default_username, defaults={"role": role, "full_name": full_name}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user
