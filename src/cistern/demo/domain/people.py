"""Demo customers: people of California's many backgrounds, and organizations.

E-mail addresses use the reserved ``example.*`` domains (RFC 2606) so that nothing the demo
district sends can ever reach a real mailbox.
"""

from __future__ import annotations

import random
from functools import lru_cache

from cistern.demo.domain.draw import Weighted, between, pick
from cistern.demo.domain.names import HERITAGES, Heritage
from cistern.demo.domain.people_orgs import organization_name
from cistern.demo.domain.places import AREA_CODES
from cistern.demo.domain.plan import CustomerPlan
from cistern.demo.domain.text import ascii_fold

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")
EMAIL_SHARE = 0.55  # people with an e-mail address on file
SECOND_PHONE_SHARE = 0.2
_PHONE_KINDS = Weighted((("mobile", 70), ("home", 25), ("work", 5)))


class People:
    """Makes customers from one seeded random source, keeping phones and e-mails unique."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phones: set[str] = set()
        self._emails: set[str] = set()
        self._heritages = Weighted([(h, h.weight) for h in HERITAGES])

    def person(self) -> CustomerPlan:
        rng = self._rng
        heritage: Heritage = self._heritages.draw(rng)
        first = pick(rng, heritage.first_names)
        last = pick(rng, heritage.last_names)
        if heritage.key == "hispanic" and rng.random() < 0.15:
            last = f"{last} {pick(rng, heritage.last_names)}"  # both family names
        language = heritage.language if rng.random() < heritage.language_share else "en"
        phones = [(self.phone(), _PHONE_KINDS.draw(rng))]
        if rng.random() < SECOND_PHONE_SHARE:
            phones.append((self.phone(), "work" if phones[0][1] != "work" else "mobile"))
        emails = [self._email(first, last)] if rng.random() < EMAIL_SHARE else []
        return CustomerPlan(
            kind="person",
            first_name=first,
            last_name=last,
            organization_name="",
            display_name=f"{last}, {first}",
            language=language,
            phones=phones,
            emails=emails,
        )

    def organization(self, kind: str, *, town: str) -> CustomerPlan:
        """An organization of ``kind``: business, industry, school, church, hoa, public, manager."""
        name = organization_name(self._rng, kind, town=town)
        emails = []
        if self._rng.random() < 0.6:
            emails = [self._unique_email(_mailbox_from(name), pick(self._rng, EMAIL_DOMAINS))]
        return CustomerPlan(
            kind="organization",
            first_name="",
            last_name="",
            organization_name=name,
            display_name=name,
            language="en",
            phones=[(self.phone(), "work")],
            emails=emails,
        )

    def phone(self) -> str:
        """Ten unique digits: a regional area code, an exchange and a line number."""
        rng = self._rng
        while True:
            number = f"{pick(rng, AREA_CODES)}{between(rng, 201, 989)}{between(rng, 0, 9999):04d}"
            if number not in self._phones and number[3:6] != "555":
                self._phones.add(number)
                return number

    def _email(self, first: str, last: str) -> str:
        rng = self._rng
        first_part = _mailbox_from(first)
        last_part = _mailbox_from(last)
        pattern = rng.randrange(4)
        if pattern == 0:
            box = f"{first_part}.{last_part}"
        elif pattern == 1:
            box = f"{first_part[:1]}{last_part}"
        elif pattern == 2:
            box = f"{first_part}{last_part}{between(rng, 1, 99)}"
        else:
            box = f"{last_part}.{first_part[:1]}{between(rng, 60, 2005)}"
        return self._unique_email(box, pick(rng, EMAIL_DOMAINS))

    def _unique_email(self, box: str, domain: str) -> str:
        address = f"{box}@{domain}"
        suffix = 1
        while address in self._emails:
            suffix += 1
            address = f"{box}{suffix}@{domain}"
        self._emails.add(address)
        return address


@lru_cache(maxsize=4096)
def _mailbox_from(text: str) -> str:
    folded = ascii_fold(text).lower()
    return "".join(c for c in folded if c.isalnum())[:24] or "office"
