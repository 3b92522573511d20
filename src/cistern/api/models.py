"""API keys for integrations (IVR, web payment processor...) and the idempotency records that
make a replayed request return the first response (reliability.md I5, Stripe's rule).

A key is shown once when created; only its SHA-256 is stored (keys are 32 random bytes, so a
plain hash is enough: there is nothing to guess). ``prefix`` (the first 8 characters) finds
the row without comparing every hash.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)  # "IVR", "Web payments"
    prefix = models.CharField(max_length=8, db_index=True)
    key_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The first response to a request made with one API key and one ``Idempotency-Key``."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=120)
    operation = models.CharField(max_length=60)  # "payments.create"
    request_sha256 = models.CharField(max_length=64)  # canonical JSON of the request body
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key"], name="one_record_per_api_key_and_key"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="idempotency_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.key}"
