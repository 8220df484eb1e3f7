"""Timeline events and audit records of appeals (same transaction as the write)."""

from __future__ import annotations

from typing import Any

from shequ.appeals.models import Appeal
from shequ.core.audit import audit_log
from shequ.core.scope import Actor
from shequ.core.workflow import json_safe, timeline_record

# -- timeline and audit ---------------------------------------------------------------------


def _event(
    appeal: Appeal,
    actor: Actor,
    *,
    action: str,
    label: str,
    from_state: str,
    note: str = "",
    data: dict | None = None,
) -> None:
    timeline_record(
        appeal,
        actor,
        action=action,
        label=label,
        from_state=from_state,
        to_state=appeal.status,
        note=note,
        data=data,
    )


def _audit(actor: Actor, action: str, appeal: Appeal, message: str = "", **changes: Any) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=appeal,
        region=appeal.community,
        changes=json_safe({"number": appeal.number, **changes}),
        message=message,
    )


# -- raising an appeal ------------------------------------------------------------------------
