"""Figures of the service desk, summed from the ``CaseStat`` rollup within
the caller's scope, so a dashboard costs the same at a thousand cases or a
million. ``rebuild`` recomputes the rollup from the cases (``shequ tick``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from shequ.core.models import Region, User
from shequ.core.scope import Actor
from shequ.services.models import Case, CaseStat, CaseState, Rating, ServiceItem, Window

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


@transaction.atomic
def case_stats_rebuild() -> int:
    """Recompute every CaseStat row from the cases and reviews. Returns rows written."""
    if connection.vendor == "postgresql":
        # Intakes bump rows while this runs: wait for those in flight and hold
        # new bumps until the rows are rewritten, so none is counted twice or lost.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {CaseStat._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    done = Q(status__in=[CaseState.COMPLETED, CaseState.DELIVERED])
    rows: Any = (
        Case.objects.filter(accepted_on__isnull=False)
        .annotate(m=TruncMonth("accepted_on"))
        .values(
            "district_id",
            "community_id",
            "community__street_id",
            "m",
            "item_id",
            "window_id",
            "accepted_by_id",
        )
        .annotate(
            accepted=Count("id"),
            completed=Count("id", filter=done),
            on_time=Count("id", filter=done & Q(overdue=False)),
            overdue=Count("id", filter=done & Q(overdue=True)),
            one_trip_n=Count("id", filter=done & Q(visit_count__lte=1)),
            rated=Count("review"),
            **{f"rating_{n}": Count("review", filter=Q(review__rating=n)) for n in range(1, 6)},
        )
    )
    CaseStat.objects.all().delete()
    objs = [
        CaseStat(
            district_id=r["district_id"],
            street_id=r["community__street_id"],
            community_id=r["community_id"],
            month=r["m"],
            item_id=r["item_id"],
            window_id_key=r["window_id"] or 0,
            worker_id_key=r["accepted_by_id"] or 0,
            **{name: r["one_trip_n" if name == "one_trip" else name] for name in COUNTERS},
        )
        for r in rows
    ]
    CaseStat.objects.bulk_create(objs, batch_size=2000)
    return len(objs)
