"""District-wide records: settings, the business calendar, the audit trail, gapless sequences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DistrictSettings(models.Model):
    """The district's identity and office facts. One row (pk=1); edited by an Administrator."""

    name = models.CharField(_("district name"), max_length=200, default="Demo Water District")
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, default="CA")
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Los_Angeles")
    logo = models.FileField(_("logo"), upload_to="district/", blank=True)

    class Meta:
        verbose_name = _("district settings")

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A day the business office is closed (holiday, closure, furlough).

    Every weekday not listed here is a business day; weekends never are. Holidays are seeded
    from the California calendar (``holidays`` package) and then edited by staff.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Legal holiday")
        CLOSURE = "closure", _("Office closure")
        FURLOUGH = "furlough", _("Furlough day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    seeded = models.BooleanField(default=False, help_text=_("Came from the holiday seed."))

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class AuditEvent(models.Model):
    """Who did what, when, to which record, with the values before and after, and why.

    Append-only: never updated or deleted (PostgreSQL triggers refuse it). Written only by
    ``cistern.core.audit.audit_record`` from inside the service that made the change, in the
    same transaction.
    """

    occurred_at = models.DateTimeField(db_index=True)
    # Indexed by (actor, occurred_at) below; on PostgreSQL checked per statement by a trigger
    # instead of a foreign key (``cistern.ledger.db_references``).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # e.g. "customer.mailing_address.update"; indexed once, below (``db_index`` would build
    # two indexes on PostgreSQL: a plain one and a pattern-ops one for LIKE).
    action = models.CharField(max_length=80)
    subject_type = models.CharField(max_length=60)  # e.g. "customers.Customer"
    subject_id = models.CharField(max_length=40)
    account_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # customers.Account
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Only the account history looks events up by subject, and only customers' (an
            # account's own events are found by ``account_id``): the bill run's entry events
            # stay out of this index.
            models.Index(
                fields=["subject_id"],
                condition=Q(subject_type="customers.Customer"),
                name="core_audit_customer_subject",
            ),
            models.Index(fields=["actor", "occurred_at"]),
            # The audit filter matches an action from its start (``LIKE 'customer.%'``) and
            # the suggestions list the distinct actions. PostgreSQL: varchar_pattern_ops
            # serves both ``=`` and a prefix LIKE whatever the database's collation (a plain
            # index serves LIKE only under the C collation). SQLite ignores opclasses and
            # builds a plain index, which its LIKE optimization does not use (LIKE is case-
            # insensitive there): the prefix filter reads the events newest first instead.
            models.Index(
                fields=["action"], name="core_audit_action", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}#{self.subject_id}"
        )


class Sequence(models.Model):
    """A named counter handed out without gaps (receipts, account numbers).

    ``cistern.core.numbering.sequence_next`` takes the row lock and increments inside the
    caller's transaction, so a rolled-back transaction gives its number back.
    """

    name = models.CharField(max_length=60, unique=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class CalendarRemoval(models.Model):
    """A closed day staff removed from the calendar (e.g. a state holiday the office keeps open).

    The holiday seed skips these dates, so seeding again never brings back a removed holiday.
    """

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    removed_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name} (removed)"
