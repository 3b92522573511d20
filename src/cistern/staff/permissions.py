"""The permission table: which roles may take each action. The one place access is decided.

Built from the CSR job description's tiers: each CSR tier may do everything the tier below
may, and more (CSR I: front desk, cashier, contacts, address updates; CSR II: account
maintenance, batches, route audit; CSR III: fees, tax roll, lock-off day, reports; Senior:
supervision, voids and approvals). The Customer Relations Manager may do all a Senior may.
Finance owns the ledger; Field sees what field work needs; the Auditor reads everything and
changes nothing; the Administrator manages users and district settings.

Views declare their action with ``@action_required``; ``tests/integration/staff`` walks
every URL and fails on a route that declares none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied

from cistern.staff.roles import Role


class Action(StrEnum):
    # Workspace and accounts
    WORKSPACE_VIEW = "workspace.view"
    ACCOUNT_SEARCH = "account.search"
    ACCOUNT_VIEW = "account.view"
    CONTACT_LOG = "contact.log"
    CUSTOMER_ADDRESS_UPDATE = "customer.address.update"
    CUSTOMER_CONTACT_EDIT = "customer.contact.edit"
    ACCOUNT_BILL_TO_EDIT = "account.bill_to.edit"
    ACCOUNT_FLAGS_EDIT = "account.flags.edit"
    ACCOUNT_STATUS_CHANGE = "account.status.change"
    AUDIT_VIEW = "audit.view"
    # Ledger
    LEDGER_VIEW = "ledger.view"
    LEDGER_CHART_EDIT = "ledger.chart.edit"
    LEDGER_PERIOD_CLOSE = "ledger.period.close"
    # Administration
    DISTRICT_SETTINGS_EDIT = "district.settings.edit"
    CALENDAR_VIEW = "calendar.view"
    CALENDAR_EDIT = "calendar.edit"
    STAFF_MANAGE = "staff.manage"


CSR_I = {Role.CSR_I}
CSR_II_UP = {Role.CSR_II, Role.CSR_III, Role.CSR_SENIOR, Role.MANAGER}
CSR_I_UP = CSR_I | CSR_II_UP
CSR_III_UP = {Role.CSR_III, Role.CSR_SENIOR, Role.MANAGER}
SENIOR_UP = {Role.CSR_SENIOR, Role.MANAGER}
EVERY_STAFF = set(Role)
READERS = CSR_I_UP | {Role.FINANCE, Role.FIELD, Role.AUDITOR, Role.ADMIN}

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.WORKSPACE_VIEW: frozenset(EVERY_STAFF),
    Action.ACCOUNT_SEARCH: frozenset(READERS),
    Action.ACCOUNT_VIEW: frozenset(READERS),
    Action.CONTACT_LOG: frozenset(CSR_I_UP),
    Action.CUSTOMER_ADDRESS_UPDATE: frozenset(CSR_I_UP),
    Action.CUSTOMER_CONTACT_EDIT: frozenset(CSR_I_UP),
    Action.ACCOUNT_BILL_TO_EDIT: frozenset(CSR_II_UP),
    Action.ACCOUNT_FLAGS_EDIT: frozenset(CSR_II_UP),
    Action.ACCOUNT_STATUS_CHANGE: frozenset(CSR_II_UP),
    Action.AUDIT_VIEW: frozenset(SENIOR_UP | {Role.AUDITOR, Role.ADMIN, Role.FINANCE}),
    Action.LEDGER_VIEW: frozenset(CSR_III_UP | {Role.FINANCE, Role.AUDITOR}),
    Action.LEDGER_CHART_EDIT: frozenset({Role.FINANCE}),
    Action.LEDGER_PERIOD_CLOSE: frozenset({Role.FINANCE}),
    Action.DISTRICT_SETTINGS_EDIT: frozenset({Role.ADMIN}),
    Action.CALENDAR_VIEW: frozenset(EVERY_STAFF),
    Action.CALENDAR_EDIT: frozenset({Role.ADMIN, Role.MANAGER}),
    Action.STAFF_MANAGE: frozenset({Role.ADMIN}),
}


def can(user: Any, action: Action) -> bool:
    """True when ``user`` is signed in, active, and their role may take ``action``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Role(user.role) in PERMISSIONS[action]


def require(user: Any, action: Action) -> None:
    if not can(user, action):
        raise PermissionDenied(f"Your role may not {action.value}.")


def roles_for(action: Action) -> frozenset[Role]:
    return PERMISSIONS[action]


def actions_for(role: Role) -> Iterable[Action]:
    return [action for action, roles in PERMISSIONS.items() if role in roles]


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def action_required(action: Action) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: sign-in required, then the role must be allowed ``action`` (else 403).

    Sets ``view.required_action`` so the route-walking test can check every URL has one.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            require(request.user, action)
            return view(request, *args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
