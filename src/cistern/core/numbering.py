"""Gapless sequences and account numbers with a check digit."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from cistern.core.domain.check_digit import with_check_digit
from cistern.core.models import Sequence

ACCOUNT_SEQUENCE = "account_number"
ACCOUNT_NUMBER_BASE = 1_000_000  # first account is 1000001 + check digit: 8 digits


def sequence_next(name: str) -> int:
    """The next value of sequence ``name``, without gaps.

    Must run inside the caller's transaction: the row stays locked until it commits, and a
    rollback returns the number, so committed numbers form an unbroken run.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must be called inside a transaction")
    Sequence.objects.get_or_create(name=name)
    Sequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
    return Sequence.objects.select_for_update().values_list("last_value", flat=True).get(name=name)


def account_number_next() -> str:
    """A new account number: a running number plus its Luhn check digit."""
    return with_check_digit(str(ACCOUNT_NUMBER_BASE + sequence_next(ACCOUNT_SEQUENCE)))
