"""The ``cistern`` operator command: Django's management commands under one name.

``cistern demo --accounts 5000``, ``cistern ledger-check``, ``cistern migrate``...
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
    return 0
