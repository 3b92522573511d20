"""Settings for benchmark runs: production-like (no debug, persistent connections), with the
test client's host allowed and a fast password hasher (the benchmark signs in staff)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
