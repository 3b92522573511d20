"""The named cast of customers, built through the customer services.

``account_for_maria()`` gives "Maria Garcia at 123 Oak Ave" — an active water and sewer
account with a meter, phone and e-mail. ``customer_account(...)`` builds any other with
sensible defaults; every argument is optional. Plain functions, no factory_boy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count

from cistern.customers.domain.account_status import AccountStatus
from cistern.customers.models import Account, Customer, Premise
from cistern.customers.search_index import search_document_refresh
from cistern.customers.services import (
    Address,
    PhoneInput,
    account_open,
    customer_create,
    premise_create,
)
from cistern.metering.models import Meter, MeterInstallation
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

_serials = count(1)
START = date(2024, 1, 2)


@dataclass(frozen=True)
class CastMember:
    first_name: str
    last_name: str
    street_number: str
    street_name: str
    phone: str
    email: str
    apn: str
    meter_serial: str
    language: str = "en"


MARIA = CastMember(
    "Maria",
    "Garcia",
    "123",
    "Oak Ave",
    "(530) 555-0142",
    "maria.garcia@example.com",
    "069-231-014",
    "W10001",
)
JAMES = CastMember(
    "James",
    "Whitfield",
    "88",
    "Maple St",
    "530-555-0199",
    "jwhitfield@example.net",
    "069-410-022",
    "W10002",
)
LINH = CastMember(
    "Linh",
    "Tran",
    "1407",
    "Oakwood Dr",
    "916 555 0107",
    "linh.tran@example.org",
    "071-002-310",
    "W10003",
    "vi",
)
CAST = {"maria": MARIA, "james": JAMES, "linh": LINH}


def customer_account(
    *,
    first_name: str = "Pat",
    last_name: str = "Doe",
    street_number: str | None = None,
    street_name: str = "Cedar Ln",
    unit: str = "",
    city: str = "Davis",
    postal_code: str = "95616",
    apn: str = "",
    phone: str | None = None,
    email: str | None = None,
    meter_serial: str | None = None,
    meter_size: str = "5/8",
    services: tuple[str, ...] = ("water", "sewer"),
    status: str = AccountStatus.ACTIVE,
    language: str = "en",
    organization_name: str = "",
    mailing_address: Address | None = None,
    start_date: date = START,
) -> Account:
    """A customer, premise, installed meter and account, all through the services."""
    actor = staff_user(Role.CSR_II)
    serial_no = next(_serials)
    street_number = street_number or str(100 + serial_no)
    kind = Customer.Kind.ORGANIZATION if organization_name else Customer.Kind.PERSON
    customer = customer_create(
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        organization_name=organization_name,
        preferred_language=language,
        phones=[PhoneInput(phone)] if phone else [],
        emails=[email] if email else [],
        mailing_address=mailing_address
        or Address(f"{street_number} {street_name}", city, "CA", postal_code, unit),
        actor=actor,
    )
    premise = premise_create(
        street_number=street_number,
        street_name=street_name,
        unit=unit,
        city=city,
        postal_code=postal_code,
        apn=apn,
        actor=actor,
    )
    meter_install(premise, serial=meter_serial or f"T{serial_no:06d}", size=meter_size)
    final_status = status
    opening = status if status in (AccountStatus.PENDING, AccountStatus.ACTIVE) else "active"
    account = account_open(
        customer_id=customer.pk,
        premise_id=premise.pk,
        start_date=start_date,
        services=services,
        status=opening,
        actor=actor,
    )
    if final_status != opening:
        _walk_to(account, final_status)
    search_document_refresh(account_id=account.pk)
    account.refresh_from_db()
    return account


def _walk_to(account: Account, status: str) -> None:
    from cistern.customers.services import account_status_change

    path = {
        AccountStatus.SUSPENDED: ["suspended"],
        AccountStatus.LOCKED_OFF: ["locked_off"],
        AccountStatus.FINAL: ["final"],
        AccountStatus.CLOSED: ["final", "closed"],
    }[AccountStatus(status)]
    for step in path:
        account_status_change(
            account_id=account.pk, status=step, reason="test cast", actor=staff_user(Role.CSR_II)
        )


def meter_install(premise: Premise, *, serial: str, size: str = "5/8") -> MeterInstallation:
    """Install a new meter at a premise (metering has no service for this yet)."""
    meter = Meter.objects.create(
        serial=serial, size=size, unit="ccf", status=Meter.Status.INSTALLED, make="Badger"
    )
    return MeterInstallation.objects.create(meter=meter, premise=premise, installed_on=START)


def cast_account(name: str, **overrides: object) -> Account:
    """One of the named cast ("maria", "james", "linh") with their own details."""
    member = CAST[name]
    values: dict[str, object] = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "street_number": member.street_number,
        "street_name": member.street_name,
        "phone": member.phone,
        "email": member.email,
        "apn": member.apn,
        "meter_serial": member.meter_serial,
        "language": member.language,
    }
    values.update(overrides)
    return customer_account(**values)  # type: ignore[arg-type]


def account_for_maria(**overrides: object) -> Account:
    """Maria Garcia at 123 Oak Ave, Davis: active water and sewer, meter W10001."""
    return cast_account("maria", **overrides)
