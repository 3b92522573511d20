"""The fee schedule: effective-dated amounts, changed by adding a row, read by other apps."""

from datetime import date

import pytest

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.rates.fee_services import FEE_SAME_DAY, fee_schedule_add
from cistern.rates.fees import RETURNED_PAYMENT, fee_amount_cents
from cistern.rates.models import FeeSchedule
from cistern.staff.roles import Role

pytestmark = pytest.mark.django_db


def test_seeded_returned_payment_fee_is_twenty_five_dollars() -> None:
    assert fee_amount_cents(code=RETURNED_PAYMENT, as_of=date(2026, 1, 1)) == 2500


def test_every_seeded_fee_has_an_amount_today() -> None:
    codes = set(FeeSchedule.objects.values_list("code", flat=True))
    assert {
        "late_fee",
        "returned_payment",
        "reconnection_business_hours",
        "reconnection_after_hours",
        "door_tag",
        "new_account",
        "meter_test",
        "deposit",
    } <= codes
    assert fee_amount_cents(code="reconnection_business_hours", as_of=date(2026, 1, 1)) == 5000
    assert fee_amount_cents(code="reconnection_after_hours", as_of=date(2026, 1, 1)) == 15000


def test_a_change_applies_from_its_effective_date_and_earlier_days_keep_the_old_amount(
    user_for,
) -> None:
    # given a new returned-payment fee from July 1
    fee_schedule_add(
        code=RETURNED_PAYMENT,
        label="Returned payment fee",
        amount_cents=3500,
        effective_from=date(2026, 7, 1),
        resolution="2026-14",
        actor=user_for(Role.CSR_III),
    )
    # then June 30 still has the old amount and July 1 the new one
    assert fee_amount_cents(code=RETURNED_PAYMENT, as_of=date(2026, 6, 30)) == 2500
    assert fee_amount_cents(code=RETURNED_PAYMENT, as_of=date(2026, 7, 1)) == 3500
    assert AuditEvent.objects.filter(action="rates.fee.add").count() == 1


def test_unknown_fee_code_is_an_error_not_a_zero() -> None:
    with pytest.raises(ServiceError) as caught:
        fee_amount_cents(code="no_such_fee", as_of=date(2026, 1, 1))
    assert "no_such_fee" in caught.value.message


def test_a_fee_before_its_first_effective_date_is_an_error(user_for) -> None:
    fee_schedule_add(
        code="hydrant_permit",
        label="Hydrant meter permit",
        amount_cents=7500,
        effective_from=date(2026, 3, 1),
        actor=user_for(Role.CSR_III),
    )
    with pytest.raises(ServiceError):
        fee_amount_cents(code="hydrant_permit", as_of=date(2026, 2, 28))


def test_two_amounts_on_the_same_day_are_refused_and_nothing_changes(user_for) -> None:
    before = FeeSchedule.objects.count()
    with pytest.raises(ServiceError) as caught:
        fee_schedule_add(
            code=RETURNED_PAYMENT,
            label="Returned payment fee",
            amount_cents=9900,
            effective_from=date(2020, 1, 1),
            actor=user_for(Role.CSR_III),
        )
    assert caught.value.field == "effective_from"
    assert caught.value.message.startswith(FEE_SAME_DAY.split("“")[0])
    assert FeeSchedule.objects.count() == before


def test_csr_three_changes_a_fee_on_the_screen(client_for) -> None:
    client = client_for(Role.CSR_III)
    response = client.post(
        "/rates/fees/add/",
        {
            "code": "door_tag",
            "label": "Door tag fee",
            "amount_cents": "30.00",
            "effective_from": "2026-09-01",
            "resolution": "2026-20",
        },
    )
    assert response.status_code == 302
    assert fee_amount_cents(code="door_tag", as_of=date(2026, 9, 1)) == 3000
    listing = client.get("/rates/fees/")
    assert "door_tag" in listing.content.decode()


def test_a_bad_amount_is_shown_beside_the_field_and_nothing_is_saved(client_for) -> None:
    before = FeeSchedule.objects.count()
    response = client_for(Role.CSR_III).post(
        "/rates/fees/add/",
        {
            "code": "door_tag",
            "label": "x",
            "amount_cents": "12.345",
            "effective_from": "2026-09-01",
        },
    )
    assert response.status_code == 200
    assert "more than two decimal places" in response.content.decode()
    assert FeeSchedule.objects.count() == before


def test_csr_one_sees_fees_but_cannot_change_them(client_for) -> None:
    client = client_for(Role.CSR_I)
    assert client.get("/rates/fees/").status_code == 200
    assert client.get("/rates/fees/add/").status_code == 403
