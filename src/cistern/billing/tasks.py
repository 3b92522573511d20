"""Celery tasks for bill-run chunks and document batches, and the plain functions they wrap.

A chunk task gets plain values (run id, first and last account id, chunk index, actor id
and an idempotency key naming the chunk) and calls the chunk function of ``calculation`` or
``posting``; ``dispatch`` calls the same plain functions in-process when there is no broker.

Both chunks are idempotent, so a task is safe to run twice (a retry, a redelivery after a
worker died, a second dispatch of the same run): calculating a chunk replaces its drafts
(posted bills are never touched), posting a chunk posts only its still-draft bills, each
under the ledger idempotency key ``bill:<id>``. Tasks are acknowledged late (after the
chunk commits) and retried on database contention (deadlock, serialization failure, lost
connection: Django's ``OperationalError``). A document batch task (``documents.issue``) is
idempotent too: a print file already built is kept, a bill already e-mailed is not sent
again.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from celery import shared_task
from django.db import OperationalError

from cistern.billing.calculation import RatedLines, bill_run_calculate_chunk
from cistern.billing.chunks import in_child
from cistern.billing.documents.issue import document_batch_build
from cistern.billing.posting import bill_run_post_chunk
from cistern.staff.models import User

IN_PROCESS = "in-process@{host}"
IN_CHILD = "in-process-{pid}@{host}"  # a chunk child process of ``billrun --workers N``
RETRY = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 5,
}


def in_process_worker() -> str:
    if in_child():
        return IN_CHILD.format(pid=os.getpid(), host=socket.gethostname())
    return IN_PROCESS.format(host=socket.gethostname())


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id else None


def calculate_chunk(
    payload: dict[str, Any], *, worker: str, rated: RatedLines | None = None
) -> dict[str, Any]:
    """(Re)calculate one chunk's draft bills; returns what ``dispatch`` reports.

    ``rated``: the run's compiled rates when the caller has them (in-process runs); a
    Celery task compiles its own.
    """
    count = bill_run_calculate_chunk(
        rated=rated,
        run_id=payload["run_id"],
        first_account_id=payload["first_account_id"],
        last_account_id=payload["last_account_id"],
        chunk_index=payload["index"],
    )
    return {"index": payload["index"], "key": payload["key"], "count": count, "worker": worker}


def post_chunk(payload: dict[str, Any], *, worker: str) -> dict[str, Any]:
    """Post one chunk's draft bills and their journal entries; returns the report."""
    count = bill_run_post_chunk(
        run_id=payload["run_id"],
        first_account_id=payload["first_account_id"],
        last_account_id=payload["last_account_id"],
        actor=_actor(payload.get("actor_id")),
        chunk_index=payload["index"],
    )
    return {"index": payload["index"], "key": payload["key"], "count": count, "worker": worker}


@shared_task(name="cistern.billing.calculate_chunk", **RETRY)
def calculate_chunk_task(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
    return calculate_chunk(payload, worker=self.request.hostname or in_process_worker())


@shared_task(name="cistern.billing.post_chunk", **RETRY)
def post_chunk_task(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
    return post_chunk(payload, worker=self.request.hostname or in_process_worker())


@shared_task(name="cistern.billing.document_batch", **RETRY)
def document_batch_task(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """One batch of an issued run's documents (a print file, or a chunk of e-mails)."""
    return document_batch_build(payload, worker=self.request.hostname or in_process_worker())
