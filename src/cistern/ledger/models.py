"""The double-entry ledger: chart of accounts, periods, journal entries and their postings.

Invariants (reference/reliability.md I1-I4, I9):
- every journal entry's postings sum to zero (debits positive, credits negative, in cents);
- entries and postings are never updated or deleted (PostgreSQL triggers refuse it); a
  mistake is corrected by a reversing entry that points at its original, at most once;
- one entry per idempotency key;
- nothing posts into a closed accounting period.
Only ``cistern.ledger.services.journal_entry_post`` writes entries and postings.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LedgerAccount(models.Model):
    """One line of the chart of accounts (cash clearing, water receivable, sewer revenue...)."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Equity")
        REVENUE = "revenue", _("Revenue")
        EXPENSE = "expense", _("Expense")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Postings to a receivable account must carry the customer account and a charge category.
    is_receivable = models.BooleanField(_("customer receivable"), default=False)
    # The general-ledger coordinates used by the daily journal export.
    gl_fund = models.CharField(_("GL fund"), max_length=10, blank=True)
    gl_department = models.CharField(_("GL department"), max_length=10, blank=True)
    gl_account = models.CharField(_("GL account"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AccountingPeriod(models.Model):
    """A span of effective dates that Finance can close; a closed period takes no postings."""

    start_date = models.DateField(unique=True)
    end_date = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="period_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class JournalEntry(models.Model):
    """One balanced financial event. Never modified after posting."""

    # Unique by the constraint below (a plain unique index: ``unique=True`` would add a
    # second, pattern-ops index on PostgreSQL for LIKE queries that nothing makes).
    idempotency_key = models.CharField(max_length=120)
    # SHA-256 of the entry's content, to tell a replay (same content) from a reused key.
    content_hash = models.CharField(max_length=64)
    effective_date = models.DateField(db_index=True)  # the accounting date (in the district's zone)
    recorded_at = models.DateTimeField()  # when the system wrote it
    source = models.CharField(max_length=40)  # bill, payment, adjustment, fee, reversal...
    source_ref = models.CharField(max_length=80, blank=True)  # e.g. the bill or receipt number
    memo = models.CharField(max_length=300, blank=True)
    # Not indexed: no query looks entries up by who posted them (a bill run's 100,000 entries
    # all name one user). On PostgreSQL this and ``reverses`` are checked per statement by
    # triggers, not by foreign keys (``cistern.ledger.db_references``).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The entry this one reverses; at most one reversal per entry (the partial unique
    # constraint below: nearly every entry reverses none, and those rows stay out of the
    # index). ``entry.reversed_by`` is therefore a manager: ``entry.reversed_by.first()``.
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_index=False,
    )

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="ledger_entry_one_per_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="ledger_entry_reversed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"JE{self.pk} {self.source} {self.effective_date}"


class Posting(models.Model):
    """One leg of a journal entry. ``amount_cents`` > 0 is a debit, < 0 a credit; never 0."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # No single-column index on the two accounts: the composite indexes below lead with
    # them. On PostgreSQL the three references are checked per statement by triggers, not
    # by foreign keys (``cistern.ledger.db_references``).
    ledger_account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    amount_cents = models.BigIntegerField()
    # Set on receivable postings: whose balance it moves, and for what.
    customer_account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
        db_index=False,
    )
    charge_category = models.CharField(
        max_length=30, blank=True
    )  # water, sewer, late_fee, deposit...
    effective_date = models.DateField()  # copied from the entry, for balance and aging queries

    class Meta:
        ordering = ["id"]
        indexes = [
            # Only receivable postings name a customer account (about half: the revenue and
            # cash legs carry none), and every query by it says ``customer_account_id = X``
            # (or ``= ANY``/``IN``), which implies the condition on both vendors' planners.
            models.Index(
                fields=["customer_account", "effective_date"],
                condition=Q(customer_account__isnull=False),
                name="ledger_posting_customer_date",
            ),
            models.Index(fields=["ledger_account", "effective_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="posting_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_account_id} {self.amount_cents}"
