"""The Celery app: bill-run chunks on worker processes when a broker is configured.

``CISTERN_BROKER_URL`` (e.g. ``redis://127.0.0.1:6379/0``) turns workers on; start them with
``celery -A config worker -Q billing``. Without it nothing here is used at run time:
``cistern.billing.dispatch`` calls the very same chunk functions in the calling process.
Settings are the ``CELERY_*`` names in ``config/settings/base.py``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("cistern")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["cistern.billing"])
