"""Writes for bill messages (the PDFs themselves: ``render``, ``print_file``, ``delivery``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cistern.billing.models import BillMessage
from cistern.core.audit import audit_record


@transaction.atomic
def bill_message_save(
    *, message: BillMessage | None, data: dict[str, Any], texts: dict[str, str], actor: Any
) -> BillMessage:
    """Create a bill message, or change one (a message is printed only on later bills)."""
    if message is None:
        message = BillMessage(created_by=actor if getattr(actor, "pk", None) else None)
    else:
        message = BillMessage.objects.select_for_update().get(pk=message.pk)
    target = data["target"]
    message.title = data["title"]
    message.target = target
    message.cycle = data.get("cycle") if target == BillMessage.Target.CYCLE else None
    message.premise_class = (
        data.get("premise_class") if target == BillMessage.Target.PREMISE_CLASS else ""
    ) or ""
    message.account = data.get("account") if target == BillMessage.Target.ACCOUNT else None
    message.texts = texts
    message.effective_from = data["effective_from"]
    message.effective_to = data.get("effective_to")
    message.priority = data.get("priority") or 0
    message.save()
    audit_record(
        actor=actor, action="billing.message.save", subject=message,
        after={"title": message.title, "target": target, "texts": texts},
    )  # fmt: skip
    return message
