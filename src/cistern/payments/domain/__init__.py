"""Cistern's pure payments domain: scan lines, lockbox files, payment application, drawers,
batches and returns.

No Django import, no clock, no I/O. Rules and layouts: docs/decisions/payments-domain.md.
Every refusal is a `PaymentRuleError` (or `LockboxRejected` for a whole file) carrying a
stable ``code`` and a message for the person at the screen.
"""

from cistern.payments.domain.application import (
    AccountShare,
    Allocation,
    ApplicationOrder,
    ChargeKind,
    OpenCharge,
    PaymentApplication,
    charge_kind_for,
    payment_apply,
    payment_split,
    payment_split_suggest,
)
from cistern.payments.domain.batch import BatchCheck, batch_check
from cistern.payments.domain.drawer import (
    BlindCount,
    Denomination,
    DrawerReconciliation,
    SessionReceipt,
    Tender,
    change_due,
    count_cash,
    drawer_expected,
    drawer_reconcile,
)
from cistern.payments.domain.errors import PaymentRuleError
from cistern.payments.domain.lockbox import (
    LockboxFile,
    LockboxItem,
    LockboxProblem,
    LockboxRejected,
    lockbox_file_id,
    lockbox_parse,
    lockbox_write,
)
from cistern.payments.domain.returns import (
    ACH_RETURN_REASONS,
    CheckReturnReason,
    ach_return_reason,
    cash_only_due,
    represent_allowed,
    returns_in_last_12_months,
)
from cistern.payments.domain.scan_line import (
    ScanLine,
    ScanLineError,
    scan_line_build,
    scan_line_parse,
)

__all__ = [
    "ACH_RETURN_REASONS",
    "AccountShare",
    "Allocation",
    "ApplicationOrder",
    "BatchCheck",
    "BlindCount",
    "ChargeKind",
    "CheckReturnReason",
    "Denomination",
    "DrawerReconciliation",
    "LockboxFile",
    "LockboxItem",
    "LockboxProblem",
    "LockboxRejected",
    "OpenCharge",
    "PaymentApplication",
    "PaymentRuleError",
    "ScanLine",
    "ScanLineError",
    "SessionReceipt",
    "Tender",
    "ach_return_reason",
    "batch_check",
    "cash_only_due",
    "change_due",
    "charge_kind_for",
    "count_cash",
    "drawer_expected",
    "drawer_reconcile",
    "lockbox_file_id",
    "lockbox_parse",
    "lockbox_write",
    "payment_apply",
    "payment_split",
    "payment_split_suggest",
    "represent_allowed",
    "returns_in_last_12_months",
    "scan_line_build",
    "scan_line_parse",
]
