"""The clock of a case, in Chinese working days.

A case accepted on day ``A`` with ``n`` promised working days is due on
``add_workdays(A, n)``; its 70 % and 90 % warnings fall on the working day
after ``ceil(0.7 n)`` and ``ceil(0.9 n)`` working days. While the clock stands
still (补正, 挂起) nothing is counted: when it restarts, every threshold not yet
reached when it stopped moves on by the working days of the pause, counted as
``workdays_between(paused_since, restart)`` — the day the clock stopped counts
to the case, the day it restarts is given back.

All three dates are stored on the case, so lists of overdue and near-deadline
cases are indexed comparisons with today, and editing the holiday table later
does not rewrite a finished case.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from shequ.core.workdays import WorkCalendar, _span_for

WARN_NEAR = 0.7  # 临期
WARN_URGENT = 0.9  # 预警


@dataclass(frozen=True)
class Schedule:
    due_date: dt.date
    warn70_on: dt.date
    warn90_on: dt.date
    uncertain: bool


def _calendar(start: dt.date, days: int) -> WorkCalendar:
    return WorkCalendar.load(start, start + dt.timedelta(days=_span_for(days)))


def _add(cal: WorkCalendar, start: dt.date, n: int) -> tuple[dt.date, bool]:
    try:
        day, uncertain = cal.add(start, n)
    except ValueError:  # an unusually holiday-heavy span: load a longer one
        cal = _calendar(start, n * 2 + 30)
        day, uncertain = cal.add(start, n)
    return day, uncertain


def schedule_for(accepted_on: dt.date, promised_days: int) -> Schedule:
    """Deadline and warnings of a case accepted on ``accepted_on``: two queries."""
    cal = _calendar(accepted_on, promised_days)
    due, u1 = _add(cal, accepted_on, promised_days)
    w70, u2 = _add(cal, accepted_on, math.ceil(promised_days * WARN_NEAR))
    w90, u3 = _add(cal, accepted_on, math.ceil(promised_days * WARN_URGENT))
    return Schedule(due, w70, w90, u1 or u2 or u3)


def paused_workdays(paused_since: dt.date, restart: dt.date) -> tuple[int, bool]:
    """Working days the clock stood still: those in ``(paused_since, restart]``."""
    if restart <= paused_since:
        return 0, False
    days, uncertain = WorkCalendar.load(paused_since, restart).between(paused_since, restart)
    return days, uncertain


def shift(schedule: Schedule, *, paused_since: dt.date, days: int) -> Schedule:
    """Move every threshold after ``paused_since`` on by ``days`` working days."""
    if days <= 0:
        return schedule
    latest = max(schedule.due_date, schedule.warn70_on, schedule.warn90_on)
    cal = _calendar(min(paused_since, latest), (latest - paused_since).days + days)
    uncertain = schedule.uncertain

    def moved(day: dt.date) -> dt.date:
        nonlocal uncertain
        if day <= paused_since:
            return day
        new, unsure = _add(cal, day, days)
        uncertain |= unsure
        return new

    return Schedule(
        moved(schedule.due_date), moved(schedule.warn70_on), moved(schedule.warn90_on), uncertain
    )


def level_on(
    *,
    due_date: dt.date | None,
    warn70_on: dt.date | None,
    warn90_on: dt.date | None,
    today: dt.date,
) -> str:
    """ "overdue" / "urgent" (≥ 90 %) / "near" (≥ 70 %) / "" for a running clock."""
    if due_date is None:
        return ""
    if today > due_date:
        return "overdue"
    if warn90_on is not None and today >= warn90_on:
        return "urgent"
    if warn70_on is not None and today >= warn70_on:
        return "near"
    return ""


LEVEL_LABELS = {"overdue": "已超期", "urgent": "超期预警", "near": "临期", "": "正常"}
