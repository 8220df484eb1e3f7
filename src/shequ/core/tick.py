"""``shequ tick``: the periodic jobs, run by cron/systemd or a worker loop.

Each job is a function taking no arguments and returning what it did (a
count, or a short text). Each runs in its own transaction, and must be
idempotent: running tick twice, or after a crash half-way, is always safe.
A failing job is reported and the others still run. Apps register their jobs
(escalations, reminders, rollups ...) with ``core.registry.register_tick_job``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

from shequ.core import registry

logger = logging.getLogger(__name__)

# Core's own jobs; every app registers its jobs (``core.registry``) in its
# ``AppConfig.ready()`` with an ``order``: seal the audit chain first, the
# rollups next, the escalations after them, expired keys next to last, and
# last the once-a-day verification of the whole chain (registered in
# ``CoreConfig.ready()``: it runs outside a transaction).
CORE_TICK_JOBS = {
    "shequ.core.audit_chain.seal_pending": 0,
    # 等保: staff accounts unused for SHEQU_DORMANT_DAYS are disabled (audited).
    "shequ.core.services.accounts.users_disable_dormant": 800,
    "shequ.core.idempotency.idempotency_keys_expire": 900,
}

# The dotted paths of every registered job, in the order they run (one list,
# kept sorted by the registry as apps register).
TICK_JOBS: list[str] = registry.TICK_JOB_PATHS


@dataclass(frozen=True)
class JobResult:
    path: str
    ok: bool
    result: Any = None
    error: str = ""
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return job_name(self.path)


def job_name(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def select_jobs(only: str | None = None) -> list[str]:
    """All jobs, or the one whose dotted path or last part is ``only``."""
    if not only:
        return list(TICK_JOBS)
    chosen = [p for p in TICK_JOBS if only in (p, job_name(p))]
    if not chosen:
        names = "、".join(job_name(p) for p in TICK_JOBS)
        raise ValueError(f"没有名为“{only}”的定时任务。可选：{names}")
    return chosen


def run_job(path: str) -> JobResult:
    started = time.monotonic()
    try:
        func: Callable[[], Any] = import_string(path)
        job = registry.TICK_JOBS.get(path)
        if job is None or job.atomic:
            with transaction.atomic():
                result = func()
        else:
            result = func()
    except Exception as error:  # noqa: BLE001 - one job failing must not stop the others
        logger.exception("tick job %s failed", path)
        return JobResult(
            path,
            False,
            error=f"{type(error).__name__}: {error}",
            seconds=time.monotonic() - started,
        )
    return JobResult(path, True, result=result, seconds=time.monotonic() - started)


def run_tick(*, only: str | None = None) -> list[JobResult]:
    return [run_job(path) for path in select_jobs(only)]
