"""Chinese working days (法定工作日) for every deadline in Shequ.

A date is a working day when it is Monday–Friday and not an ``off`` holiday,
or when it is an ``on`` make-up day (调休上班). The ``Holiday`` table holds
both kinds; ``CalendarYear`` marks the years whose plan is known (the State
Council publishes each year's plan in November–December). A day in a year
without a ``CalendarYear`` row is counted by weekends only and every result
that looked at such a day carries ``uncertain=True``: the deadline may move
once the plan is imported.

Each call reads the holidays of the range it needs in one query (plus one for
the known years), so an edit on the calendar page applies to the very next
call in every process. Code that computes many deadlines at once (a tick job)
loads a ``WorkCalendar`` for the whole span once and asks it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from shequ.core.models import CalendarYear, Holiday
from shequ.core.models.calendar import HolidayKind

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def local_today() -> date:
    """Today in Asia/Shanghai (settings.TIME_ZONE): the day deadlines count
    from and ages turn over, whatever the server's clock zone."""
    return timezone.localdate()


class WorkdayResult(NamedTuple):
    date: date
    uncertain: bool  # a day in a year whose holiday plan is not known was counted


class WorkdayCount(NamedTuple):
    days: int
    uncertain: bool


class WorkdayCheck(NamedTuple):
    workday: bool
    uncertain: bool


@dataclass
class WorkCalendar:
    """The holidays and known years of ``[start, end]``, loaded once."""

    start: date
    end: date
    off: set[date]
    on: set[date]
    known_years: set[int]

    @classmethod
    def load(cls, start: date, end: date) -> WorkCalendar:
        off: set[date] = set()
        on: set[date] = set()
        for day, kind in Holiday.objects.filter(date__range=(start, end)).values_list(
            "date", "kind"
        ):
            (on if kind == HolidayKind.ON else off).add(day)
        known = set(
            CalendarYear.objects.filter(year__range=(start.year, end.year)).values_list(
                "year", flat=True
            )
        )
        return cls(start=start, end=end, off=off, on=on, known_years=known)

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def check(self, day: date) -> WorkdayCheck:
        if not self.holds(day):
            raise ValueError(f"{day} is outside the loaded range {self.start}..{self.end}")
        if day in self.on:
            workday = True
        elif day in self.off:
            workday = False
        else:
            workday = day.weekday() < 5
        return WorkdayCheck(workday, day.year not in self.known_years)

    def add(self, start: date, n: int) -> WorkdayResult:
        """See ``add_workdays``; every day it looks at must be loaded."""
        if n < 0:
            raise ValueError("n must be >= 0")
        uncertain = False
        day = start
        if n == 0:
            while True:
                workday, unsure = self.check(day)
                uncertain |= unsure
                if workday:
                    return WorkdayResult(day, uncertain)
                day += timedelta(days=1)
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            workday, unsure = self.check(day)
            uncertain |= unsure
            counted += workday
        return WorkdayResult(day, uncertain)

    def between(self, a: date, b: date) -> WorkdayCount:
        """See ``workdays_between``."""
        if b < a:
            days, uncertain = self.between(b, a)
            return WorkdayCount(-days, uncertain)
        days = 0
        uncertain = False
        day = a
        while day < b:
            day += timedelta(days=1)
            workday, unsure = self.check(day)
            days += workday
            uncertain |= unsure
        return WorkdayCount(days, uncertain)


def _span_for(n: int) -> int:
    # Five working days a week plus the longest run of holidays (春节 and
    # 国庆 blocks are 7–9 days, make-up days are on weekends): a generous
    # first guess, extended if ever too short.
    return n * 7 // 5 + 21


def add_workdays(start: date, n: int) -> WorkdayResult:
    """The ``n``-th working day after ``start``.

    Convention (as for 法定期限, counted from the next day): ``start`` itself
    never counts for ``n >= 1``, so ``add_workdays(Friday, 1)`` is the next
    Monday (if it is a working day). ``n = 0`` means "``start`` if it is a
    working day, otherwise the next working day" — the first day on which
    something received on ``start`` can be handled. ``n`` must not be
    negative. ``uncertain`` is true when any day examined lies in a year
    whose plan is unknown.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    span = _span_for(n)
    while True:
        calendar = WorkCalendar.load(start, start + timedelta(days=span))
        try:
            return calendar.add(start, n)
        except ValueError:
            span *= 2  # an unusually holiday-heavy range: load a longer one


def workdays_between(a: date, b: date) -> WorkdayCount:
    """Working days in the half-open range ``(a, b]``: the day after ``a``
    up to and including ``b``. So ``workdays_between(d, add_workdays(d, n).date)``
    is ``n`` for ``n >= 1``. When ``b < a`` the count is negative (how many
    working days ``b`` lies before ``a``, e.g. how long a deadline is overdue)."""
    low, high = min(a, b), max(a, b)
    return WorkCalendar.load(low, high).between(a, b)


def is_workday(day: date) -> WorkdayCheck:
    """``(workday, uncertain)`` for one date."""
    return WorkCalendar.load(day, day).check(day)


# -- reads for the calendar page ---------------------------------------------------------


def holiday_list(*, year: int) -> QuerySet[Holiday]:
    return Holiday.objects.filter(date__range=(date(year, 1, 1), date(year, 12, 31))).order_by(
        "date"
    )


def calendar_year_get(*, year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def known_years() -> list[int]:
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
