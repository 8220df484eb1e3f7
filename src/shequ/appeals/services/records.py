"""The history of appeals: each write's audit record and, for a step in the
appeal's life, its timeline event, through ``core.history.record`` (same
transaction as the write)."""

from __future__ import annotations

from typing import Any

from shequ.appeals.models import Appeal
from shequ.core.history import Event, json_safe, record
from shequ.core.scope import Actor


def appeal_record(
    actor: Actor,
    action: str,
    appeal: Appeal,
    *,
    event: Event | None = None,
    message: str = "",
    **changes: Any,
) -> None:
    """The audit record of ``action`` on ``appeal`` (its number first in the
    changes, the community as region) and, with ``event``, its timeline line."""
    record(
        actor=actor,
        action=action,
        obj=appeal,
        region=appeal.community,
        changes=json_safe({"number": appeal.number, **changes}),
        message=message,
        event=event,
    )
