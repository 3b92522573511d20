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


class ReferenceEt(models.Model):
    """Reference evapotranspiration (ETo) of one zone in one calendar month, in inches.

    Monthly normals in the manner of the CIMIS Reference Evapotranspiration Zones map: the
    outdoor water budget of a premise in `zone` is rated with these inches, prorated by the
    days of each month in the billing period (``cistern.rates.et``). Changed only through
    ``reference_et_set``, which audits the change.
    """

    zone = models.CharField(_("ET zone"), max_length=20)  # e.g. "12" (CIMIS ETo zone 12)
    month = models.PositiveSmallIntegerField(_("month"))  # 1-12
    inches = models.DecimalField(_("ETo (inches)"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["zone", "month"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "month"], name="rates_et_one_row_per_month"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="rates_et_month_1_to_12"
            ),
            models.CheckConstraint(condition=models.Q(inches__gte=0), name="rates_et_not_negative"),
        ]

    def __str__(self) -> str:
        return f"ET zone {self.zone} month {self.month}: {self.inches} in"


class SewerCapRun(models.Model):
    """One yearly recomputation of the winter-average sewer caps (``sewer_caps_recompute``).

    ``year`` is the year the caps take effect (from July 1 of that year to June 30 of the
    next); the winter averaged is the one that ends in March (or February) of that year.
    """

    year = models.PositiveSmallIntegerField(_("year in force from July"))
    months = models.CharField(_("winter months"), max_length=40)  # e.g. "11,12,1,2,3"
    accounts_capped = models.PositiveIntegerField(default=0)
    accounts_without_winter = models.PositiveIntegerField(default=0)  # class default applies
    ran_at = models.DateTimeField()
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-ran_at"]

    def __str__(self) -> str:
        return f"Sewer caps {self.year} ({self.accounts_capped} accounts)"


class SewerCap(models.Model):
    """An account's winter-average sewer cap for the year from July 1 of ``year``.

    Derived data: the latest run for a year replaces that year's caps; earlier years stay as
    the history. A bill is rated with the cap of the latest year in force on its last
    service day (``cistern.rates.sewer_caps.sewer_caps_in_force``).
    """

    account = models.ForeignKey(
        "customers.Account", on_delete=models.CASCADE, related_name="sewer_caps"
    )
    year = models.PositiveSmallIntegerField(_("year in force from July"))
    cap_ccf = models.DecimalField(_("cap (CCF per period)"), max_digits=10, decimal_places=0)
    winter_bills = models.PositiveSmallIntegerField(default=0)  # bills averaged
    run = models.ForeignKey(SewerCapRun, on_delete=models.PROTECT, related_name="caps")

    class Meta:
        ordering = ["account", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="rates_one_sewer_cap_a_year"),
            models.CheckConstraint(
                condition=models.Q(cap_ccf__gte=0), name="rates_sewer_cap_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.year}: {self.cap_ccf} CCF"
