#!/usr/bin/env python3
"""Django's command-line utility; operators use the ``cistern`` command, which is the same."""

import sys

from cistern.cli import main

if __name__ == "__main__":
    sys.exit(main())
