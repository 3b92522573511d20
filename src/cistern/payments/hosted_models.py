"""Web card payments through a processor's hosted page: one row per session Cistern starts.

Rule (reference/payments.md "Cards — keep card data out"): the card number is typed on the
processor's page, never on Cistern's, so no field here can hold one. A paid session keeps what
the processor returned (reference, brand, last four, authorization code) and the payment it
posted; a session is paid at most once (``payment`` is one-to-one, and the posted payment's
idempotency key is the processor's charge reference). Declines and expired sessions post
nothing: they leave only this row (its decline count and last reason) and the audit trail.
Only ``cistern.payments.hosted_services`` writes these rows.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HostedPayment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the customer")
        PAID = "paid", _("Paid")

    account = models.ForeignKey(
        "customers.Account", on_delete=models.PROTECT, related_name="hosted_payments"
    )
    amount_cents = models.BigIntegerField(_("amount"))  # what the page asks; never changes
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    reference = models.CharField(max_length=40, unique=True)  # Cistern's id, sent to the processor
    session_id = models.CharField(_("processor session"), max_length=120, unique=True)
    redirect_url = models.CharField(max_length=2000)  # the processor's page
    return_url = models.CharField(_("return address"), max_length=500)
    payer_name = models.CharField(_("payer"), max_length=120, blank=True)
    # "api:<api key id>:<Idempotency-Key>": starting twice with one key gives one session.
    request_key = models.CharField(max_length=200, unique=True)
    api_key = models.ForeignKey(
        "api.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("expires at"))
    # What the processor returned for the approved charge. NEVER a card number.
    processor_reference = models.CharField(_("processor reference"), max_length=80, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("last four digits"), max_length=4, blank=True)
    auth_code = models.CharField(_("authorization code"), max_length=20, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment = models.OneToOneField(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_count = models.PositiveIntegerField(_("declines"), default=0)
    last_decline_reason = models.CharField(_("last decline"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="hosted_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | (
                    Q(payment__isnull=False) & ~Q(processor_reference="") & Q(paid_at__isnull=False)
                ),
                name="paid_hosted_payment_has_its_payment",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def state(self, now=None) -> str:
        """``paid``, ``pending``, or ``expired`` (still unpaid after its page closed)."""
        if self.status == self.Status.PAID:
            return "paid"
        return "expired" if (now or timezone.now()) >= self.expires_at else "pending"
