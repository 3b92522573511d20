"""Which bill messages a bill carries: those in effect on its bill date aimed at it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cistern.billing.models import Bill, BillMessage


def messages_in_effect(*, on) -> QuerySet[BillMessage]:
    return BillMessage.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on
    )


def messages_for_bill(*, bill: Bill, language: str) -> list[str]:
    """The texts (in ``language``, else English) of the messages aimed at this bill."""
    premise = bill.account.premise
    aimed = (
        Q(target=BillMessage.Target.ALL)
        | Q(target=BillMessage.Target.CYCLE, cycle_id=premise.cycle_id)
        | Q(target=BillMessage.Target.PREMISE_CLASS, premise_class=premise.premise_class)
        | Q(target=BillMessage.Target.ACCOUNT, account_id=bill.account_id)
    )
    rows = messages_in_effect(on=bill.bill_date).filter(aimed)
    texts = [row.text_for(language).strip() for row in rows]
    return [text for text in texts if text]


def bill_messages_list() -> QuerySet[BillMessage]:
    """Every message for the management screen, newest first."""
    return BillMessage.objects.select_related("cycle", "account").order_by(
        "-effective_from", "priority", "-id"
    )
