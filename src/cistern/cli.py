"""The ``cistern`` operator command: Django's management commands under one name.

``cistern demo --accounts 5000``, ``cistern ledger-check``, ``cistern migrate``... A hyphen
in the command name is the same as an underscore (``ledger-check`` runs ``ledger_check``).
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(argv if argv is not None else sys.argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)
    return 0
