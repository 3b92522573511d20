"""Less database work per bill in a bill run (see docs/decisions/ledger.md, "Referential
integrity at volume"):

- ``held_by`` and ``replaces`` are indexed only where set (nearly every bill has neither);
  ``replaces`` keeps at most one rebill per bill by a conditional unique constraint
  instead of a one-to-one field's unique column.
- The one-bill-per-period constraint names ``live`` (a stored generated column, not
  cancelled) instead of ``status``, and on PostgreSQL the table leaves room on each page
  (fillfactor): posting a bill (draft -> posted) then changes no indexed value and fits on
  its page, so PostgreSQL updates it in place (HOT) instead of writing every index again.
  The fillfactor is set after the column is added: the bills already there are rewritten
  packed (they are never posted again); only new bills get the room.
- PostgreSQL: the reference triggers are installed again (``db_references.install``): lines
  no longer lock the bills their own transaction inserted, and an UPDATE checks only the
  reference columns it changed.

SQLite rebuilds the table for the new column and the altered fields; ``billing_bill`` has no
SQLite triggers to restore.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Percent of each page new bills fill (PostgreSQL): a page's bills must all fit again as
# posted versions (status, posted_at and the entry set), about 8 % wider. Measured on the
# 100,000-account bench: 50 left 14 % of the posting updates non-HOT, 45 none.
FILLFACTOR = 45

# cistern_refs_check_new_rows as billing.0006 installed it: restored if this is reversed
# (the update triggers keep their old-rows table, which this version does not read).
LEGACY_CHECK_NEW_ROWS = """
CREATE OR REPLACE FUNCTION cistern_refs_check_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i integer := 0;
    bad bigint;
    wanted bigint;
    found bigint;
BEGIN
    WHILE i < TG_NARGS LOOP
        IF TG_ARGV[i + 2] = 'lock' THEN
            EXECUTE format(
                'SELECT (SELECT count(DISTINCT %1$I) FROM cistern_new_rows), '
                '(SELECT count(*) FROM (SELECT 1 FROM %2$I p WHERE p.id IN '
                '(SELECT %1$I FROM cistern_new_rows) FOR KEY SHARE) AS locked)',
                TG_ARGV[i], TG_ARGV[i + 1]) INTO wanted, found;
            IF wanted = found THEN
                i := i + 4;
                CONTINUE;
            END IF;
        END IF;
        EXECUTE format(
            'SELECT d.v FROM (SELECT DISTINCT %1$I AS v FROM cistern_new_rows '
            'WHERE %1$I IS NOT NULL) AS d '
            'WHERE NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.id = d.v) LIMIT 1',
            TG_ARGV[i], TG_ARGV[i + 1]) INTO bad;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION '%.% = % refers to no row of %', TG_ARGV[i + 3], TG_ARGV[i], bad,
                TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 4;
    END LOOP;
    RETURN NULL;
END $$;
"""


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE billing_bill SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE billing_bill RESET (fillfactor)")


def install_references(apps, schema_editor):
    from cistern.ledger import db_references

    db_references.install(schema_editor.connection)


def restore_references(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # no parameters: the % in the text stay as they are
            cursor.execute(LEGACY_CHECK_NEW_ROWS)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0007_drop_line_bill_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="bill",
            name="billing_one_bill_per_account_and_period",
        ),
        migrations.AddField(
            model_name="bill",
            name="live",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Q(("status", "cancelled"), _negated=True),
                output_field=models.BooleanField(),
            ),
        ),
        migrations.AlterField(
            model_name="bill",
            name="held_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="bill",
            name="replaces",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replaced_by",
                to="billing.bill",
            ),
        ),
        migrations.AddIndex(
            model_name="bill",
            index=models.Index(
                condition=models.Q(("held_by__isnull", False)),
                fields=["held_by"],
                name="billing_bill_held_by",
            ),
        ),
        migrations.AddConstraint(
            model_name="bill",
            constraint=models.UniqueConstraint(
                condition=models.Q(("live", True)),
                fields=("account", "period_start", "period_end"),
                name="billing_one_bill_per_account_and_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="bill",
            constraint=models.UniqueConstraint(
                condition=models.Q(("replaces__isnull", False)),
                fields=("replaces",),
                name="billing_bill_replaced_once",
            ),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
        migrations.RunPython(install_references, restore_references),
    ]
