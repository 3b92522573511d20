"""Row locks for the customer services, taken in one order: customer, then account.

Every customer service locks the rows it changes before reading them for a decision, so
two clerks editing the same record queue instead of overwriting each other.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cistern.core.errors import ServiceError
from cistern.customers.models import Account, Customer

CUSTOMER_NOT_FOUND = _("That customer no longer exists. Search for the account again.")
ACCOUNT_NOT_FOUND = _("That account does not exist. Check the account number and search again.")


def customer_lock(customer_id: int) -> Customer:
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if customer is None:
        raise ServiceError(str(CUSTOMER_NOT_FOUND))
    return customer


def account_lock(account_id: int) -> Account:
    account = Account.objects.select_for_update().filter(pk=account_id).first()
    if account is None:
        raise ServiceError(str(ACCOUNT_NOT_FOUND))
    return account
