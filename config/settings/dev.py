"""Development and demo settings: what ``make run`` uses."""

import os

os.environ.setdefault("CISTERN_DEBUG", "1")

from .base import *  # noqa: F403

DEBUG = True
