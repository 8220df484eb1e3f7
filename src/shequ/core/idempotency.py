"""Idempotent API writes (``Idempotency-Key``): a client that sends the same
create twice — a retry after a timeout, a double tap — gets the first answer
back instead of a second row.

The key row is claimed (inserted) first, in the same transaction as the
write, so the unique constraint on (caller, scope, key) decides between two
requests that arrive together: on PostgreSQL the second INSERT waits for the
first transaction and then fails, and the second request replays the stored
answer; on SQLite writers are serialised anyway. A write that fails rolls its
key back with it, and only successful (2xx) answers are kept, so a client can
fix a refused request and retry it under the same key.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.errors import Conflict, ValidationError
from shequ.core.models import IdempotencyKey
from shequ.core.pii import sm3_hex

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
KEY_TTL = dt.timedelta(hours=24)
_PENDING = 0  # status of a claimed key whose write has not finished


class _Taken(Exception):
    """Another request holds (or held) the key: replay its answer."""


class _NotStored(Exception):
    def __init__(self, result: tuple[int, dict]) -> None:
        self.result = result


def fingerprint(body: Any) -> str:
    """SM3 of the canonical JSON of the request body (sorted keys, no spaces)."""
    text = json.dumps(
        body, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return sm3_hex(text.encode())


def clean_key(key: str | None) -> str | None:
    """The key as sent, or None without one. Printable ASCII, 1 to 128 characters."""
    if key is None:
        return None
    key = key.strip()
    if not key:
        raise ValidationError(f"{HEADER} 不能为空。", field=HEADER)
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"{HEADER} 不能超过{MAX_KEY_LENGTH}个字符。", field=HEADER)
    if not key.isascii() or not key.isprintable():
        raise ValidationError(f"{HEADER} 只能由可见的英文字母、数字和符号组成。", field=HEADER)
    return key


def idempotent(
    *,
    caller: str,
    scope: str,
    key: str | None,
    body: Any,
    run: Callable[[], tuple[int, dict]],
) -> tuple[int, dict]:
    """``run()`` once per (caller, scope, key); a repeat with the same body gets
    the stored (status, response) without running. ``run`` returns a status and
    a JSON-able dict, and raises DomainError to refuse. A refusal, or an answer
    outside 2xx, is rolled back together with the key: nothing is kept, and
    the client may retry the corrected request under the same key."""
    key = clean_key(key)
    if key is None:
        return run()
    digest = fingerprint(body)
    ident = {"caller": caller[:64], "scope": scope[:64], "key": key}
    for _attempt in range(2):
        try:
            return _claim_and_run(ident, digest, run)
        except _NotStored as refused:
            return refused.result
        except _Taken:
            replay = _replay(ident, digest)
            if replay is not None:
                return replay
            # The stored key had expired and was removed: claim it afresh.
    raise Conflict("该请求正在处理中，请稍后重试。")


def _claim_and_run(
    ident: dict[str, str], digest: str, run: Callable[[], tuple[int, dict]]
) -> tuple[int, dict]:
    with transaction.atomic():
        try:
            row = IdempotencyKey.objects.create(
                **ident, fingerprint=digest, status=_PENDING, response={}
            )
        except IntegrityError:
            # Leaving the block rolls back to before the INSERT.
            raise _Taken from None
        status, response = run()
        if not 200 <= status < 300:
            # A refusal is not an answer worth replaying: roll the key back.
            raise _NotStored((status, response))
        IdempotencyKey.objects.filter(pk=row.pk).update(status=status, response=response)
    return status, response


def _replay(ident: dict[str, str], digest: str) -> tuple[int, dict] | None:
    row = IdempotencyKey.objects.filter(**ident).first()
    if row is None:
        return None  # its holder rolled back in the meantime
    if row.created_at < timezone.now() - KEY_TTL:
        IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
        return None
    if row.fingerprint != digest:
        raise ValidationError("同一个 Idempotency-Key 不能用于不同的请求。", field=HEADER)
    if row.status == _PENDING:
        raise Conflict("同一个 Idempotency-Key 的请求正在处理中，请稍后重试。")
    return row.status, row.response


def idempotency_keys_expire() -> int:
    """``shequ tick``: delete keys older than 24 hours. Returns how many."""
    cutoff = timezone.now() - KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
