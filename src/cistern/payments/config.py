"""The district's payment policies, read from Django settings with documented defaults.

- ``CISTERN_PAYMENT_APPLICATION_ORDER``: ``"oldest_first"`` (default) or ``"fees_first"``.
- ``CISTERN_CASH_ONLY_RETURN_THRESHOLD``: counted returns in 12 months that make an account
  cash-only (default 2).
- ``CISTERN_RETURNED_PAYMENT_FEE_CENTS``: the returned-payment fee used only when the fee
  schedule (``cistern.rates.fees``, code ``returned_payment``) has no row in force.
- ``CISTERN_CARD_PROCESSOR``: dotted path of the card processor class (default: the sandbox).
- ``CISTERN_CARD_WEBHOOK_SECRET``: the secret shared with the processor that signs its
  notifications (default, for the sandbox only: derived from ``SECRET_KEY``).
- ``CISTERN_HOSTED_PAYMENT_MINUTES``: how long a hosted payment page stays open (default 30).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac

from cistern.payments.domain import ApplicationOrder

DEFAULT_CASH_ONLY_THRESHOLD = 2
DEFAULT_RETURNED_PAYMENT_FEE_CENTS = 2500
DEFAULT_CARD_PROCESSOR = "cistern.payments.processors.SandboxProcessor"
DEFAULT_HOSTED_PAYMENT_MINUTES = 30


def application_order() -> ApplicationOrder:
    return ApplicationOrder(
        getattr(settings, "CISTERN_PAYMENT_APPLICATION_ORDER", ApplicationOrder.OLDEST_FIRST)
    )


def cash_only_threshold() -> int:
    return int(getattr(settings, "CISTERN_CASH_ONLY_RETURN_THRESHOLD", DEFAULT_CASH_ONLY_THRESHOLD))


def returned_payment_fee_default_cents() -> int:
    return int(
        getattr(settings, "CISTERN_RETURNED_PAYMENT_FEE_CENTS", DEFAULT_RETURNED_PAYMENT_FEE_CENTS)
    )


def card_processor_path() -> str:
    return str(getattr(settings, "CISTERN_CARD_PROCESSOR", DEFAULT_CARD_PROCESSOR))


def card_webhook_secret() -> str:
    """The processor's notification signing secret; the sandbox's is derived from SECRET_KEY."""
    configured = str(getattr(settings, "CISTERN_CARD_WEBHOOK_SECRET", "") or "")
    return configured or salted_hmac("cistern.payments.sandbox-webhook", "secret").hexdigest()


def hosted_payment_minutes() -> int:
    return int(getattr(settings, "CISTERN_HOSTED_PAYMENT_MINUTES", DEFAULT_HOSTED_PAYMENT_MINUTES))
