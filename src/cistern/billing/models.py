"""Billing cycles: groups of routes billed together on one schedule."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingCycle(models.Model):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY = "bimonthly", _("Bi-monthly")

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    read_day = models.PositiveSmallIntegerField(_("read day of month"), default=1)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
