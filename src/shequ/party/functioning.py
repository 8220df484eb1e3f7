"""Whether a 红旗驿站 works (充分发挥作用) in a month: the one rule, pure (no
database), so the figure, the page beside it and the tests read the same
words and the same arithmetic.

A station works in a month when all three hold:

1. it was really open (开放登记) at least ``open_ratio`` of the minutes its
   weekly timetable published for the month, and it published some;
2. it held at least ``min_activities`` activities with residents present
   (``residents_served > 0``);
3. it hosted at least ``min_hosted`` deliberations or resident services
   (``HOSTING_KINDS``).

Published minutes count the timetable over the days of the month from the
later of its first day and the station's opening day; a month in progress
counts only the days up to today (today included), so it is judged so far.
Comparisons multiply and never divide: 1919 of 2400 minutes at 80% is short
by exactly one minute, not by a rounding error.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Protocol

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class Thresholds(Protocol):
    """What the rule reads of a district's ``PartyRules``."""

    open_ratio: Decimal
    min_activities: int
    min_hosted: int


@dataclass(frozen=True)
class Verdict:
    functioning: bool
    reason: str  # one sentence naming each figure against its threshold


def minutes_between(opens: dt.time, closes: dt.time) -> int:
    """Whole minutes from ``opens`` to ``closes`` on one day (seconds are not kept)."""
    return (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)


def judged_days(
    *, month: dt.date, opened_on: dt.date, today: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of ``month`` that count, or None when none does
    (the station opened after it, or the month has not begun)."""
    last_of_month = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    first = max(month.replace(day=1), opened_on)
    last = min(last_of_month, today)
    return (first, last) if first <= last else None


def published_minutes(
    hours: Iterable[tuple[int, dt.time, dt.time]],
    *,
    month: dt.date,
    opened_on: dt.date,
    today: dt.date,
) -> int:
    """The weekly timetable ``(weekday, opens, closes)`` (0 = 周一) summed
    over the days of ``month`` that count."""
    per_weekday = [0] * 7
    for weekday, opens, closes in hours:
        per_weekday[weekday] += minutes_between(opens, closes)
    days = judged_days(month=month, opened_on=opened_on, today=today)
    if days is None:
        return 0
    first, last = days
    total = 0
    day = first
    while day <= last:
        total += per_weekday[day.weekday()]
        day += dt.timedelta(days=1)
    return total


def open_minutes(openings: Iterable[tuple[dt.time, dt.time]]) -> int:
    """The minutes of the registered openings ``(opened, closed)``."""
    return sum(minutes_between(opened, closed) for opened, closed in openings)


def _percent(ratio: Decimal) -> str:
    return format((Decimal(ratio) * 100).normalize(), "f")


def required_open_minutes(published: int, rules: Thresholds) -> int:
    """The fewest whole minutes that meet the open-ratio threshold."""
    return int((Decimal(rules.open_ratio) * published).to_integral_value(rounding=ROUND_CEILING))


def judge(
    *,
    published_minutes: int,
    open_minutes: int,
    activities_with_residents: int,
    hosted: int,
    rules: Thresholds,
) -> Verdict:
    """The month's verdict and the sentence that explains it."""
    ratio = Decimal(rules.open_ratio)
    open_ok = published_minutes > 0 and Decimal(open_minutes) * 100 >= (
        ratio * 100 * published_minutes
    )
    activities_ok = activities_with_residents >= rules.min_activities
    hosted_ok = hosted >= rules.min_hosted
    if published_minutes <= 0:
        open_clause = f"本月没有公示开放时间（实际开放{open_minutes}分钟）"
    else:
        need = required_open_minutes(published_minutes, rules)
        open_clause = (
            f"实际开放{open_minutes}分钟，{'达到' if open_ok else '不足'}"
            f"公示{published_minutes}分钟的{_percent(ratio)}%（{need}分钟）"
        )
    clauses = [
        open_clause,
        f"有居民参加的活动{activities_with_residents}次，"
        f"{'达到' if activities_ok else '少于'}{rules.min_activities}次",
        f"议事或服务活动{hosted}次，{'达到' if hosted_ok else '少于'}{rules.min_hosted}次",
    ]
    functioning = open_ok and activities_ok and hosted_ok
    verdict = "充分发挥作用" if functioning else "未充分发挥作用"
    return Verdict(functioning, f"{verdict}：{'；'.join(clauses)}。")


def rule_text(rules: Thresholds) -> str:
    """The rule as the pages show it beside the figure."""
    return (
        f"当月同时满足三项即为充分发挥作用：实际开放时长不低于公示开放时长的"
        f"{_percent(rules.open_ratio)}%；有居民参加的活动不少于{rules.min_activities}次；"
        f"议事或服务活动不少于{rules.min_hosted}次。公示时长按每周开放时间逐日累计，"
        f"自驿站启用之日起算，当月未结束的截至当天。"
    )
