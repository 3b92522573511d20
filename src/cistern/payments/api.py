"""The payments part of the JSON API (/api/v1/): electronic payments and account balances.

``POST /payments`` needs an ``Idempotency-Key`` header: a replay returns the first response
(same status, same body); the same key with a different body is refused with 409.
Card data: only the processor's reference, brand, last four and authorization code.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Header, Router, Schema
from ninja.responses import Status

from cistern.api.idempotency import idempotent, key_problem
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.selectors import account_balance_cents
from cistern.payments.domain import scan_line_build
from cistern.payments.services import ElectronicPayment, payment_take_electronic

router = Router(tags=["payments"])
ACCOUNT_UNKNOWN = "No account has the number “{number}”."


class PaymentIn(Schema):
    account_number: str
    amount_cents: int
    channel: Literal["web", "ivr", "phone", "autopay"]
    tender: Literal["card", "ach"]
    processor_reference: str
    card_brand: str = ""
    card_last4: str = ""
    auth_code: str = ""
    payer_name: str = ""


class PaymentOut(Schema):
    payment_id: int
    account_number: str
    amount_cents: int
    channel: str
    tender: str
    status: str
    received_on: str
    journal_entry_id: int


class ErrorOut(Schema):
    error: str
    code: str = ""
    field: str | None = None


class BalanceOut(Schema):
    account_number: str
    balance_cents: int
    amount_due_cents: int
    scan_line: str


@router.post(
    "/payments",
    response={201: PaymentOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Post an electronic payment (idempotent)",
)
def payment_create(
    request: HttpRequest,
    body: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    problem = key_problem(idempotency_key)
    if problem:
        return Status(400, {"error": problem, "code": "idempotency_key_missing", "field": None})
    api_key = request.auth
    data = body.dict()

    def handler() -> tuple[int, dict]:
        try:
            payment = payment_take_electronic(
                payment=ElectronicPayment(**data),
                idempotency_key=f"api:{api_key.pk}:{idempotency_key}",
            )
        except ServiceError as error:
            return 422, {"error": error.message, "code": "refused", "field": error.field}
        return 201, {
            "payment_id": payment.pk, "account_number": payment.account.number,
            "amount_cents": payment.amount_cents, "channel": payment.channel,
            "tender": payment.tender, "status": payment.status,
            "received_on": payment.received_on.isoformat(),
            "journal_entry_id": payment.entry_id,
        }  # fmt: skip

    status, response = idempotent(
        api_key=api_key, key=idempotency_key, operation="payments.create", body=data,
        handler=handler,
    )  # fmt: skip
    return Status(status, response)


@router.get(
    "/accounts/{number}/balance",
    response={200: BalanceOut, 404: ErrorOut},
    summary="An account's balance and amount due",
)
def account_balance(request: HttpRequest, number: str):
    account = Account.objects.filter(number=number).first()
    if account is None:
        return Status(404, {"error": ACCOUNT_UNKNOWN.format(number=number), "code": "not_found"})
    balance = account_balance_cents(account_id=account.pk)
    due = max(balance, 0)
    try:
        scan = scan_line_build(account.number, due)
    except ValueError:
        scan = ""
    return Status(200, {
        "account_number": account.number, "balance_cents": balance,
        "amount_due_cents": due, "scan_line": scan,
    })  # fmt: skip
