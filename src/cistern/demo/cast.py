"""The demo staff: one user per role.

A copy of the test cast in ``tests/factories/staff.py`` (same usernames, names and password),
because ``tests/`` is not part of the installed package. Keep the two in step.
"""

from cistern.staff.roles import Role

PASSWORD = "cistern-demo-password"  # noqa: S105 -- demo only; `cistern demo_logins` prints it

CAST: dict[Role, tuple[str, str]] = {
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
