"""Staff users. Each has exactly one role; what a role may do is in ``permissions.py``."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from cistern.staff.roles import Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CSR_I)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username
