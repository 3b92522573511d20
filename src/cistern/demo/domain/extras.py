"""Demo secondary bill-to contacts and contact-log entries."""

from __future__ import annotations

import random
from datetime import date, timedelta

from cistern.demo.domain.draw import Weighted, between, pick
from cistern.demo.domain.names import ANGLO, HISPANIC
from cistern.demo.domain.places import OUT_OF_AREA, STREET_BASES, STREET_SUFFIXES
from cistern.demo.domain.plan import AccountPlan, Address, BillToPlan, ContactPlan, CustomerPlan

BILL_TO_SHARE = 0.02  # current person accounts with someone who gets copies
CONTACT_SHARE = 0.05  # accounts with recent contact-log entries
_CHANNELS = (
    ("phone", 55),
    ("walk_in", 15),
    ("email", 12),
    ("voicemail", 6),
    ("mail", 5),
    ("web", 5),
    ("fax", 2),
)
_SUMMARIES = (
    "Asked about the amount of the last bill; explained tiers and the billing period.",
    "Requested a payment arrangement; explained options and sent the form.",
    "Reported a leak at the meter box; created a field request.",
    "Asked to start paperless billing; confirmed the e-mail address.",
    "High-usage inquiry; suggested checking toilets and irrigation for leaks.",
    "Moving out at the end of the month; explained the final bill.",
    "Paid at the counter; receipt given.",
    "Asked about the low-income discount program; mailed the application.",
    "Low water pressure complaint; referred to operations.",
    "Updated the phone number on file.",
    "Asked when the meter is read; gave the route's read day.",
    "Called about a door tag; explained the notice and the due date.",
)


class Extras:
    def __init__(
        self, rng: random.Random, today: date, *, staff_usernames: tuple[str, ...]
    ) -> None:
        self._rng = rng
        self._today = today
        self._staff = staff_usernames
        self._channels = Weighted(_CHANNELS)

    def decorate(self, account: AccountPlan, customer: CustomerPlan) -> None:
        """Maybe add a secondary bill-to and some contact-log entries to ``account``."""
        rng = self._rng
        if customer.kind == "person" and rng.random() < BILL_TO_SHARE:
            account.bill_tos.append(self._bill_to(account))
        if self._staff and rng.random() < CONTACT_SHARE:
            for _ in range(between(rng, 1, 3)):
                account.contacts.append(self._contact())

    def _bill_to(self, account: AccountPlan) -> BillToPlan:
        rng = self._rng
        heritage = pick(rng, (ANGLO, HISPANIC))
        name = f"{pick(rng, heritage.first_names)} {pick(rng, heritage.last_names)}"
        city, postal_code = pick(rng, OUT_OF_AREA)
        street = f"{between(rng, 10, 9999)} {pick(rng, STREET_BASES)} {pick(rng, STREET_SUFFIXES)}"
        email = ""
        if rng.random() < 0.5:
            email = f"copies{len(name)}{between(rng, 100, 999)}@example.org"
        added_on = min(self._today, account.start_date + timedelta(days=between(rng, 0, 700)))
        return BillToPlan(name, Address(street, "", city, "CA", postal_code), email, added_on)

    def _contact(self) -> ContactPlan:
        rng = self._rng
        channel = self._channels.draw(rng)
        direction = "out" if channel != "walk_in" and rng.random() < 0.2 else "in"
        return ContactPlan(
            channel=channel,
            direction=direction,
            summary=pick(rng, _SUMMARIES),
            staff_username=pick(rng, self._staff),
            days_ago=between(rng, 0, 120),
            minute_of_day=between(rng, 8 * 60, 17 * 60 - 1),
        )
