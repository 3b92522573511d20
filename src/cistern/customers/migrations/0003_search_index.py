"""Each database's fast index over the account search documents (see customers/search_sql.py)."""

from django.db import migrations

from cistern.customers import search_sql


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = (
            search_sql.SQLITE_FTS_CREATE,
            *search_sql.SQLITE_TRIGGERS_CREATE,
            f"INSERT INTO {search_sql.FTS_TABLE}({search_sql.FTS_TABLE}) VALUES ('rebuild')",
        )
    elif vendor == "postgresql":
        statements = search_sql.PG_CREATE
    else:
        statements = ()
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search_sql.SQLITE_DROP, "postgresql": search_sql.PG_DROP}.get(
        vendor, ()
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
