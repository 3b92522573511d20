"""PostgreSQL triggers that keep payment records append-only where the rules say so (I3).

- No receipt, payment, batch, drawer session, lockbox import or return is ever deleted.
- A receipt's number, amounts, tender, drawer, cashier and issue time never change; a void
  receipt stays void.
- A payment's amount, account, tender, channel, receipt, batch and key never change; once it
  has a journal entry that entry never changes; a voided, reversed or returned payment
  stays so.
- A posted batch never changes.
The services already keep these rules; the triggers catch any other writer. SQLite gets
none of these (its test flush deletes rows); ``tests/integration/payments`` checks them on
PostgreSQL. TRUNCATE (the PostgreSQL test flush) fires no row trigger.
"""

from __future__ import annotations

from typing import Any

NO_DELETE_TABLES = (
    "payments_receipt",
    "payments_payment",
    "payments_paymentbatch",
    "payments_drawersession",
    "payments_lockboximport",
    "payments_paymentreturn",
)

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION payments_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'payment records are never deleted (% on % refused)', TG_OP, TG_TABLE_NAME;
END $$;

CREATE OR REPLACE FUNCTION payments_receipt_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.number <> OLD.number OR NEW.total_cents <> OLD.total_cents
       OR NEW.tendered_cents <> OLD.tendered_cents OR NEW.change_cents <> OLD.change_cents
       OR NEW.tender <> OLD.tender OR NEW.drawer_id <> OLD.drawer_id
       OR NEW.cashier_id <> OLD.cashier_id OR NEW.issued_at <> OLD.issued_at
       OR (OLD.status = 'void' AND NEW.status <> 'void') THEN
        RAISE EXCEPTION 'a receipt is never changed, only voided (receipt %)', OLD.number;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION payments_payment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.amount_cents <> OLD.amount_cents OR NEW.account_id <> OLD.account_id
       OR NEW.tender <> OLD.tender OR NEW.channel <> OLD.channel
       OR NEW.receipt_id IS DISTINCT FROM OLD.receipt_id
       OR NEW.batch_id IS DISTINCT FROM OLD.batch_id
       OR NEW.idempotency_key <> OLD.idempotency_key
       OR (OLD.entry_id IS NOT NULL AND NEW.entry_id IS DISTINCT FROM OLD.entry_id)
       OR (OLD.reversal_entry_id IS NOT NULL
           AND NEW.reversal_entry_id IS DISTINCT FROM OLD.reversal_entry_id)
       OR (OLD.status IN ('void', 'reversed', 'returned') AND NEW.status <> OLD.status) THEN
        RAISE EXCEPTION 'a payment is never changed, only reversed (payment %)', OLD.id;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION payments_batch_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'posted' THEN
        RAISE EXCEPTION 'a posted batch is immutable (batch %)', OLD.id;
    END IF;
    RETURN NEW;
END $$;
"""

PG_INSTALL = [
    _FUNCTIONS,
    *[
        f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} "
        "FOR EACH ROW EXECUTE FUNCTION payments_refuse_delete();"
        for t in NO_DELETE_TABLES
    ],
    "CREATE TRIGGER payments_receipt_guard BEFORE UPDATE ON payments_receipt "
    "FOR EACH ROW EXECUTE FUNCTION payments_receipt_guard();",
    "CREATE TRIGGER payments_payment_guard BEFORE UPDATE ON payments_payment "
    "FOR EACH ROW EXECUTE FUNCTION payments_payment_guard();",
    "CREATE TRIGGER payments_batch_guard BEFORE UPDATE ON payments_paymentbatch "
    "FOR EACH ROW EXECUTE FUNCTION payments_batch_guard();",
]
PG_UNINSTALL = [
    *[f"DROP TRIGGER IF EXISTS {t}_no_delete ON {t};" for t in NO_DELETE_TABLES],
    "DROP TRIGGER IF EXISTS payments_receipt_guard ON payments_receipt;",
    "DROP TRIGGER IF EXISTS payments_payment_guard ON payments_payment;",
    "DROP TRIGGER IF EXISTS payments_batch_guard ON payments_paymentbatch;",
    "DROP FUNCTION IF EXISTS payments_refuse_delete();",
    "DROP FUNCTION IF EXISTS payments_receipt_guard();",
    "DROP FUNCTION IF EXISTS payments_payment_guard();",
    "DROP FUNCTION IF EXISTS payments_batch_guard();",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in statements:
            schema_editor.execute(sql, params=None)  # no params: keep plpgsql's % literal


def install(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, PG_INSTALL)


def uninstall(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, PG_UNINSTALL)
