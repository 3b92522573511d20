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


class ReadImport(models.Model):
    """One meter-read file as received. The raw bytes are kept; the same file imports once."""

    class Layout(models.TextChoices):
        CANONICAL = "canonical", _("Canonical CSV")
        AMI = "ami", _("AMI export")
        HANDHELD = "handheld", _("Handheld route file")

    layout = models.CharField(_("layout"), max_length=12, choices=Layout.choices)
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    raw = models.BinaryField()  # the file exactly as received
    read_count = models.PositiveIntegerField(default=0)
    held_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.read_count} reads)"


class MeterRead(models.Model):
    """One register read of an installed meter, and what review decided about it.

    ``raw_value`` is the register as read (before the multiplier). A read with validation
    exceptions is ``held`` until someone releases it (with a reason), corrects it (a new read
    that ``corrects`` this one; this one is kept as ``corrected``) or asks for a reread.
    Only ``accepted`` and ``released`` reads are billable.
    """

    class ReadType(models.TextChoices):
        ACTUAL = "actual", _("Actual")
        AMI = "ami", _("AMI")
        ESTIMATED = "estimated", _("Estimated")
        CUSTOMER = "customer", _("Customer read")
        REREAD = "reread", _("Reread")
        MANUAL = "manual", _("Manual entry")

    class Review(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        HELD = "held", _("Held for review")
        RELEASED = "released", _("Released")
        CORRECTED = "corrected", _("Corrected")
        REREAD = "reread", _("Reread requested")

    # Indexed by (installation, read_on) below, which also serves the foreign key's lookups.
    installation = models.ForeignKey(
        MeterInstallation, on_delete=models.PROTECT, related_name="reads", db_index=False
    )
    read_at = models.DateTimeField(_("read at"))
    read_on = models.DateField(_("read date"))  # read_at's date in the district's time zone
    raw_value = models.BigIntegerField(_("register reading"))
    read_type = models.CharField(_("read type"), max_length=10, choices=ReadType.choices)
    trouble_code = models.CharField(_("trouble code"), max_length=20, blank=True)
    # Use since the previous billable read, in the meter's unit (after the multiplier).
    volume = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    exceptions = models.JSONField(default=list, blank=True)  # ReadException codes
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.ACCEPTED)
    review_reason = models.CharField(_("reason"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    source_import = models.ForeignKey(
        ReadImport, null=True, blank=True, on_delete=models.PROTECT, related_name="reads"
    )
    source_line = models.PositiveIntegerField(null=True, blank=True)
    entry_reason = models.CharField(_("reason for manual entry"), max_length=300, blank=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-read_at", "-id"]
        indexes = [
            # A bill run reads each installation's reads of the period by read date
            # (``billing.inputs._reads``); read history and duplicates go by read_at.
            models.Index(fields=["installation", "read_on"], name="metering_read_install_day"),
            models.Index(fields=["installation", "read_at"]),
            models.Index(fields=["review"]),
        ]

    def __str__(self) -> str:
        return f"{self.installation.meter_id} {self.read_on} {self.raw_value}"

    @property
    def billable(self) -> bool:
        return self.review in (self.Review.ACCEPTED, self.Review.RELEASED)
