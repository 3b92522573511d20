"""Rates and fees as stored data, effective-dated and tied to the resolution that adopted them.

Rows are never edited once in force: a change is a new row (a fee) or a new version (a rate
schedule) with a later ``effective_from``. A rate version used on a posted bill is frozen
(``cistern.rates.services`` refuses to change it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeSchedule(models.Model):
    """One fee amount in force from ``effective_from`` until the next row for the same code."""

    code = models.SlugField(_("code"), max_length=40)  # e.g. "returned_payment"
    label = models.CharField(_("label"), max_length=120)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    effective_from = models.DateField(_("effective from"))
    resolution = models.CharField(_("resolution"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="rates_fee_one_row_per_code_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount_cents} from {self.effective_from}"


class RateSchedule(models.Model):
    """A named schedule for one service (water, sewer...), for some premise classes.

    ``classes`` lists premise classes (``sfr``, ``commercial``...); empty means every class.
    Every account with the service open and a matching class is rated under every version
    of every matching schedule.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    service = models.CharField(
        _("service"),
        max_length=12,
        choices=[
            ("water", _("Water")),
            ("sewer", _("Sewer")),
            ("irrigation", _("Irrigation")),
            ("fire_line", _("Fire line")),
            ("recycled", _("Recycled water")),
        ],
    )
    classes = models.JSONField(_("premise classes"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service", "name"]

    def __str__(self) -> str:
        return self.name


class RateVersion(models.Model):
    """One adopted version of a schedule; ``document`` is the domain version as JSON.

    ``effective_from`` and the resolution are copied from the document for queries. Never
    changed once a posted bill has a line from it (``rates.services`` refuses); a change is
    a new version. The domain ``version_id`` is ``str(pk)``.
    """

    schedule = models.ForeignKey(RateSchedule, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("effective from"))
    resolution_number = models.CharField(_("resolution number"), max_length=60, blank=True)
    resolution_date = models.DateField(_("resolution date"), null=True, blank=True)
    document = models.JSONField(_("rate document"))  # see rates/serialization.py
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["schedule", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "effective_from"], name="rates_one_version_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule} from {self.effective_from}"
