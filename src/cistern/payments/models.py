"""Cashiering and payments: drawer sessions, receipts, payments, batches, lockbox files, returns.

Invariants (reference/payments.md "Cash controls"; reliability.md I3-I8):
- receipt numbers come from one gapless sequence (``core.numbering``); a voided receipt keeps
  its number and stays on file; receipts and payments are never deleted;
- a payment's money moves only through its journal entry (``entry``); a void or a return is
  a linked reversing entry, never an edit of the original;
- one payment per idempotency key; one lockbox import per file (sha256 of its bytes);
- a batch posts only when its items match its control count and amount, and is immutable
  once posted;
- a drawer close is approved by someone other than the cashier; a receipt is voided by
  someone other than the cashier who issued it;
- no card number is ever stored: only the processor's reference, brand, last four digits
  and authorization code.
Only ``cistern.payments.services`` (and its modules) write these rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Tender(models.TextChoices):
    CASH = "cash", _("Cash")
    CHECK = "check", _("Check")
    MONEY_ORDER = "money_order", _("Money order")
    CARD = "card", _("Card")
    ACH = "ach", _("ACH / e-check")


class Channel(models.TextChoices):
    COUNTER = "counter", _("Counter")
    MAIL = "mail", _("Mail")
    DROP_BOX = "drop_box", _("Drop box")
    PHONE = "phone", _("Phone")
    IVR = "ivr", _("IVR")
    WEB = "web", _("Web")
    LOCKBOX = "lockbox", _("Lockbox")
    AUTOPAY = "autopay", _("Autopay")


_USER = settings.AUTH_USER_MODEL


class DrawerSession(models.Model):
    """One cashier's drawer for one business day: opened with a counted float, closed with a
    blind count (entered before the expected figures are shown) and a supervisor's approval."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COUNTED = "counted", _("Counted, awaiting approval")
        CLOSED = "closed", _("Closed")

    cashier = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="drawer_sessions")
    business_date = models.DateField(_("business date"), db_index=True)
    opened_at = models.DateTimeField(_("opened at"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # {denomination code: pieces}, e.g. {"bill_20": 5, "coin_25": 40}; cents below.
    opening_counts = models.JSONField(default=dict)
    opening_float_cents = models.BigIntegerField(_("opening float"))
    # The blind count, entered before the expected figures are shown.
    counted_at = models.DateTimeField(null=True, blank=True)
    counted_cash_counts = models.JSONField(default=dict, blank=True)
    counted_cash_cents = models.BigIntegerField(null=True, blank=True)
    counted_checks_cents = models.BigIntegerField(null=True, blank=True)
    counted_money_orders_cents = models.BigIntegerField(null=True, blank=True)
    counted_card_cents = models.BigIntegerField(null=True, blank=True)
    # Computed at count time: {tender: cents} expected, and counted - expected overall.
    expected_by_tender = models.JSONField(default=dict, blank=True)
    over_short_cents = models.BigIntegerField(null=True, blank=True)  # + over, - short
    over_short_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cashier"],
                condition=Q(status__in=["open", "counted"]),
                name="one_unclosed_drawer_per_cashier",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("cashier")),
                name="drawer_not_approved_by_its_cashier",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(approved_by__isnull=False),
                name="closed_drawer_is_approved",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(counted_at__isnull=False),
                name="counted_drawer_has_a_count",
            ),
            models.CheckConstraint(
                condition=Q(opening_float_cents__gte=0), name="drawer_float_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Drawer {self.pk} {self.cashier} {self.business_date}"


class Receipt(models.Model):
    """What the customer takes away from the counter. Never deleted; a void keeps its number."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        VOID = "void", _("Void")

    number = models.BigIntegerField(_("receipt number"), unique=True)  # gapless sequence
    drawer = models.ForeignKey(DrawerSession, on_delete=models.PROTECT, related_name="receipts")
    cashier = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    business_date = models.DateField(_("business date"))
    payer_name = models.CharField(_("payer"), max_length=120, blank=True)
    tender = models.CharField(_("tender"), max_length=12, choices=Tender.choices)
    total_cents = models.BigIntegerField(_("total"))  # what was applied to accounts
    tendered_cents = models.BigIntegerField(_("tendered"))  # what was handed over
    change_cents = models.BigIntegerField(_("change"), default=0)
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ISSUED)
    void_reason = models.CharField(_("void reason"), max_length=300, blank=True)
    voided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    print_count = models.PositiveIntegerField(default=0)  # prints after the first are COPY

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(total_cents__gt=0), name="receipt_total_positive"),
            models.CheckConstraint(
                condition=Q(change_cents__gte=0)
                & Q(tendered_cents=F("total_cents") + F("change_cents")),
                name="receipt_tendered_is_total_plus_change",
            ),
            models.CheckConstraint(
                condition=Q(status="issued")
                | (~Q(void_reason="") & Q(voided_by__isnull=False) & Q(voided_at__isnull=False)),
                name="void_receipt_has_reason_by_and_at",
            ),
            models.CheckConstraint(
                condition=Q(voided_by__isnull=True) | ~Q(voided_by=F("cashier")),
                name="receipt_not_voided_by_its_cashier",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"R{self.number:08d}"


class PaymentBatch(models.Model):
    """Mail, drop-box, phone or lockbox payments entered against declared control totals."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        POSTED = "posted", _("Posted")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    business_date = models.DateField(_("business date"))
    control_count = models.PositiveIntegerField(_("control count"))
    control_amount_cents = models.BigIntegerField(_("control amount"))
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    external_id = models.CharField(_("bank batch id"), max_length=20, blank=True)
    lockbox_import = models.ForeignKey(
        "LockboxImport", null=True, blank=True, on_delete=models.PROTECT, related_name="batches"
    )
    opened_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    posted_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "payment batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(control_amount_cents__gte=0), name="batch_control_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(posted_at__isnull=False),
                name="posted_batch_has_posted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"B{self.pk}"


class Payment(models.Model):
    """Money received for one customer account, by one tender and channel.

    Counter payments belong to a receipt; mail, drop-box, phone and lockbox payments to a
    batch; API payments to neither. ``entry`` is set when the payment posts to the ledger.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (batch not posted)")
        POSTED = "posted", _("Posted")
        REMOVED = "removed", _("Removed from its batch before posting")
        VOID = "void", _("Voided")
        REVERSED = "reversed", _("Reversed")
        RETURNED = "returned", _("Returned by the bank")

    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="payments"
    )
    amount_cents = models.BigIntegerField(_("amount"))
    tender = models.CharField(_("tender"), max_length=12, choices=Tender.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    received_on = models.DateField(_("received on"))  # the entry's effective date
    payer_name = models.CharField(_("payer"), max_length=120, blank=True)
    check_number = models.CharField(_("check number"), max_length=15, blank=True)
    check_bank = models.CharField(_("bank"), max_length=80, blank=True)
    # Card: only what the processor gives back. NEVER a card number or security code.
    processor_reference = models.CharField(_("processor reference"), max_length=80, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    auth_code = models.CharField(_("authorization code"), max_length=20, blank=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "received_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=Q(receipt__isnull=True) | Q(batch__isnull=True),
                name="payment_receipt_or_batch_not_both",
            ),
            models.CheckConstraint(
                condition=Q(card_last4="") | Q(card_last4__regex=r"^[0-9]{4}$"),
                name="card_last4_is_four_digits",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["posted", "void", "reversed", "returned"])
                | Q(entry__isnull=False),
                name="posted_payment_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"P{self.pk} {self.amount_cents}"


class LockboxImport(models.Model):
    """A bank lockbox file that posted. The same bytes (sha256) import once."""

    file_sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=200, blank=True)
    raw = models.BinaryField()  # the exact bytes received
    item_count = models.PositiveIntegerField()
    total_cents = models.BigIntegerField()
    imported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"Lockbox {self.file_sha256[:12]}"


class PaymentReturn(models.Model):
    """A check or ACH debit the bank sent back: reversed, charged a fee, the customer told."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="return_record")
    reason_code = models.CharField(_("reason"), max_length=20)  # R01..., or nsf/account_closed...
    returned_on = models.DateField(_("returned on"))
    counts_toward_cash_only = models.BooleanField(default=True)
    reversing_entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+"
    )
    fee_cents = models.BigIntegerField(default=0)
    fee_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The customer letter, rendered when the return was recorded (HTML).
    letter_html = models.TextField(blank=True)
    cash_only_set = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-returned_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(fee_cents__gte=0), name="return_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(fee_cents=0) | Q(fee_entry__isnull=False),
                name="return_fee_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"Return of P{self.payment_id} ({self.reason_code})"


class GLExport(models.Model):
    """One download of a day's general-ledger journal: who, when, and the file's sha256.
    Every export is kept (a re-export of an unchanged day has the same sha256)."""

    business_date = models.DateField(_("business date"), db_index=True)
    file_sha256 = models.CharField(max_length=64)
    content = models.TextField()  # the exact CSV sent to the general ledger
    line_count = models.PositiveIntegerField()
    debit_total_cents = models.BigIntegerField()
    credit_total_cents = models.BigIntegerField()
    exported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField()

    class Meta:
        ordering = ["-exported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit_total_cents=F("credit_total_cents")),
                name="gl_export_is_balanced",
            ),
        ]

    def __str__(self) -> str:
        return f"GL journal {self.business_date} {self.file_sha256[:12]}"


class BankStatementImport(models.Model):
    """A BAI2 prior-day file from the bank. The same bytes (sha256) import once."""

    file_sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=200, blank=True)
    raw = models.BinaryField()  # the exact bytes received
    sender_id = models.CharField(_("bank"), max_length=40, blank=True)
    file_id = models.CharField(_("bank file id"), max_length=40, blank=True)
    creation_date = models.DateField(_("created by the bank on"))
    first_as_of = models.DateField(_("as of (first)"))
    last_as_of = models.DateField(_("as of (last)"))
    credit_count = models.PositiveIntegerField()
    credit_total_cents = models.BigIntegerField()
    imported_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"BAI2 {self.last_as_of} {self.file_sha256[:12]}"


class BankCredit(models.Model):
    """One credit (a 16 record with a credit type code) of an imported BAI2 file."""

    statement = models.ForeignKey(
        BankStatementImport, on_delete=models.PROTECT, related_name="credits"
    )
    sequence = models.PositiveIntegerField()  # order in the file, from 1
    bank_account = models.CharField(_("bank account"), max_length=40)
    as_of_date = models.DateField(_("as of"))
    type_code = models.CharField(_("BAI type code"), max_length=3)
    type_description = models.CharField(max_length=80, blank=True)
    amount_cents = models.BigIntegerField(_("amount"))
    bank_reference = models.CharField(_("bank reference"), max_length=80, blank=True)
    customer_reference = models.CharField(_("customer reference"), max_length=80, blank=True)
    text = models.CharField(_("text"), max_length=300, blank=True)

    class Meta:
        ordering = ["statement", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "sequence"], name="bank_credit_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_code} {self.amount_cents}"


from cistern.payments.hosted_models import HostedPayment  # noqa: E402,F401  (web card sessions)
