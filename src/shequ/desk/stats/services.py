"""The ``CaseStat`` rollup rebuilt from the cases and reviews (``shequ tick``).

Intake and the case transitions bump the rollup as they go; this job is the
safety net that makes it exact again after a crash or a data repair.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from shequ.desk.models import Case, CaseStat, CaseState
from shequ.desk.stats.selectors import COUNTERS


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
