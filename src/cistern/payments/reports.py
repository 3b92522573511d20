"""The day-close reports: drawers per cashier, batches, the deposit slip, cash receipts by GL
account, and voids with over/short. Each returns (header, rows) so the screen and the CSV
show the same figures. Amounts are integer cents.

Deposit slip (our decision): the cash deposited is what the cashiers counted less the float
each drawer keeps, per currency and coin (the float's own bills and coins are subtracted
from the count's); checks and money orders are listed one by one from the day's unvoided
counter receipts and posted mail/drop-box/phone batches (lockbox items are deposited by the
bank itself and are not on the slip).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, Sum

from cistern.ledger.models import Posting
from cistern.payments.domain import Denomination
from cistern.payments.domain.drawer import currency_and_coin
from cistern.payments.models import Channel, DrawerSession, Payment, PaymentBatch, Receipt

Table = tuple[list[str], list[list[Any]]]


def _pieces(counts: dict[str, int]) -> dict[Denomination, int]:
    return {Denomination.from_code(code): n for code, n in (counts or {}).items()}


def drawer_report(*, day: date) -> Table:
    header = ["drawer", "cashier", "status", "float_cents", "receipts", "voids", "cash_cents",
              "check_cents", "money_order_cents", "card_cents", "counted_cents",
              "over_short_cents", "approved_by"]  # fmt: skip
    rows = []
    for d in DrawerSession.objects.filter(business_date=day).select_related(
        "cashier", "approved_by"
    ):
        receipts = list(d.receipts.all())
        issued = [r for r in receipts if r.status == Receipt.Status.ISSUED]
        by_tender = defaultdict(int)
        for r in issued:
            by_tender[r.tender] += r.total_cents
        counted = sum(
            v or 0 for v in (d.counted_cash_cents, d.counted_checks_cents,
                             d.counted_money_orders_cents, d.counted_card_cents)
        )  # fmt: skip
        rows.append([
            f"D{d.pk}", str(d.cashier), d.status, d.opening_float_cents, len(issued),
            len(receipts) - len(issued), by_tender["cash"], by_tender["check"],
            by_tender["money_order"], by_tender["card"], counted if d.counted_at else "",
            d.over_short_cents if d.counted_at else "", str(d.approved_by or ""),
        ])  # fmt: skip
    return header, rows


def batch_report(*, day: date) -> Table:
    header = ["batch", "channel", "status", "control_count", "control_amount_cents",
              "item_count", "item_total_cents", "opened_by", "posted_at"]  # fmt: skip
    rows = []
    for b in PaymentBatch.objects.filter(business_date=day).select_related("opened_by"):
        items = b.payments.exclude(status=Payment.Status.REMOVED)
        total = items.aggregate(total=Sum("amount_cents"))["total"] or 0
        rows.append([
            f"B{b.pk}", b.channel, b.status, b.control_count, b.control_amount_cents,
            items.count(), total, str(b.opened_by), b.posted_at.isoformat() if b.posted_at else "",
        ])  # fmt: skip
    return header, rows


@dataclass(frozen=True)
class DepositSlip:
    day: date
    currency_cents: int
    coin_cents: int
    checks: list[Payment]

    @property
    def checks_cents(self) -> int:
        return sum(p.amount_cents for p in self.checks)

    @property
    def total_cents(self) -> int:
        return self.currency_cents + self.coin_cents + self.checks_cents


def deposit_slip(*, day: date) -> DepositSlip:
    currency = coin = 0
    for d in DrawerSession.objects.filter(business_date=day, counted_at__isnull=False):
        counted = currency_and_coin(_pieces(d.counted_cash_counts))
        kept = currency_and_coin(_pieces(d.opening_counts))
        currency += counted[0] - kept[0]
        coin += counted[1] - kept[1]
    paper = Q(tender__in=["check", "money_order"])
    counter = Q(channel=Channel.COUNTER, receipt__business_date=day, receipt__status="issued")
    batched = Q(batch__business_date=day, batch__status="posted") & ~Q(channel=Channel.LOCKBOX)
    checks = list(
        Payment.objects.filter(paper & (counter | batched))
        .exclude(status__in=[Payment.Status.REMOVED, Payment.Status.VOID])
        .select_related("account")
        .order_by("pk")
    )
    return DepositSlip(day, currency, coin, checks)


def deposit_slip_table(*, day: date) -> Table:
    slip = deposit_slip(day=day)
    rows: list[list[Any]] = [["currency", "", "", slip.currency_cents],
                             ["coin", "", "", slip.coin_cents]]  # fmt: skip
    rows += [[p.tender, p.check_number, p.account.number, p.amount_cents] for p in slip.checks]
    rows.append(["total", "", "", slip.total_cents])
    return ["line", "check_number", "account", "amount_cents"], rows


def cash_receipts_by_gl(*, day: date) -> Table:
    """Postings of the day's payments and their reversals, per ledger account and GL code."""
    postings = (
        Posting.objects.filter(effective_date=day)
        .filter(Q(entry__source="payment") | Q(entry__reverses__source="payment"))
        .values("ledger_account__code", "ledger_account__name", "ledger_account__gl_fund",
                "ledger_account__gl_department", "ledger_account__gl_account")
        .annotate(total=Sum("amount_cents"))
        .order_by("ledger_account__code")
    )  # fmt: skip
    rows = [[p["ledger_account__code"], p["ledger_account__name"], p["ledger_account__gl_fund"],
             p["ledger_account__gl_department"], p["ledger_account__gl_account"], p["total"]]
            for p in postings]  # fmt: skip
    return ["code", "name", "fund", "department", "gl_account", "net_cents"], rows


def voids_and_over_short(*, day: date) -> Table:
    header = ["kind", "reference", "cashier", "by", "amount_cents", "reason"]
    rows: list[list[Any]] = []
    voids = Receipt.objects.filter(status="void", voided_at__date=day).select_related(
        "cashier", "voided_by"
    )
    for r in voids:
        rows.append(["void", r.display_number, str(r.cashier), str(r.voided_by), r.total_cents,
                     r.void_reason])  # fmt: skip
    drawers = DrawerSession.objects.filter(business_date=day).exclude(over_short_cents__in=[0])
    for d in drawers.exclude(over_short_cents=None).select_related("cashier", "approved_by"):
        kind = "over" if d.over_short_cents > 0 else "short"
        rows.append([kind, f"D{d.pk}", str(d.cashier), str(d.approved_by or ""),
                     d.over_short_cents, ""])  # fmt: skip
    return header, rows


REPORTS = {
    "drawers": drawer_report,
    "batches": batch_report,
    "deposit-slip": deposit_slip_table,
    "cash-receipts-gl": cash_receipts_by_gl,
    "voids-over-short": voids_and_over_short,
}
