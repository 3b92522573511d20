from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _sqlite_delete_allowed() -> int:
    return 1 if getattr(settings, "CISTERN_LEDGER_SQLITE_ALLOW_DELETE", False) else 0


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give each SQLite connection the function the ledger's delete triggers ask
    (see ``cistern.ledger.db_triggers``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "cistern_ledger_delete_allowed", 0, _sqlite_delete_allowed
        )


class LedgerConfig(AppConfig):
    name = "cistern.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="ledger-sqlite-fns")
