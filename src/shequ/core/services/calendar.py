"""Writes of the working-day calendar: set or remove one day, import a year.

Only ``calendar.manage`` (the district admin) may write. Every write is
audited in its own transaction. ``shequ.core.workdays`` reads the table afresh
on every call, so nothing needs invalidating here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from shequ.core.errors import NotFound, ValidationError
from shequ.core.history import record
from shequ.core.models import CalendarYear, Holiday
from shequ.core.models.calendar import HolidayKind
from shequ.core.scope import Actor
from shequ.core.workdays import WEEKDAY_LABELS

MIN_YEAR, MAX_YEAR = 2000, 2100
_KIND_WORDS = {
    "off": HolidayKind.OFF,
    "放假": HolidayKind.OFF,
    "休": HolidayKind.OFF,
    "休息": HolidayKind.OFF,
    "on": HolidayKind.ON,
    "上班": HolidayKind.ON,
    "班": HolidayKind.ON,
    "调休": HolidayKind.ON,
    "调休上班": HolidayKind.ON,
}


def _day_label(day: date) -> str:
    return f"{day.isoformat()}（{WEEKDAY_LABELS[day.weekday()]}）"


def _check_kind(day: date, kind: str) -> str | None:
    """Why ``kind`` makes no sense on ``day``, or None."""
    if kind not in HolidayKind.values:
        return f"{day.isoformat()} 的类型“{kind}”无效，只能是放假（off）或调休上班（on）。"
    if kind == HolidayKind.ON and day.weekday() < 5:
        return f"{_day_label(day)} 本来就是工作日，不能设为调休上班日。"
    return None


def holiday_set(*, actor: Actor, day: date, kind: str, name: str = "") -> Holiday:
    """Mark one date as off (放假) or as a make-up working day (调休上班),
    replacing what the table said about it."""
    actor.require("calendar.manage")
    problem = _check_kind(day, kind)
    if problem:
        raise ValidationError(problem, field="kind")
    name = name.strip()
    if len(name) > 40:
        raise ValidationError("节日名称不能超过 40 个字。", field="name")
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().filter(date=day).first()
        before = {"kind": holiday.kind, "name": holiday.name} if holiday else {}
        if holiday is None:
            holiday = Holiday.objects.create(date=day, kind=kind, name=name)
        else:
            holiday.kind, holiday.name = kind, name
            holiday.save(update_fields=["kind", "name"])
        changes: dict[str, Any] = {"date": day.isoformat()}
        changes.update(
            {
                k: [before.get(k), v]
                for k, v in (("kind", kind), ("name", name))
                if before.get(k) != v
            }
        )
        record(actor=actor, action="holiday.set", obj=holiday, changes=changes)
    return holiday


def holiday_delete(*, actor: Actor, holiday_id: int) -> None:
    """Remove one date from the table: it becomes an ordinary day again."""
    actor.require("calendar.manage")
    with transaction.atomic():
        holiday = Holiday.objects.select_for_update().filter(pk=holiday_id).first()
        if holiday is None:
            raise NotFound("该日期不在节假日表中，可能已被删除。")
        record(
            actor=actor,
            action="holiday.delete",
            obj=holiday,
            changes={
                "date": holiday.date.isoformat(),
                "kind": [holiday.kind, None],
                "name": [holiday.name, None],
            },
        )
        holiday.delete()


def _named(dates: Mapping[date, str] | Iterable[date]) -> dict[date, str]:
    if isinstance(dates, Mapping):
        return {d: (n or "").strip() for d, n in dates.items()}
    return dict.fromkeys(dates, "")


def calendar_year_import(
    *,
    actor: Actor,
    year: int,
    off_dates: Mapping[date, str] | Iterable[date],
    on_dates: Mapping[date, str] | Iterable[date],
    source: str,
) -> CalendarYear:
    """Replace ``year``'s holidays wholesale with the State Council's plan
    and mark the year known. Every date is checked first; one bad date
    refuses the whole import and nothing is written."""
    actor.require("calendar.manage")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"年份须在 {MIN_YEAR} 至 {MAX_YEAR} 之间。", field="year")
    off, on = _named(off_dates), _named(on_dates)
    source = source.strip()
    problems: list[str] = []
    if not source:
        problems.append("请填写依据（例如国务院办公厅关于节假日安排的通知文号）。")
    if not off:
        problems.append(f"没有任何放假日期：{year} 年的安排至少包含元旦、春节等假日。")
    for day in sorted(set(off) | set(on)):
        if day.year != year:
            problems.append(f"{day.isoformat()} 不属于 {year} 年。")
        elif day in off and day in on:
            problems.append(f"{day.isoformat()} 同时被列为放假和调休上班。")
        elif day in on and (problem := _check_kind(day, HolidayKind.ON)):
            problems.append(problem)
    problems += [
        f"{d.isoformat()} 的节日名称超过 40 个字。" for d, n in (off | on).items() if len(n) > 40
    ]
    if problems:
        raise ValidationError(
            f"导入未执行：{problems[0]}"
            + (f"（共 {len(problems)} 处问题）" if len(problems) > 1 else ""),
            details=problems,
        )
    first, last = date(year, 1, 1), date(year, 12, 31)
    with transaction.atomic():
        known = CalendarYear.objects.select_for_update().filter(year=year).first()
        removed = Holiday.objects.filter(date__range=(first, last)).delete()[0]
        Holiday.objects.bulk_create(
            [Holiday(date=d, kind=HolidayKind.OFF, name=n) for d, n in sorted(off.items())]
            + [Holiday(date=d, kind=HolidayKind.ON, name=n) for d, n in sorted(on.items())]
        )
        if known is None:
            known = CalendarYear.objects.create(year=year, source=source[:200])
        else:
            known.source = source[:200]
            known.save(update_fields=["source", "updated_at"])
        record(
            actor=actor,
            action="calendar.import",
            obj=known,
            changes={
                "year": year,
                "off_days": len(off),
                "on_days": len(on),
                "replaced": removed,
                "source": source[:200],
            },
        )
    return known


def parse_calendar_text(text: str) -> tuple[dict[date, str], dict[date, str]]:
    """Read a pasted plan: one date per line, optionally a kind and a name.

    ``2027-10-01 off 国庆节`` · ``2027-10-09 on 国庆节`` · ``2027-10-01..2027-10-07 国庆节``
    (a range) · a bare date means ``off``. Kinds: off/放假/休, on/上班/班/调休.
    Blank lines and lines starting with ``#`` are skipped. Returns
    ``(off_dates, on_dates)`` mapping each date to its holiday name.
    """
    off: dict[date, str] = {}
    on: dict[date, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.replace("，", " ").replace(",", " ").replace("\t", " ").strip()
        if not line or line.startswith("#"):
            continue
        head, *rest = line.split()
        kind = HolidayKind.OFF
        if rest and rest[0].lower() in _KIND_WORDS:
            kind = _KIND_WORDS[rest.pop(0).lower()]
        name = " ".join(rest)
        try:
            if ".." in head:
                a, b = (date.fromisoformat(part) for part in head.split("..", 1))
                if b < a or (b - a).days > 31:
                    raise ValueError
                days = [a + timedelta(days=i) for i in range((b - a).days + 1)]
            else:
                days = [date.fromisoformat(head)]
        except ValueError:
            problems.append(
                f"第 {number} 行“{raw.strip()}”不是有效日期（格式：2027-10-01 或 "
                f"2027-10-01..2027-10-07，可加 on/off 和节日名称）。"
            )
            continue
        for day in days:
            (on if kind == HolidayKind.ON else off)[day] = name
    if problems:
        raise ValidationError(
            problems[0] + (f"（共 {len(problems)} 处问题）" if len(problems) > 1 else ""),
            details=problems,
        )
    return off, on
