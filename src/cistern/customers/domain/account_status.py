"""Account statuses and the moves allowed between them.

pending -> active when service starts; active <-> suspended (a customer-requested or
district suspension); active -> locked_off (shutoff for nonpayment, under the shutoff law)
-> active on restoration; active/suspended/locked_off -> final when service stops and the
final bill is due; final -> closed once the balance is settled (or written off).
"""

from enum import StrEnum


class AccountStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LOCKED_OFF = "locked_off"
    FINAL = "final"
    CLOSED = "closed"


ALLOWED_TRANSITIONS: dict[AccountStatus, frozenset[AccountStatus]] = {
    AccountStatus.PENDING: frozenset({AccountStatus.ACTIVE, AccountStatus.CLOSED}),
    AccountStatus.ACTIVE: frozenset(
        {AccountStatus.SUSPENDED, AccountStatus.LOCKED_OFF, AccountStatus.FINAL}
    ),
    AccountStatus.SUSPENDED: frozenset({AccountStatus.ACTIVE, AccountStatus.FINAL}),
    AccountStatus.LOCKED_OFF: frozenset({AccountStatus.ACTIVE, AccountStatus.FINAL}),
    AccountStatus.FINAL: frozenset({AccountStatus.CLOSED}),
    AccountStatus.CLOSED: frozenset(),
}


def can_transition(current: AccountStatus, target: AccountStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]
