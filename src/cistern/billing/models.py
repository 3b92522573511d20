"""Billing cycles, bill runs, bills and their explained lines, and run exceptions."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


class BillRun(models.Model):
    """One cycle billed for one period: draft -> reviewed -> posted -> issued.

    ``period_start``/``period_end`` are the first and last service days (both inclusive).
    Calculating writes draft bills and exceptions and nothing to the ledger; posting writes
    each bill's journal entry, in chunks that commit independently (``billing.posting``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEWED = "reviewed", _("Reviewed")
        POSTED = "posted", _("Posted")
        ISSUED = "issued", _("Issued")

    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="bill_runs")
    period_start = models.DateField(_("first service day"))
    period_end = models.DateField(_("last service day"))
    bill_date = models.DateField(_("bill date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Bills above (or below) the account's recent average by this factor are exceptions.
    high_factor = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("2.00"))
    low_factor = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.50"))
    accounts_total = models.PositiveIntegerField(default=0)
    bills_calculated = models.PositiveIntegerField(default=0)
    bills_posted = models.PositiveIntegerField(default=0)
    total_cents = models.BigIntegerField(default=0)  # of the draft/posted bills (not held)
    calculated_at = models.DateTimeField(null=True, blank=True)
    post_started_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "cycle"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "period_start", "period_end"], name="billing_one_run_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="billing_run_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.code} {self.period_start} to {self.period_end}"


class Bill(models.Model):
    """One account's bill for one period. Posted bills are never edited; a correction
    cancels (reversing entry) and rebills. At most one live (not cancelled) bill per account
    and period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        HELD = "held", _("Held")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        CYCLE = "cycle", _("Cycle bill")
        FINAL = "final", _("Final bill")
        REBILL = "rebill", _("Corrected bill")

    # Indexed by (run, account) below. On PostgreSQL run, account and journal_entry are
    # checked per statement by triggers, not foreign keys (``cistern.ledger.db_references``).
    run = models.ForeignKey(
        BillRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bills",
        db_index=False,
    )
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="bills")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CYCLE)
    period_start = models.DateField(_("first service day"))
    period_end = models.DateField(_("last service day"))
    bill_date = models.DateField(_("bill date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    total_cents = models.BigIntegerField(default=0)  # always the sum of the lines
    usage = models.DecimalField(max_digits=14, decimal_places=4, default=0)  # in usage_unit
    usage_unit = models.CharField(max_length=6, blank=True)
    estimated = models.BooleanField(default=False)  # usage estimated from history
    # True-up: use already billed on estimates, subtracted from the reads (in usage_unit).
    estimated_before = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    reads_used = models.JSONField(default=list, blank=True)  # MeterRead ids
    # Not indexed: nothing looks a bill up by its entry, and entries are never deleted.
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The corrected bill a rebill replaces; at most one rebill per bill (the partial unique
    # constraint below: nearly every bill replaces none, and those rows stay out of the
    # index). ``bill.replaced_by`` is therefore a manager: ``bill.replaced_by.first()``.
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        db_index=False,
    )
    # Indexed only where set (below): nearly every bill is never held by a person.
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    held_reason = models.CharField(max_length=300, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)
    # Not cancelled: computed by the database from ``status`` (draft, held and posted bills
    # are all live). The one-bill-per-period constraint names this column, not ``status``,
    # so posting (draft -> posted) changes no indexed value and PostgreSQL can update the
    # row in place (a HOT update, with the fillfactor set in migration 0008). A query
    # that wants that index says ``live`` (``status <> 'cancelled'`` cannot use it).
    live = models.GeneratedField(
        expression=~Q(status="cancelled"),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-period_end", "account"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "period_start", "period_end"],
                condition=Q(live=True),
                name="billing_one_bill_per_account_and_period",
            ),
            models.UniqueConstraint(
                fields=["replaces"],
                condition=Q(replaces__isnull=False),
                name="billing_bill_replaced_once",
            ),
        ]
        # No index on status alone: every query by status is scoped by run or account.
        indexes = [
            models.Index(fields=["run", "account"]),
            models.Index(
                fields=["held_by"], condition=Q(held_by__isnull=False), name="billing_bill_held_by"
            ),
        ]

    def __str__(self) -> str:
        return f"B{self.pk} {self.account_id} {self.period_start} to {self.period_end}"

    @property
    def number(self) -> str:
        return f"B{self.pk:08d}"


class BillLine(models.Model):
    """One explained line, exactly as the rating engine produced it (see rates/domain/bill.py).

    Quantities and prices are exact decimals; ``amount_cents`` is the line rounded once.
    ``category`` is the ledger charge category (water, sewer...) the line posts to.
    """

    # No index of its own: the unique (bill, seq) index leads with it.
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines", db_index=False)
    seq = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    rate_version = models.ForeignKey(
        "rates.RateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_start = models.DateField()
    service_end = models.DateField()  # exclusive, as in the engine
    days = models.PositiveIntegerField()
    proration = models.DecimalField(max_digits=24, decimal_places=12)
    tier = models.PositiveSmallIntegerField(default=0)
    tier_from = models.DecimalField(max_digits=24, decimal_places=12, null=True, blank=True)
    tier_to = models.DecimalField(max_digits=24, decimal_places=12, null=True, blank=True)
    unit = models.CharField(max_length=20)
    quantity = models.DecimalField(max_digits=24, decimal_places=12)
    unit_price = models.DecimalField(max_digits=24, decimal_places=12)  # dollars per unit
    amount_cents = models.BigIntegerField()
    category = models.CharField(max_length=30)

    class Meta:
        ordering = ["bill", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "seq"], name="billing_line_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.amount_cents}"


class BillException(models.Model):
    """Something a reviewer must look at before the run is reviewed.

    Open until resolved: releasing accepts the bill as calculated; holding keeps the bill out
    of posting. A held bill is released only by someone other than the person who held it.
    """

    class Kind(models.TextChoices):
        READ_EXCEPTION = "read_exception", _("Unreleased read exception")
        ESTIMATED = "estimated", _("Estimated read")
        OVER_ESTIMATED = "over_estimated", _("Estimates exceeded the reads")
        HIGH = "high", _("Above history")
        LOW = "low", _("Below history")
        ZERO_OR_NEGATIVE = "zero_or_negative", _("Zero or negative total")
        NO_RATE = "no_rate", _("No rate")
        FAILED = "failed", _("Failed")

    class Resolution(models.TextChoices):
        OPEN = "open", _("Open")
        RELEASED = "released", _("Released")
        HELD = "held", _("Held")

    run = models.ForeignKey(BillRun, on_delete=models.CASCADE, related_name="exceptions")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(
        Bill, null=True, blank=True, on_delete=models.CASCADE, related_name="exceptions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=500, blank=True)
    resolution = models.CharField(
        max_length=10, choices=Resolution.choices, default=Resolution.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_reason = models.CharField(max_length=300, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "account", "kind"]
        indexes = [models.Index(fields=["run", "resolution"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.account_id}"


# --- Bill documents (PDFs, print files, e-mail delivery, messages) ---------------------------


class BillMessage(models.Model):
    """A message printed on bills: one text per language, a target and effective dates.

    ``target`` says who gets it: every bill, one cycle, one premise class or one account.
    A bill carries the messages in effect on its bill date (``effective_from`` to
    ``effective_to``, both inclusive; no end date means open-ended).
    """

    class Target(models.TextChoices):
        ALL = "all", _("All bills")
        CYCLE = "cycle", _("One billing cycle")
        PREMISE_CLASS = "premise_class", _("One premise class")
        ACCOUNT = "account", _("One account")

    title = models.CharField(_("title (staff only)"), max_length=100)
    target = models.CharField(_("who gets it"), max_length=16, choices=Target.choices)
    cycle = models.ForeignKey(
        BillingCycle, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    premise_class = models.CharField(_("premise class"), max_length=16, blank=True)
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    texts = models.JSONField(_("text by language"), default=dict)  # {"en": "...", "es": "..."}
    effective_from = models.DateField(_("from"))
    effective_to = models.DateField(_("to"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["priority", "effective_from", "id"]

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str) -> str:
        """The text in ``language``, else English, else any text there is."""
        texts = self.texts or {}
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class BillDocument(models.Model):
    """A bill's rendered PDF (a file under MEDIA_ROOT), made once per bill; its e-mailing."""

    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="document")
    pdf = models.FileField(upload_to="bills/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField(default=1)
    language = models.CharField(max_length=10)
    template = models.CharField(max_length=100)
    rendered_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"{self.bill.number} PDF"


class BillPrintBatch(models.Model):
    """One PDF of up to ``batch_size`` bills of an issued run for the mail vendor.

    The run's CSV index (`BillPrintIndex`) says which file and page each bill starts on.
    """

    run = models.ForeignKey(BillRun, on_delete=models.PROTECT, related_name="print_batches")
    seq = models.PositiveIntegerField()
    pdf = models.FileField(upload_to="print/%Y/%m/")
    bill_count = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="billing_print_batch_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.run_id} batch {self.seq}"

    @property
    def filename(self) -> str:
        return f"run{self.run_id}-batch{self.seq:03d}.pdf"


class BillPrintIndex(models.Model):
    """The CSV index of a run's print file: one row per mailed bill."""

    run = models.OneToOneField(BillRun, on_delete=models.PROTECT, related_name="print_index")
    csv = models.FileField(upload_to="print/%Y/%m/")
    bill_count = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.run_id} index"
