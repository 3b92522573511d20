"""Every write of cashiering and payments, importable from one place.

Each service runs in one transaction, locks what it changes (``payments.locks``), posts
through ``cistern.ledger.services.journal_entry_post`` and records an audit event. The
modules are split by purpose: drawer, counter, batches, lockbox, returns, electronic.
"""

from cistern.payments.batch_services import (
    batch_close,
    batch_item_add,
    batch_item_remove,
    batch_open,
    batch_post,
    batch_reopen,
)
from cistern.payments.counter_services import (
    CounterShare,
    CounterTender,
    payment_reverse,
    payment_take_at_counter,
    receipt_void,
)
from cistern.payments.drawer_services import drawer_close_approve, drawer_count_blind, drawer_open
from cistern.payments.electronic_services import ElectronicPayment, payment_take_electronic
from cistern.payments.lockbox_services import LockboxImportRefused, LockboxOutcome, lockbox_import
from cistern.payments.return_services import payment_return

__all__ = [
    "CounterShare",
    "CounterTender",
    "ElectronicPayment",
    "LockboxImportRefused",
    "LockboxOutcome",
    "batch_close",
    "batch_item_add",
    "batch_item_remove",
    "batch_open",
    "batch_post",
    "batch_reopen",
    "drawer_close_approve",
    "drawer_count_blind",
    "drawer_open",
    "lockbox_import",
    "payment_return",
    "payment_reverse",
    "payment_take_at_counter",
    "payment_take_electronic",
    "receipt_void",
]
