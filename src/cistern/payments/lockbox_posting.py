"""Posting a lockbox file's payments set-based: one ledger call for the whole file.

The rows are the ones ``payment_post_entry`` writes item by item — the entry under key
``payment:P<id>`` dated the deposit date, cash clearing against the account's receivables
applied in the district's order (``posting.payment_legs``), the payment marked posted and
linked to its entry — but the payments go in as plain rows (``COPY`` on PostgreSQL), the
open charges of every account are computed in the database in a few queries
(``posting.open_charges_many``), every entry goes through
``cistern.ledger.bulk.journal_entries_post_bulk`` at once, and the payments are marked
posted with one statement.

An account with more than one item in the file posts its items one at a time, in file
order, after the others (each payment must see the charges the one before it paid).
Callers hold the customer accounts' row locks, taken in id order (``payments.locks``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import connection

from cistern.ledger import codes
from cistern.ledger.bulk import EntryRequest, journal_entries_post_bulk
from cistern.ledger.bulk_sql import (
    copy_field,
    copy_parts,
    copy_text,
    insert_returning_ids,
    prepared,
    reserve_ids,
)
from cistern.ledger.services import Leg
from cistern.payments import config
from cistern.payments.domain import OpenCharge, payment_apply
from cistern.payments.models import Channel, Payment
from cistern.payments.posting import (
    CATEGORY_CREDIT,
    CREDIT_ACCOUNT,
    DEBIT_ACCOUNT,
    SOURCE_PAYMENT,
    open_charges_many,
    payment_post_entry,
)

IN_CLAUSE = 500
__all__ = ["LockboxPayment", "lockbox_payments_post", "open_charges_many"]


class LockboxPayment(NamedTuple):
    """One lockbox item as the payment row it becomes (channel lockbox, pending)."""

    batch_id: int
    account_id: int
    amount_cents: int
    tender: str
    received_on: date
    payer_name: str
    check_number: str
    idempotency_key: str


def lockbox_payments_post(
    *, payments: Sequence[LockboxPayment], source_ref: str, actor: Any, now: datetime
) -> int:
    """Write and post ``payments`` (accounts locked by the caller); returns how many.

    PostgreSQL: the payment ids are taken from the sequence first and the rows go in after
    the entries, already posted and linked (no second write of 100,000 rows); elsewhere the
    rows go in pending and are marked posted after.
    """
    direct = connection.vendor == "postgresql"
    ids = reserve_ids(Payment, len(payments)) if direct else _insert_pending(payments, actor, now)
    per_account = Counter(p.account_id for p in payments)
    alone = [(pk, p) for pk, p in zip(ids, payments, strict=True) if per_account[p.account_id] == 1]
    entry_for = _post_alone(alone, source_ref, actor)
    if direct:
        _insert_rows(payments, ids, entry_for, actor, now)
    else:
        _mark_posted(list(entry_for.items()))
    shared = [pk for pk, p in zip(ids, payments, strict=True) if per_account[p.account_id] > 1]
    for start in range(0, len(shared), IN_CLAUSE):
        part = shared[start : start + IN_CLAUSE]
        for payment in Payment.objects.filter(pk__in=part).order_by("pk"):
            payment_post_entry(payment=payment, source_ref=source_ref, actor=actor)
    return len(payments)


def _post_alone(
    alone: list[tuple[int, LockboxPayment]], source_ref: str, actor: Any
) -> dict[int, int]:
    """Post one entry per (payment id, payment) in one bulk call: payment id -> entry id."""
    charges = open_charges_many([p.account_id for _pk, p in alone])
    order = config.application_order()
    memos = _memos({p.tender for _pk, p in alone})
    empty: tuple[list[OpenCharge], dict[str, str]] = ([], {})
    requests = [
        EntryRequest(
            idempotency_key=f"payment:P{pk}",
            effective_date=p.received_on,
            source=SOURCE_PAYMENT,
            source_ref=source_ref,
            memo=memos[p.tender],
            legs=tuple(
                _legs(p.account_id, p.amount_cents, *charges.get(p.account_id, empty), order)
            ),
        )
        for pk, p in alone
    ]
    result = journal_entries_post_bulk(requests=requests, actor=actor)
    return {pk: result.entry_ids[f"payment:P{pk}"] for pk, _p in alone}


_PAYMENT_COLUMNS = (
    "batch", "account", "amount_cents", "tender", "channel", "status", "received_on",
    "payer_name", "check_number", "check_bank", "processor_reference", "card_brand",
    "card_last4", "auth_code", "idempotency_key", "created_by", "created_at",
)  # fmt: skip


def _rows(
    payments: Sequence[LockboxPayment], actor: Any, now: datetime
) -> Iterator[tuple[Any, ...]]:
    """The payments as pending rows in ``_PAYMENT_COLUMNS`` order."""
    created_at = prepared(Payment, "created_at", now)
    actor_id = getattr(actor, "pk", None)
    days = {d: prepared(Payment, "received_on", d) for d in {p.received_on for p in payments}}
    pending, lockbox = Payment.Status.PENDING.value, Channel.LOCKBOX.value
    for p in payments:
        yield (
            p.batch_id, p.account_id, p.amount_cents, p.tender, lockbox, pending,
            days[p.received_on], p.payer_name, p.check_number, "", "", "", "", "",
            p.idempotency_key, actor_id, created_at,
        )  # fmt: skip


def _insert_pending(payments: Sequence[LockboxPayment], actor: Any, now: datetime) -> list[int]:
    """Insert the payments as plain rows (pending, no entry); their ids in file order."""
    return insert_returning_ids(Payment, _PAYMENT_COLUMNS, list(_rows(payments, actor, now)))


def _insert_rows(
    payments: Sequence[LockboxPayment],
    ids: list[int],
    entry_for: dict[int, int],
    actor: Any,
    now: datetime,
) -> None:
    """PostgreSQL: ``COPY`` the payments under ``ids``, posted and linked where ``entry_for``
    has an entry, pending otherwise (an account's second item, posted one at a time after).

    The rows are ``_rows``' values rendered as ``COPY`` text here, one format per row
    (``bulk_sql.copy_text``): psycopg's formatting of each value cost more than the server's
    work. The file's own texts (payer, check number, key) go through ``copy_field``."""
    written = copy_text(
        Payment,
        ("id", *_PAYMENT_COLUMNS, "entry"),
        _copy_parts(payments, ids, entry_for, actor, now),
    )
    if written != len(payments):
        raise RuntimeError(f"wrote {written} payments, expected {len(payments)}")


def _copy_parts(
    payments: Sequence[LockboxPayment],
    ids: list[int],
    entry_for: dict[int, int],
    actor: Any,
    now: datetime,
) -> Iterator[str]:
    """The ``COPY`` text of ``_insert_rows`` (``bulk_sql.copy_parts``)."""
    lockbox = Channel.LOCKBOX.value
    posted, pending = Payment.Status.POSTED.value, Payment.Status.PENDING.value
    blanks = "\t" * 5  # check_bank, processor_reference, card_brand, card_last4, auth_code
    tail = f"\t{copy_field(getattr(actor, 'pk', None))}\t{copy_field(now)}\t"
    days = {d: copy_field(d.isoformat()) for d in {p.received_on for p in payments}}

    def row(n: int) -> str:
        pk, p = ids[n], payments[n]
        entry = entry_for.get(pk)
        status, linked = (pending, "\\N") if entry is None else (posted, entry)
        return (
            f"{pk}\t{p.batch_id}\t{p.account_id}\t{p.amount_cents}\t{copy_field(p.tender)}"
            f"\t{lockbox}\t{status}\t{days[p.received_on]}\t{copy_field(p.payer_name)}"
            f"\t{copy_field(p.check_number)}{blanks}\t{copy_field(p.idempotency_key)}"
            f"{tail}{linked}\n"
        )

    return copy_parts(len(payments), row)


def _memos(tenders: set[str]) -> dict[str, str]:
    """The memo ``payment_post_entry`` writes, per tender (all lockbox), built once each:
    ``get_tender_display`` costs a translated-choices lookup per call."""
    memos = {}
    for tender in tenders:
        sample = Payment(tender=tender, channel=Channel.LOCKBOX)
        memos[tender] = f"{sample.get_tender_display()} payment, {sample.get_channel_display()}"
    return memos


def _legs(
    account_id: int,
    amount_cents: int,
    charges: list[OpenCharge],
    code_for: dict[str, str],
    order: Any,
) -> list[Leg]:
    """``posting.payment_legs`` with the open charges given."""
    applied = payment_apply(payment_cents=amount_cents, open_charges=charges, order=order)
    legs = [Leg(DEBIT_ACCOUNT, amount_cents)]
    for category, cents in applied.by_category().items():
        code = code_for.get(category) or codes.RECEIVABLE_FOR_CATEGORY.get(category, CREDIT_ACCOUNT)
        legs.append(Leg(code, -cents, account_id, category))
    if applied.unapplied_cents:
        legs.append(Leg(CREDIT_ACCOUNT, -applied.unapplied_cents, account_id, CATEGORY_CREDIT))
    return legs


def _mark_posted(pairs: list[tuple[int, int]]) -> None:
    """Mark posted and link each (payment id, entry id): one statement (PostgreSQL)."""
    if not pairs:
        return
    table = connection.ops.quote_name(Payment._meta.db_table)
    posted = Payment.Status.POSTED.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS p SET status = %s, entry_id = v.entry"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, entry) WHERE p.id = v.id",
                [posted, [pk for pk, _e in pairs], [e for _pk, e in pairs]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, entry_id = %s WHERE id = %s",
                [(posted, entry_id, pk) for pk, entry_id in pairs],
            )
