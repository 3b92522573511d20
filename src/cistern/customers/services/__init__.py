"""Every write to customers, premises, accounts and their contacts. See each module's overview.

Each service runs in one transaction, locks what it changes, records an audit event and
refreshes the search documents of the accounts it touches. Refusals are ``ServiceError``
with a message (a module constant) that says what is wrong and what to do.
"""

from cistern.customers.domain.contact_details import Address
from cistern.customers.search_index import search_document_refresh, search_documents_rebuild
from cistern.customers.services.accounts import account_open, account_status_change
from cistern.customers.services.bill_to import (
    account_secondary_bill_to_add,
    account_secondary_bill_to_remove,
)
from cistern.customers.services.contact_details import (
    customer_email_add,
    customer_email_remove,
    customer_email_update,
    customer_phone_add,
    customer_phone_remove,
    customer_phone_update,
)
from cistern.customers.services.contact_log import contact_log_create
from cistern.customers.services.customers import (
    PhoneInput,
    customer_create,
    customer_mailing_address_update,
    customer_returned_mail_mark,
)
from cistern.customers.services.flags import account_flag_clear, account_flag_set
from cistern.customers.services.premises import premise_create, premise_rating_update

__all__ = [
    "Address",
    "PhoneInput",
    "account_flag_clear",
    "account_flag_set",
    "account_open",
    "account_secondary_bill_to_add",
    "account_secondary_bill_to_remove",
    "account_status_change",
    "contact_log_create",
    "customer_create",
    "customer_email_add",
    "customer_email_remove",
    "customer_email_update",
    "customer_mailing_address_update",
    "customer_phone_add",
    "customer_phone_remove",
    "customer_phone_update",
    "customer_returned_mail_mark",
    "premise_create",
    "premise_rating_update",
    "search_document_refresh",
    "search_documents_rebuild",
]
