"""A payment batch's control totals: a batch cannot post until its items match them.

Rule (reference/payments.md, cash controls; issue 4 §3): mail, drop-box and phone
payments are entered in batches that first declare a control count and a control amount
(added up on a tape before entry). The batch posts only when the items entered add up to
both, and every item is a positive amount. Differences are items - control: a positive
difference means more was entered than declared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cistern.core.money import format_cents
from cistern.payments.domain.errors import PaymentRuleError

MSG_BAD_CONTROL = "A batch's control count and control amount cannot be negative."
MSG_COUNT_OFF = "The batch declares {control} items but {items} were entered."
MSG_AMOUNT_OFF = "The batch declares {control} but the items add up to {items}."
MSG_ITEM_NOT_POSITIVE = "Item {position} is zero or negative; every payment must be more than zero."


@dataclass(frozen=True)
class BatchCheck:
    control_count: int
    control_amount_cents: int
    item_count: int
    item_total_cents: int
    nonpositive_items: tuple[int, ...]  # 1-based positions of items of zero or less

    @property
    def count_difference(self) -> int:
        return self.item_count - self.control_count

    @property
    def amount_difference_cents(self) -> int:
        return self.item_total_cents - self.control_amount_cents

    @property
    def matches(self) -> bool:
        """True when the batch may post."""
        return (
            self.count_difference == 0
            and self.amount_difference_cents == 0
            and not self.nonpositive_items
        )

    def problems(self) -> list[str]:
        """What keeps the batch from posting, for the screen; empty when it matches."""
        found: list[str] = []
        if self.count_difference:
            found.append(MSG_COUNT_OFF.format(control=self.control_count, items=self.item_count))
        if self.amount_difference_cents:
            found.append(
                MSG_AMOUNT_OFF.format(
                    control=format_cents(self.control_amount_cents),
                    items=format_cents(self.item_total_cents),
                )
            )
        found.extend(MSG_ITEM_NOT_POSITIVE.format(position=p) for p in self.nonpositive_items)
        return found


def batch_check(
    control_count: int, control_amount_cents: int, item_amounts: Iterable[int]
) -> BatchCheck:
    """Compare a batch's declared totals with its items."""
    if control_count < 0 or control_amount_cents < 0:
        raise PaymentRuleError("bad_control", MSG_BAD_CONTROL)
    amounts = list(item_amounts)
    return BatchCheck(
        control_count=control_count,
        control_amount_cents=control_amount_cents,
        item_count=len(amounts),
        item_total_cents=sum(amounts),
        nonpositive_items=tuple(i for i, a in enumerate(amounts, start=1) if a <= 0),
    )
