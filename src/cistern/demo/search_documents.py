"""Search documents for the demo accounts.

The customer services keep each account's document with
``cistern.customers.search_index``; the demo writes the very same text in bulk.
"""

from __future__ import annotations

from django.db import connection

from cistern.customers.domain.search_text import build_search_text
from cistern.customers.models import AccountSearchDocument
from cistern.customers.search_sql import FTS_TABLE, SQLITE_TRIGGERS_CREATE, SQLITE_TRIGGERS_DROP
from cistern.demo.domain.plan import AccountPlan, DistrictPlan
from cistern.demo.persist import Ids, raw_insert


def search_documents_write(plan: DistrictPlan, ids: Ids) -> int:
    """Write one search document per planned account; returns how many.

    The text is what ``cistern.customers.search_index.search_texts_build`` makes from the
    rows written (a test holds the two equal), computed from the plan instead of read back,
    which saves most of the time a 100,000-account rebuild takes. Each database's index
    follows the document table by itself (SQLite triggers feed FTS5; PostgreSQL's GIN).
    """
    documents = (
        (ids.account(i), document_text(plan, account)) for i, account in enumerate(plan.accounts)
    )
    if connection.vendor != "sqlite":
        return raw_insert(AccountSearchDocument, ("account_id", "text"), documents)
    # As the customers' full rebuild does: index once at the end instead of row by row.
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS_DROP:
            cursor.execute(statement)
        count = raw_insert(AccountSearchDocument, ("account_id", "text"), documents)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        for statement in SQLITE_TRIGGERS_CREATE:
            cursor.execute(statement)
    return count


def document_text(plan: DistrictPlan, account: AccountPlan) -> str:
    customer = plan.customers[account.customer]
    premise = plan.premises[account.premise]
    service_address = _joined(
        premise.street_number, premise.street_name, premise.unit, premise.city, premise.postal_code
    )
    mailing = customer.mailing
    mailing_address = ""
    if mailing is not None:
        mailing_address = _joined(mailing.line1, mailing.line2, mailing.city, mailing.postal_code)
    return build_search_text(
        account_number=account.number,
        names=[customer.display_name],
        addresses=[service_address, mailing_address],
        phones=[number for number, _ in customer.phones],
        emails=customer.emails,
        meter_serials=[premise.meter.serial],
        apns=[premise.apn] if premise.apn else [],
    )


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)
