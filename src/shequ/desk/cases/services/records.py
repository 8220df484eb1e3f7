"""What every case write leaves behind in the same transaction: the timeline
event and the audit record (``case_record``, through ``core.history``), the
statistics row, the deadline schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from shequ.core.errors import ValidationError
from shequ.core.history import Event, json_safe, record
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.desk.cases import deadlines
from shequ.desk.models import (
    Case,
    CaseStat,
)
from shequ.desk.stats.selectors import COUNTERS


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def case_stats_bump(case: Case, **deltas: int) -> None:
    """Add ``deltas`` to the statistics row of the case (keyed by the month
    it was accepted), inside the caller's transaction."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas or case.accepted_on is None:
        return
    community = case.community
    key = {
        "district_id": case.district_id,  # in the key: the sharding key
        "community_id": case.community_id,
        "month": _month(case.accepted_on),
        "item_id": case.item_id,
        "window_id_key": case.window_id or 0,
        "worker_id_key": case.accepted_by_id or 0,
    }
    if community.street_id is None:
        raise ValidationError(f"“{community.name}”缺少所属街道，请联系系统管理员。")
    # One upsert (PostgreSQL and SQLite both speak ON CONFLICT … DO UPDATE).
    row: dict[str, Any] = {"street_id": community.street_id, **key}
    counters = {name: max(deltas.get(name, 0), 0) for name in COUNTERS}
    table = CaseStat._meta.db_table
    columns = [*row, *counters]
    updates = ", ".join(f"{k} = {table}.{k} + %s" for k in deltas)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from model meta
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
            [*row.values(), *counters.values(), *deltas.values()],
        )


def case_record(
    actor: Actor, action: str, case: Case, *, event: Event | None = None, **changes: Any
) -> None:
    """The audit record of ``action`` on ``case`` (receipt number, item and
    masked applicant first) and, with ``event``, its timeline line."""
    record(
        actor=actor,
        action=action,
        obj=case,
        region=case.community,
        event=event,
        changes=json_safe(
            {
                "receipt_no": case.receipt_no,
                "item": case.item.code if case.item_id else "",
                "applicant": mask_name(case.applicant_name),
                **changes,
            }
        ),
    )


def _set_schedule(case: Case, accepted_on: dt.date) -> None:
    case.accepted_on = accepted_on
    case.promised_days = case.version.promised_days
    s = deadlines.schedule_for(accepted_on, case.promised_days)
    case.due_date, case.warn70_on, case.warn90_on = s.due_date, s.warn70_on, s.warn90_on
    case.due_uncertain = s.uncertain


# -- intake ------------------------------------------------------------------------------
