"""Figures of the service desk, summed from the ``CaseStat`` rollup within
the caller's scope, so a dashboard costs the same at a thousand cases or a
million. ``rebuild`` recomputes the rollup from the cases (``shequ tick``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet, Sum

from shequ.core.models import Region, User
from shequ.core.scope import Actor
from shequ.desk.models import CaseStat, Rating, ServiceItem, Window

COUNTERS = (
    "accepted",
    "completed",
    "on_time",
    "overdue",
    "one_trip",
    "rated",
    "rating_5",
    "rating_4",
    "rating_3",
    "rating_2",
    "rating_1",
)
SATISFIED_LEVELS = (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASIC)


@dataclass
class CaseFigures:
    accepted: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    one_trip: int = 0
    rated: int = 0
    ratings: dict[int, int] = field(default_factory=dict)

    @property
    def one_trip_rate(self) -> float | None:
        """最多跑一趟率: completed cases with at most one visit / completed."""
        return self.one_trip / self.completed if self.completed else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 非常满意 + 满意 + 基本满意 over all reviews."""
        if not self.rated:
            return None
        return sum(self.ratings.get(int(level), 0) for level in SATISFIED_LEVELS) / self.rated

    @classmethod
    def from_row(cls, row: dict) -> CaseFigures:
        return cls(
            accepted=row.get("accepted") or 0,
            completed=row.get("completed") or 0,
            on_time=row.get("on_time") or 0,
            overdue=row.get("overdue") or 0,
            one_trip=row.get("one_trip") or 0,
            rated=row.get("rated") or 0,
            ratings={level: row.get(f"rating_{level}") or 0 for level in (5, 4, 3, 2, 1)},
        )


def stat_rows(
    *,
    actor: Actor,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
    **filters: object,
) -> QuerySet[CaseStat]:
    """The rollup rows the actor may read, optionally cut by month (first
    days, inclusive) and by ``item_id``/``window_id_key``/``worker_id_key``/
    ``community_id``/``street_id``."""
    actor.require("stats.view")
    qs = CaseStat.objects.filter(actor.scope_q(community="community"))
    if month_from is not None:
        qs = qs.filter(month__gte=month_from.replace(day=1))
    if month_to is not None:
        qs = qs.filter(month__lte=month_to.replace(day=1))
    return qs.filter(**filters)


def _sums() -> dict:
    return {name: Sum(name) for name in COUNTERS}


def case_figures(*, actor: Actor, **kw: object) -> CaseFigures:
    return CaseFigures.from_row(stat_rows(actor=actor, **kw).aggregate(**_sums()))  # type: ignore[arg-type]


def case_figures_by(*, actor: Actor, key: str, **kw: object) -> list[tuple[object, CaseFigures]]:
    """Figures grouped by one key: ``community``, ``street``, ``item``,
    ``window_id_key``, ``worker_id_key`` or ``month``."""
    column = {"community": "community_id", "street": "street_id", "item": "item_id"}.get(key, key)
    if column not in {
        "community_id",
        "street_id",
        "item_id",
        "window_id_key",
        "worker_id_key",
        "month",
    }:
        raise ValueError(f"unknown key {key!r}")
    rows = stat_rows(actor=actor, **kw).values(column).annotate(**_sums()).order_by(column)  # type: ignore[arg-type]
    return [(row[column], CaseFigures.from_row(row)) for row in rows]


def key_labels(*, actor: Actor, key: str, ids: Iterable[object]) -> dict[object, str]:
    """Display names of the keys of ``case_figures_by`` rows, for the tables."""
    actor.require("stats.view")
    if key == "month":
        return {m: f"{m.year}年{m.month}月" for m in ids if isinstance(m, dt.date)}
    wanted = [i for i in ids if isinstance(i, int) and i]
    out: dict[object, str] = {}
    if key in ("community", "street"):
        out.update(Region.objects.filter(pk__in=wanted).values_list("id", "name"))
    elif key == "item":
        items = ServiceItem.objects.filter(pk__in=wanted).values_list("id", "code", "name")
        out.update((pk, f"{code} {name}") for pk, code, name in items)
    elif key == "window_id_key":
        out[0] = "无窗口（网上申请、电话、代办）"
        windows = Window.objects.filter(
            actor.scope_q(community="community"), pk__in=wanted
        ).values_list("id", "community__name", "name")
        out.update((pk, f"{community} {name}") for pk, community, name in windows)
    elif key == "worker_id_key":
        out[0] = "未记录受理人"
        users = User.objects.filter(pk__in=wanted).values_list("id", "full_name", "username")
        out.update((pk, full or username) for pk, full, username in users)
    else:
        raise ValueError(f"unknown key {key!r}")
    return out
