"""Fixtures of the pairing tests: a settable clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

BEIJING = ZoneInfo("Asia/Shanghai")


class Clock:
    """``django.utils.timezone.now`` pinned to a Beijing wall-clock time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._now = dt.datetime(2026, 3, 10, 9, 30, tzinfo=BEIJING)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self._now)

    def set(self, day: str) -> None:
        d = dt.date.fromisoformat(day)
        self._now = dt.datetime(d.year, d.month, d.day, 9, 30, tzinfo=BEIJING)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
