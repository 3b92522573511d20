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
    PREMISE_EDIT = "premise.edit"
    PREMISE_VARIANCE_APPROVE = "premise.variance.approve"
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
    # Foundation actions for the screens that land next (named here so the table is whole)
    ACCOUNT_OPEN = "account.open"
    CUSTOMER_RETURNED_MAIL_MARK = "customer.returned_mail.mark"
    METER_VIEW = "meter.view"
    METER_EDIT = "meter.edit"
    LEDGER_ENTRY_POST = "ledger.entry.post"
    LEDGER_ENTRY_REVERSE = "ledger.entry.reverse"
    REPORTS_VIEW = "reports.view"
    # Meter reads and route audit
    READS_IMPORT = "reads.import"
    READS_REVIEW = "reads.review"
    # Rates and bill runs
    RATES_VIEW = "rates.view"
    RATES_EDIT = "rates.edit"
    FEES_EDIT = "fees.edit"
    BILLING_VIEW = "billing.view"
    BILL_RUN_MANAGE = "billing.run.manage"
    BILL_CORRECT = "billing.bill.correct"
    # Cashiering and payments
    CASHIER_DRAWER = "cashier.drawer"
    PAYMENT_TAKE = "payment.take"
    PAYMENT_BATCH_MANAGE = "payment.batch.manage"
    PAYMENT_RETURN = "payment.return"
    LOCKBOX_IMPORT = "payment.lockbox.import"
    RECEIPT_VOID = "receipt.void"
    DRAWER_CLOSE_APPROVE = "cashier.drawer.approve"
    CASH_REPORTS_VIEW = "cash.reports.view"
    BANK_RECONCILE = "bank.reconcile"


# Actions that only read. The Auditor's role is limited to these (a unit test checks it).
READ_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.WORKSPACE_VIEW,
        Action.ACCOUNT_SEARCH,
        Action.ACCOUNT_VIEW,
        Action.AUDIT_VIEW,
        Action.LEDGER_VIEW,
        Action.CALENDAR_VIEW,
        Action.METER_VIEW,
        Action.REPORTS_VIEW,
        Action.RATES_VIEW,
        Action.BILLING_VIEW,
        Action.CASH_REPORTS_VIEW,
    }
)

# The CSR series from the job description, lowest first; each may do all the one before may.
CSR_TIERS: tuple[Role, ...] = (
    Role.CSR_I,
    Role.CSR_II,
    Role.CSR_III,
    Role.CSR_SENIOR,
    Role.MANAGER,
)


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
    Action.PREMISE_EDIT: frozenset(CSR_II_UP),  # CSR II: account maintenance
    Action.PREMISE_VARIANCE_APPROVE: frozenset(SENIOR_UP),  # an exception to the rates
    Action.AUDIT_VIEW: frozenset(SENIOR_UP | {Role.AUDITOR, Role.ADMIN, Role.FINANCE}),
    Action.LEDGER_VIEW: frozenset(CSR_III_UP | {Role.FINANCE, Role.AUDITOR}),
    Action.LEDGER_CHART_EDIT: frozenset({Role.FINANCE}),
    Action.LEDGER_PERIOD_CLOSE: frozenset({Role.FINANCE}),
    Action.DISTRICT_SETTINGS_EDIT: frozenset({Role.ADMIN}),
    Action.CALENDAR_VIEW: frozenset(EVERY_STAFF),
    Action.CALENDAR_EDIT: frozenset({Role.ADMIN, Role.MANAGER}),
    Action.STAFF_MANAGE: frozenset({Role.ADMIN}),
    Action.ACCOUNT_OPEN: frozenset(CSR_II_UP),  # CSR II: "process standard new connections"
    Action.CUSTOMER_RETURNED_MAIL_MARK: frozenset(CSR_I_UP),  # CSR I: returned mail
    Action.METER_VIEW: frozenset(READERS),
    Action.METER_EDIT: frozenset(CSR_II_UP | {Role.FIELD}),  # CSR II: "audit meter routes"
    Action.LEDGER_ENTRY_POST: frozenset({Role.FINANCE}),
    Action.LEDGER_ENTRY_REVERSE: frozenset({Role.FINANCE}),
    Action.REPORTS_VIEW: frozenset(CSR_III_UP | {Role.FINANCE, Role.AUDITOR, Role.ADMIN}),
    Action.READS_IMPORT: frozenset(CSR_II_UP | {Role.FINANCE}),
    Action.READS_REVIEW: frozenset(CSR_II_UP),  # CSR II: "audit meter routes"
    Action.RATES_VIEW: frozenset(READERS),
    Action.RATES_EDIT: frozenset({Role.MANAGER, Role.FINANCE}),
    Action.FEES_EDIT: frozenset(CSR_III_UP | {Role.FINANCE}),  # CSR III: "fees in Springbrook"
    Action.BILLING_VIEW: frozenset(READERS),
    # CSR III: "backup to Finance for all billing functions, including generating bills"
    Action.BILL_RUN_MANAGE: frozenset(CSR_III_UP | {Role.FINANCE}),
    Action.BILL_CORRECT: frozenset(CSR_II_UP | {Role.FINANCE}),  # CSR II: final bills, clean-up
    Action.CASHIER_DRAWER: frozenset(CSR_I_UP),  # CSR I: "serve as cashier"
    Action.PAYMENT_TAKE: frozenset(CSR_I_UP),
    Action.PAYMENT_BATCH_MANAGE: frozenset(CSR_II_UP),  # CSR II: "open and close batches"
    Action.PAYMENT_RETURN: frozenset(CSR_II_UP | {Role.FINANCE}),  # CSR II: "return payment items"
    Action.LOCKBOX_IMPORT: frozenset(CSR_II_UP | {Role.FINANCE}),
    Action.RECEIPT_VOID: frozenset(SENIOR_UP),
    Action.DRAWER_CLOSE_APPROVE: frozenset(SENIOR_UP),
    Action.CASH_REPORTS_VIEW: frozenset(CSR_II_UP | {Role.FINANCE, Role.AUDITOR}),
    Action.BANK_RECONCILE: frozenset({Role.FINANCE}),
}

# What each action lets a person do, in the words of the roles page (docs/user-guide/roles.md).
DESCRIPTIONS: dict[Action, str] = {
    Action.WORKSPACE_VIEW: "Open the front-desk workspace",
    Action.ACCOUNT_SEARCH: "Search accounts",
    Action.ACCOUNT_VIEW: "View an account page",
    Action.CONTACT_LOG: "Log a contact (call, visit, e-mail...)",
    Action.CUSTOMER_ADDRESS_UPDATE: "Update a mailing address",
    Action.CUSTOMER_CONTACT_EDIT: "Edit phones and e-mails",
    Action.ACCOUNT_BILL_TO_EDIT: "Add or remove a secondary bill-to",
    Action.ACCOUNT_FLAGS_EDIT: "Set or clear account flags",
    Action.ACCOUNT_STATUS_CHANGE: "Change an account's status",
    Action.PREMISE_EDIT: "Edit a premise's household, landscape, ET zone and sewer data",
    Action.PREMISE_VARIANCE_APPROVE: "Approve a water-budget variance",
    Action.AUDIT_VIEW: "View and export the audit trail",
    Action.LEDGER_VIEW: "View the ledger",
    Action.LEDGER_CHART_EDIT: "Edit the chart of accounts",
    Action.LEDGER_PERIOD_CLOSE: "Close an accounting period",
    Action.DISTRICT_SETTINGS_EDIT: "Edit the district settings",
    Action.CALENDAR_VIEW: "View the business calendar",
    Action.CALENDAR_EDIT: "Add or remove closures and furlough days",
    Action.STAFF_MANAGE: "Manage staff users and roles",
    Action.ACCOUNT_OPEN: "Open a new account",
    Action.CUSTOMER_RETURNED_MAIL_MARK: "Mark mail as returned",
    Action.METER_VIEW: "View meters and their history",
    Action.METER_EDIT: "Edit meters and installations",
    Action.LEDGER_ENTRY_POST: "Post a journal entry",
    Action.LEDGER_ENTRY_REVERSE: "Reverse a journal entry",
    Action.REPORTS_VIEW: "View and export reports",
    Action.READS_IMPORT: "Import meter-read files and download route files",
    Action.READS_REVIEW: "Release, correct or send for reread a held meter read",
    Action.RATES_VIEW: "View rate schedules and the bill calculator",
    Action.RATES_EDIT: "Create and edit rate schedules",
    Action.FEES_EDIT: "Maintain the fee schedule",
    Action.BILLING_VIEW: "View bill runs and bills",
    Action.BILL_RUN_MANAGE: "Create, review, post and issue bill runs",
    Action.BILL_CORRECT: "Cancel and rebill a posted bill",
    Action.CASHIER_DRAWER: "Open and count a cash drawer",
    Action.PAYMENT_TAKE: "Take payments at the counter",
    Action.PAYMENT_BATCH_MANAGE: "Open, enter, close and post payment batches",
    Action.PAYMENT_RETURN: "Record a returned check or ACH payment",
    Action.LOCKBOX_IMPORT: "Import a bank lockbox file",
    Action.RECEIPT_VOID: "Void a receipt (same day, open drawer)",
    Action.DRAWER_CLOSE_APPROVE: "Approve a cash drawer close",
    Action.CASH_REPORTS_VIEW: "View cash receipts, drawer and deposit reports",
    Action.BANK_RECONCILE: "Reconcile deposits with the bank's files",
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
