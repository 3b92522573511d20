"""Settings shared by every environment.

Configuration comes from the environment: ``DATABASE_URL`` picks the database (default: a
SQLite file under ``var/``), ``CISTERN_SECRET_KEY`` the signing key, ``CISTERN_DEBUG`` the
debug switch. See docs/operations/configuration.md.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CISTERN_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("CISTERN_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = os.environ.get("CISTERN_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("CISTERN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "cistern.core",
    "cistern.staff",
    "cistern.billing",
    "cistern.rates",
    "cistern.metering",
    "cistern.customers",
    "cistern.ledger",
    "cistern.payments",
    "cistern.api",
    "cistern.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cistern.staff.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cistern.core.context_processors.district",
                "cistern.staff.context_processors.staff",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'cistern.sqlite3'}",
        conn_max_age=int(os.environ.get("CISTERN_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing with "database is locked" mid-transaction.
    # A 128 MB page cache and memory-mapped reads keep the big tables' index pages in memory
    # (a 100,000-account bill run: 15.8 s with SQLite's 2 MB default cache, 12.8 s with this).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;"
            " PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "customers:workspace"

# Login throttling (django-axes): five failures lock the username for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"

# Sessions: idle timeout (seconds without a request) and absolute timeout (since sign-in).
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("CISTERN_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_ABSOLUTE_TIMEOUT_SECONDS = int(
    os.environ.get("CISTERN_SESSION_ABSOLUTE_SECONDS", 10 * 3600)
)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("zh-hans", "中文"),
    ("tl", "Tagalog"),
    ("vi", "Tiếng Việt"),
    ("ko", "한국어"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CISTERN_LOG_LEVEL", "WARNING")},
}

# Celery: bill-run chunks on worker processes (docs/operations/workers.md). Unset
# CISTERN_BROKER_URL means no broker: cistern.billing.dispatch runs the same chunk functions
# in the calling process (it does not rely on Celery's eager mode; that is only a safety net
# for any other .delay() call). The result backend defaults to the broker: dispatch waits
# for each chunk's result to report progress and which worker ran it.
CELERY_BROKER_URL = os.environ.get("CISTERN_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CISTERN_RESULT_BACKEND", CELERY_BROKER_URL) or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_BILLING_QUEUE = os.environ.get("CISTERN_BILLING_QUEUE", "billing")
CELERY_TASK_ROUTES = {"cistern.billing.*": {"queue": CELERY_BILLING_QUEUE}}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a chunk is acknowledged once it has committed
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's chunk goes to another worker
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one chunk at a time: chunks spread over workers
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds a dispatcher waits for a run's chunks before giving up (run the command again
# to resume: chunks are idempotent).
CISTERN_DISPATCH_TIMEOUT_SECONDS = int(os.environ.get("CISTERN_DISPATCH_TIMEOUT_SECONDS", 3600))
# Processes ``cistern billrun calculate|post`` runs chunks on when no broker is configured
# (``--workers`` overrides); 0 = one per CPU on PostgreSQL, one on SQLite.
CISTERN_BILLRUN_WORKERS = int(os.environ.get("CISTERN_BILLRUN_WORKERS", "0"))
