"""Meters, routes, and which meter was installed at which premise when."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Route(models.Model):
    """A meter-reading route; every premise on it is read in ``read_sequence`` order."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)
    cycle = models.ForeignKey(
        "billing.BillingCycle", on_delete=models.PROTECT, related_name="routes"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class MeterSize(models.TextChoices):
    S5_8 = "5/8", '5/8"'
    S3_4 = "3/4", '3/4"'
    S1 = "1", '1"'
    S1_5 = "1-1/2", '1-1/2"'
    S2 = "2", '2"'
    S3 = "3", '3"'
    S4 = "4", '4"'
    S6 = "6", '6"'
    S8 = "8", '8"'
    S10 = "10", '10"'


class VolumeUnit(models.TextChoices):
    CCF = "ccf", _("CCF (hundred cubic feet)")
    CUBIC_FEET = "cf", _("cubic feet")
    GALLONS = "gal", _("gallons")
    KGAL = "kgal", _("thousand gallons")


class Meter(models.Model):
    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        INSTALLED = "installed", _("Installed")
        RETIRED = "retired", _("Retired")

    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    size = models.CharField(_("size"), max_length=6, choices=MeterSize.choices)
    unit = models.CharField(_("unit of measure"), max_length=4, choices=VolumeUnit.choices)
    dials = models.PositiveSmallIntegerField(_("dials"), default=6)
    # The register reading times the multiplier is the volume in ``unit``.
    multiplier = models.DecimalField(_("multiplier"), max_digits=10, decimal_places=4, default=1)
    ami_endpoint_id = models.CharField(
        _("AMI endpoint id"), max_length=40, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_STOCK
    )

    class Meta:
        ordering = ["serial"]

    def __str__(self) -> str:
        return self.serial


class MeterInstallation(models.Model):
    """A meter set at a premise from ``installed_on`` until ``removed_on`` (open while null).

    Reads are raw register values (before the multiplier).
    """

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="installations")
    premise = models.ForeignKey(
        "customers.Premise", on_delete=models.PROTECT, related_name="installations"
    )
    installed_on = models.DateField(_("installed on"))
    install_read = models.BigIntegerField(_("read at install"), default=0)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_read = models.BigIntegerField(_("read at removal"), null=True, blank=True)

    class Meta:
        ordering = ["-installed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter"],
                condition=Q(removed_on__isnull=True),
                name="meter_one_open_installation",
            ),
            models.UniqueConstraint(
                fields=["premise"],
                condition=Q(removed_on__isnull=True),
                name="premise_one_open_meter",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("installed_on")),
                name="installation_removed_after_installed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter} @ {self.premise_id} from {self.installed_on}"
