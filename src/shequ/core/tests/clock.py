"""The settable clock every app's tests share: ``django.utils.timezone.now``
pinned to a Beijing wall-clock time (the ``clock`` fixture of the root
conftest; a test module may set ``CLOCK_START`` to begin elsewhere)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

BEIJING = ZoneInfo("Asia/Shanghai")
# A Tuesday, half past nine: the desk is open and no deadline is near.
DEFAULT_START = dt.datetime(2026, 9, 29, 9, 30, tzinfo=BEIJING)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: dt.datetime | str | None = None):
        self._now = DEFAULT_START
        if start is not None:
            self.set(start)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self._now)

    def set(self, when: dt.datetime | dt.date | str, hour: int = 9, minute: int = 30) -> None:
        """A moment (naive means Beijing), or a day at ``hour``:``minute``
        ("2026-10-12" is 09:30 that day)."""
        if isinstance(when, str):
            when = (
                dt.date.fromisoformat(when) if len(when) == 10 else dt.datetime.fromisoformat(when)
            )
        if not isinstance(when, dt.datetime):
            when = dt.datetime(when.year, when.month, when.day, hour, minute, tzinfo=BEIJING)
        self._now = when if when.tzinfo else when.replace(tzinfo=BEIJING)

    def advance(self, **delta: float) -> None:
        self._now += dt.timedelta(**delta)

    @property
    def now(self) -> dt.datetime:
        return self._now

    @property
    def today(self) -> dt.date:
        return self._now.astimezone(BEIJING).date()
