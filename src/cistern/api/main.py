"""The JSON API at /api/v1/: one NinjaAPI assembling each app's router (``<app>/api.py``).

Callers are integrations (IVR, web payment processor...), authenticated by an API key in
the ``X-API-Key`` header (``cistern api-key-create NAME`` makes one). The OpenAPI document
is at /api/v1/openapi.json. Staff roles do not apply here: the key is the caller.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import APIKeyHeader

from cistern.api.keys import api_key_authenticate
from cistern.payments.api import router as payments_router
from cistern.payments.hosted_api import router as hosted_payments_router


class ApiKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return api_key_authenticate(key or "")


api = NinjaAPI(
    title="Cistern API",
    version="1",
    description="Payments and balances for integrations. Authenticate with X-API-Key.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/", payments_router)
api.add_router("/", hosted_payments_router)
