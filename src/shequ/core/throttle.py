"""The one throttle: how many attempts a caller gets in a window (login,
the public case lookup, Open311 requests per client).

Every limit must hold across worker processes, and the default cache is per
process (``LocMemCache`` unless ``SHEQU_CACHE_URL`` names Redis), so counts
live in the database. Failed attempts are counted from the audit trail, which
records each of them anyway (``failures``); plain requests are counted in a
row per fixed window that the caller's app keeps and bumps (``hit``). Either
way the answer is a ``Decision``, and each caller keeps its own message and
status for a refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shequ.core.models import AuditRecord

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int  # attempts in the window (for ``hit``, this one included)
    limit: int
    retry_after: int  # seconds to wait before trying again; 0 when allowed


def failures(*, action: str, limit: int, window: dt.timedelta, **match: Any) -> Decision:
    """The failed ``action`` records of the last ``window`` that match ``match``
    (AuditRecord lookups: ``ip=…``, ``changes__username=…``): allowed while
    fewer than ``limit`` failed. A refusal waits the whole window, the
    longest the oldest failure can take to leave it. One query."""
    since = timezone.now() - window
    count = AuditRecord.objects.filter(action=action, success=False, at__gte=since, **match).count()
    allowed = count < limit
    return Decision(allowed, count, limit, 0 if allowed else int(window.total_seconds()))


def window_start(now: dt.datetime, window_seconds: int) -> dt.datetime:
    """The start of the fixed window holding ``now`` (windows of a minute start
    on the minute)."""
    window = dt.timedelta(seconds=window_seconds)
    return (_EPOCH + (now - _EPOCH) // window * window).astimezone(now.tzinfo)


def hit(bump: Callable[[dt.datetime], int], *, limit: int, window_seconds: int) -> Decision:
    """Count one attempt in the fixed window holding now. ``bump(start)`` adds
    one to the stored count of the window that starts at ``start`` and returns
    the new count; past ``limit`` the attempt is refused until the window ends."""
    now = timezone.now()
    start = window_start(now, window_seconds)
    count = bump(start)
    allowed = count <= limit
    left = window_seconds - int((now - start).total_seconds())
    return Decision(allowed, count, limit, 0 if allowed else left)
