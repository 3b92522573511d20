from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _sqlite_audit_delete_allowed() -> int:
    return 1 if getattr(settings, "CISTERN_AUDIT_SQLITE_ALLOW_DELETE", False) else 0


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Give each SQLite connection the function the audit trail's delete trigger asks
    (see ``cistern.core.db_triggers``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "cistern_audit_delete_allowed", 0, _sqlite_audit_delete_allowed
        )


class CoreConfig(AppConfig):
    name = "cistern.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="core-sqlite-fns")
