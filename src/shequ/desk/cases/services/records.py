"""What every case write leaves behind in the same transaction: the timeline
event, the audit record, the statistics row, the deadline schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from shequ.core.audit import audit_log
from shequ.core.errors import ValidationError
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.workflow import json_safe, timeline_record
from shequ.desk.cases import deadlines
from shequ.desk.models import (
    Case,
    CaseStat,
)
from shequ.desk.stats.selectors import COUNTERS


def _event(
    case: Case,
    actor: Actor,
    *,
    action: str,
    label: str,
    from_state: str,
    note: str = "",
    data: dict | None = None,
) -> None:
    timeline_record(
        case,
        actor,
        action=action,
        label=label,
        from_state=from_state,
        to_state=case.status,
        note=note,
        data=data,
    )


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
        "community_id": case.community_id,
        "month": _month(case.accepted_on),
        "item_id": case.item_id,
        "window_id_key": case.window_id or 0,
        "worker_id_key": case.accepted_by_id or 0,
    }
    if community.street_id is None:
        raise ValidationError(f"“{community.name}”缺少所属街道，请联系系统管理员。")
    # One upsert (PostgreSQL and SQLite both speak ON CONFLICT … DO UPDATE).
    row: dict[str, Any] = {
        "district_id": case.district_id,
        "street_id": community.street_id,
        **key,
    }
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


def _audit_case(actor: Actor, action: str, case: Case, **changes: Any) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=case,
        region=case.community,
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
