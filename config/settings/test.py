"""Test settings: fast hashing, in-memory e-mail; the database comes from DATABASE_URL."""

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("TEST", {})
AXES_ENABLED = True

# SQLite has no TRUNCATE: Django's test flush empties tables with DELETE, which the
# append-only triggers refuse unless these say the test run may (never set in production).
CISTERN_AUDIT_SQLITE_ALLOW_DELETE = True
CISTERN_LEDGER_SQLITE_ALLOW_DELETE = True
# One process for ``cistern billrun`` in tests (a test that wants more passes --workers).
CISTERN_BILLRUN_WORKERS = 1
