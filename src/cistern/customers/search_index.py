"""The search documents: one row of search words per account, and each database's index of them.

``AccountSearchDocument.text`` is built by ``build_search_text`` from the account number,
customer name, service and current mailing address, phones, e-mails, current meter serial
and APN. Every customer service refreshes the documents it affects, in its own transaction.

How each database finds documents fast:

- SQLite: an FTS5 table over the documents (external content, ``rowid`` = account id),
  tokenized on the same alphabet as ``words()`` and with prefix indexes for 1-3 characters.
  Triggers on the document table keep it in step, whatever writes the documents.
- PostgreSQL: a GIN index on ``array_to_tsvector(string_to_array(text, ' '))``: the words
  become lexemes exactly as written (no parser, no stemming), searched with ``'oak':*``.

Both are created by migration ``0003_search_index`` from the SQL in ``search_sql.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction

from cistern.customers.domain.search_text import build_search_text
from cistern.customers.models import (
    Account,
    AccountSearchDocument,
    CustomerEmail,
    CustomerPhone,
    MailingAddress,
)
from cistern.customers.search_sql import (
    DOC_TABLE,
    FTS_TABLE,
    PG_CREATE,
    PG_DROP,
    SQLITE_TRIGGERS_CREATE,
    SQLITE_TRIGGERS_DROP,
)
from cistern.metering.models import MeterInstallation

CHUNK = 2000  # accounts per query/insert batch during a rebuild


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return grouped


def _scoped(queryset, field: str, ids: set[int] | None):  # type: ignore[no-untyped-def]
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def search_texts_build(account_ids: Sequence[int] | None) -> dict[int, str]:
    """The search text of each account in ``account_ids`` (every account when None).

    Five queries per call whatever the number of accounts; a full rebuild makes one call.
    """
    accounts = list(
        _scoped(
            Account.objects.all(), "id", None if account_ids is None else set(account_ids)
        ).values_list(
            "id",
            "number",
            "customer_id",
            "premise_id",
            "customer__display_name",
            "premise__street_number",
            "premise__street_name",
            "premise__unit",
            "premise__city",
            "premise__postal_code",
            "premise__apn",
        )
    )
    everything = account_ids is None
    customer_ids = None if everything else {row[2] for row in accounts}
    premise_ids = None if everything else {row[3] for row in accounts}
    phones = _grouped(
        _scoped(CustomerPhone.objects.all(), "customer_id", customer_ids).values_list(
            "customer_id", "number"
        )
    )
    emails = _grouped(
        _scoped(CustomerEmail.objects.all(), "customer_id", customer_ids).values_list(
            "customer_id", "address"
        )
    )
    mailing = {
        row[0]: " ".join(part for part in row[1:] if part)
        for row in _scoped(
            MailingAddress.objects.filter(valid_to__isnull=True), "customer_id", customer_ids
        ).values_list("customer_id", "line1", "line2", "city", "postal_code")
    }
    meters = _grouped(
        _scoped(
            MeterInstallation.objects.filter(removed_on__isnull=True), "premise_id", premise_ids
        ).values_list("premise_id", "meter__serial")
    )
    texts = {}
    for acc_id, number, cust_id, prem_id, name, st_no, st_name, unit, city, zip_, apn in accounts:
        service_address = " ".join(part for part in (st_no, st_name, unit, city, zip_) if part)
        texts[acc_id] = build_search_text(
            account_number=number,
            names=[name],
            addresses=[service_address, mailing.get(cust_id, "")],
            phones=phones.get(cust_id, []),
            emails=emails.get(cust_id, []),
            meter_serials=meters.get(prem_id, []),
            apns=[apn] if apn else [],
        )
    return texts


def search_document_refresh(*, account_id: int) -> None:
    """Rebuild one account's search document (inside the caller's transaction)."""
    text = search_texts_build([account_id]).get(account_id)
    if text is None:
        AccountSearchDocument.objects.filter(account_id=account_id).delete()
        return
    updated = AccountSearchDocument.objects.filter(account_id=account_id).update(text=text)
    if not updated:
        AccountSearchDocument.objects.create(account_id=account_id, text=text)


def search_documents_refresh_for_customer(*, customer_id: int) -> None:
    """Refresh the documents of every account the customer holds."""
    for account_id in Account.objects.filter(customer_id=customer_id).values_list("id", flat=True):
        search_document_refresh(account_id=account_id)


def search_documents_rebuild(*, account_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search documents of ``account_ids`` (every account when None); returns the count.

    Bulk: a full rebuild reads each table once; on SQLite it also suspends the FTS triggers
    and reindexes once at the end. 100,000 accounts take seconds.
    """
    if account_ids is None:
        return _rebuild_all()
    ids = sorted(set(account_ids))
    with transaction.atomic(), connection.cursor() as cursor:
        for chunk in _chunks(ids):
            texts = search_texts_build(chunk)
            AccountSearchDocument.objects.filter(account_id__in=chunk).delete()
            _insert(cursor, texts)
    return len(ids)


def _insert(cursor, texts: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    rows = list(texts.items())
    for start in range(0, len(rows), CHUNK):
        cursor.executemany(
            f"INSERT INTO {DOC_TABLE} (account_id, text) VALUES (%s, %s)",
            rows[start : start + CHUNK],
        )


def _rebuild_all() -> int:
    """Every document rebuilt in one transaction; the index is rebuilt once, not row by row.

    SQLite: triggers off, documents replaced, FTS ``rebuild``, triggers on. PostgreSQL: GIN
    index dropped, documents replaced with COPY, index created again. Searches made while it
    runs wait for it (a maintenance step: the demo builder, an import, a repair).
    """
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cursor:
        texts = search_texts_build(None)
        for statement in {"sqlite": SQLITE_TRIGGERS_DROP, "postgresql": PG_DROP}.get(vendor, ()):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {DOC_TABLE}")
        if vendor == "postgresql":
            _copy(cursor, texts)
            # Django's foreign keys are deferred; CREATE INDEX refuses to run with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # GIN builds in memory
        else:
            _insert(cursor, texts)
        if vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        for statement in {"sqlite": SQLITE_TRIGGERS_CREATE, "postgresql": PG_CREATE}.get(
            vendor, ()
        ):
            cursor.execute(statement)
        if vendor == "postgresql":
            # Statistics on the indexed expression, so the planner knows how rare a word is.
            cursor.execute(f"ANALYZE {DOC_TABLE}")
    return len(texts)


def _copy(cursor, texts: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL's COPY: an order of magnitude faster than INSERTs for 100,000 rows."""
    with cursor.cursor.copy(f"COPY {DOC_TABLE} (account_id, text) FROM STDIN") as copy:
        for row in texts.items():
            copy.write_row(row)
