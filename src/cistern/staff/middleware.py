"""Idle and absolute session timeouts for staff sessions.

A session idle longer than ``SESSION_IDLE_TIMEOUT_SECONDS``, or older than
``SESSION_ABSOLUTE_TIMEOUT_SECONDS`` since sign-in, is ended and the user signs in again.
The sign-in page then says why (a flag in the new, anonymous session: this middleware runs
before the messages middleware, so it cannot use ``django.contrib.messages``).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "cistern_signed_in_at"
LAST_SEEN_AT = "cistern_last_seen_at"
TIMED_OUT = "cistern_timed_out"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = request.session.get(LAST_SEEN_AT, now)
            idle = now - last_seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS
            expired = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or expired:
                logout(request)
                request.session[TIMED_OUT] = True
            else:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)
