"""The demo's party writes as a story: each step is a service call dated
when it happened, and the steps run in that order, each with the clock
(``django.utils.timezone.now``) set to its moment.

Why the clock and not rows dated afterwards: the services date what they
write themselves (a transfer is requested today, a report-in made today,
a service may not precede its report-in, a station month is judged as of
today), and their timeline events and audit records carry the moment too.
Run at its own moment, each write is exactly what the service wrote then —
checks, deadlines, numbers and history included — so the demo shows what
the services allow. Running them in date order keeps every "not before"
rule of the services true. ``shequ demo`` runs in one process and one
thread; the clock is put back after every step, also after an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone


@contextmanager
def moment(when: dt.datetime) -> Iterator[None]:
    """``timezone.now()`` (and with it ``local_today()``) is ``when`` inside."""
    real = timezone.now
    timezone.now = lambda: when  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real  # type: ignore[assignment]


class Story:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.today = timezone.localdate(now)
        self._steps: list[tuple[dt.datetime, int, Callable[[], Any]]] = []

    def at(self, day: dt.date, hour: int, minute: int, step: Callable[[], Any]) -> None:
        """``step`` on ``day`` at ``hour``:``minute`` (Beijing time), never
        later than an hour before now."""
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        when = min(when, self.now - dt.timedelta(hours=1))
        self._steps.append((when, len(self._steps), step))

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def run(self) -> int:
        """Every step in date order (steps of the same moment in the order
        they were added); returns how many ran."""
        steps = sorted(self._steps, key=lambda s: (s[0], s[1]))
        self._steps = []
        for when, _n, step in steps:
            with moment(when):
                step()
        return len(steps)
