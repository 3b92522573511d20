"""The web card payment part of the JSON API: hosted payment sessions and the processor's
notifications (see ``cistern.payments.hosted_services`` for the flow).

- ``POST /hosted-payments`` (API key, ``Idempotency-Key``): start a session; answers with the
  processor's page URL to send the customer to.
- ``GET /hosted-payments/{session_id}`` (API key): its state, once the customer is back.
- ``POST /card-processor/notifications`` (no API key: the processor signs its messages):
  the processor's webhook. 200 when handled (including a repeat, which changes nothing),
  400 when the signature is wrong or the message is too old, 404 for an unknown session.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Header, Router, Schema
from ninja.responses import Status

from cistern.api.idempotency import idempotent, key_problem
from cistern.core.errors import ServiceError
from cistern.payments.hosted_models import HostedPayment
from cistern.payments.hosted_services import (
    SESSION_UNKNOWN,
    HostedPaymentRequest,
    SessionUnknown,
    hosted_notification_receive,
    hosted_payment_start,
)
from cistern.payments.processors import NotificationRefused

router = Router(tags=["web card payments"])


class HostedPaymentIn(Schema):
    account_number: str
    amount_cents: int
    return_url: str
    payer_name: str = ""


class HostedPaymentOut(Schema):
    session_id: str
    reference: str
    account_number: str
    amount_cents: int
    redirect_url: str
    expires_at: str
    state: str  # pending, paid or expired
    payment_id: int | None = None
    card_brand: str = ""
    card_last4: str = ""
    auth_code: str = ""
    declines: int = 0
    last_decline_reason: str = ""


class NotificationOut(Schema):
    status: str
    session_id: str


class ErrorOut(Schema):
    error: str
    code: str = ""
    field: str | None = None


def hosted_payment_json(record: HostedPayment, request: HttpRequest) -> dict:
    url = record.redirect_url
    return {
        "session_id": record.session_id, "reference": record.reference,
        "account_number": record.account.number, "amount_cents": record.amount_cents,
        "redirect_url": url if "://" in url else request.build_absolute_uri(url),
        "expires_at": record.expires_at.isoformat(), "state": record.state(),
        "payment_id": record.payment_id, "card_brand": record.card_brand,
        "card_last4": record.card_last4, "auth_code": record.auth_code,
        "declines": record.decline_count, "last_decline_reason": record.last_decline_reason,
    }  # fmt: skip


@router.post(
    "/hosted-payments",
    response={201: HostedPaymentOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Start a web card payment on the processor's hosted page (idempotent)",
)
def hosted_payment_create(
    request: HttpRequest,
    body: HostedPaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    problem = key_problem(idempotency_key)
    if problem:
        return Status(400, {"error": problem, "code": "idempotency_key_missing", "field": None})
    api_key = request.auth
    data = body.dict()

    def handler() -> tuple[int, dict]:
        try:
            record = hosted_payment_start(
                request=HostedPaymentRequest(**data), api_key=api_key,
                request_key=f"api:{api_key.pk}:{idempotency_key}",
            )  # fmt: skip
        except ServiceError as error:
            return 422, {"error": error.message, "code": "refused", "field": error.field}
        return 201, hosted_payment_json(record, request)

    status, response = idempotent(
        api_key=api_key, key=idempotency_key, operation="hosted_payments.create", body=data,
        handler=handler,
    )  # fmt: skip
    return Status(status, response)


@router.get(
    "/hosted-payments/{session_id}",
    response={200: HostedPaymentOut, 404: ErrorOut},
    summary="A web card payment session: pending, paid or expired",
)
def hosted_payment_get(request: HttpRequest, session_id: str):
    record = HostedPayment.objects.select_related("account").filter(session_id=session_id).first()
    if record is None:
        return Status(
            404, {"error": SESSION_UNKNOWN.format(session=session_id), "code": "not_found"}
        )
    return Status(200, hosted_payment_json(record, request))


@router.post(
    "/card-processor/notifications",
    auth=None,
    response={200: NotificationOut, 400: ErrorOut, 404: ErrorOut},
    summary="The card processor's signed notification of a hosted page charge (webhook)",
)
def card_processor_notification(request: HttpRequest):
    try:
        outcome = hosted_notification_receive(body=request.body, headers=request.headers)
    except SessionUnknown as unknown:
        return Status(404, {"error": unknown.message, "code": "unknown_session"})
    except NotificationRefused as refused:
        return Status(400, {"error": refused.message, "code": "refused"})
    return Status(200, {"status": outcome.status, "session_id": outcome.hosted_payment.session_id})
