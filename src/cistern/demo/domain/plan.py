"""The demo district as plain data: what the builder writes, decided before any write.

Records refer to each other by their index in the plan's lists (``customer``, ``premise``,
``route``); the builder turns indexes into database ids. Dates are plain dates relative to
the plan's ``today``; nothing here reads a clock or a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str


@dataclass(slots=True)
class CustomerPlan:
    kind: str  # "person" | "organization"
    first_name: str
    last_name: str
    organization_name: str
    display_name: str  # "Last, First" for people, the organization name otherwise
    language: str
    phones: list[tuple[str, str]]  # (digits, kind); the first is primary
    emails: list[str]  # the first is primary
    mailing: Address | None = None  # None until the customer's first account decides it
    since: date | None = None  # the mailing address's valid_from
    returned_mail_on: date | None = None  # set when the post office returned a bill


@dataclass(slots=True)
class MeterPlan:
    serial: str
    make: str
    model: str
    size: str  # a MeterSize value: "5/8", "1-1/2", ...
    unit: str  # a VolumeUnit value: "ccf", "gal", ...
    dials: int
    multiplier: int  # 1 or 10
    ami_endpoint_id: str
    installed_on: date
    install_read: int


@dataclass(slots=True)
class PremisePlan:
    street_number: str
    street_name: str
    unit: str
    city: str
    postal_code: str
    apn: str
    premise_class: str  # a PremiseClass value
    dwelling_units: int
    town: str
    meter: MeterPlan
    route: int = -1  # index into DistrictPlan.routes, set once all premises exist
    read_sequence: int = 0

    @property
    def address_line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street_number} {self.street_name}{unit}"


@dataclass(slots=True)
class FlagPlan:
    kind: str  # a FlagKind value
    set_on: date
    evidence_type: str = ""
    evidence_date: date | None = None
    note: str = ""


@dataclass(slots=True)
class BillToPlan:
    name: str
    address: Address
    email: str
    added_on: date


@dataclass(slots=True)
class ContactPlan:
    channel: str
    direction: str
    summary: str
    staff_username: str
    days_ago: int
    minute_of_day: int  # office time, minutes after midnight in the district's zone


@dataclass(slots=True)
class AccountPlan:
    number: str
    customer: int
    premise: int
    status: str  # an AccountStatus value
    start_date: date
    end_date: date | None
    services: list[str]
    flags: list[FlagPlan] = field(default_factory=list)
    bill_tos: list[BillToPlan] = field(default_factory=list)
    contacts: list[ContactPlan] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CyclePlan:
    code: str
    name: str
    frequency: str  # "monthly" | "bimonthly"
    read_day: int


@dataclass(frozen=True, slots=True)
class RoutePlan:
    code: str
    name: str
    cycle: int  # index into DistrictPlan.cycles


@dataclass(slots=True)
class DistrictPlan:
    seed: int
    today: date
    customers: list[CustomerPlan] = field(default_factory=list)
    premises: list[PremisePlan] = field(default_factory=list)
    accounts: list[AccountPlan] = field(default_factory=list)
    cycles: list[CyclePlan] = field(default_factory=list)
    routes: list[RoutePlan] = field(default_factory=list)
    change_outs: list[ChangeOutPlan] = field(default_factory=list)  # set with a history


@dataclass(slots=True)
class ChangeOutPlan:
    """A meter replaced during the history: ``old`` read until ``day``, the premise's
    planned meter (its ``installed_on`` set to ``day``) from then on."""

    premise: int  # index into DistrictPlan.premises
    day: date
    old: MeterPlan
