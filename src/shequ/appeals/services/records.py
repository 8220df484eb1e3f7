"""Timeline events and audit records of appeals (same transaction as the write)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from shequ.appeals.models import Appeal
from shequ.core.audit import audit_log
from shequ.core.models import TimelineEvent
from shequ.core.scope import Actor
from shequ.core.workflow import json_safe

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
    TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(Appeal),
        object_id=appeal.pk,
        at=timezone.now(),
        actor=actor.user if actor.is_authenticated else None,
        actor_role=actor.role or "",
        action=action,
        action_label=label,
        from_state=from_state,
        to_state=appeal.status,
        note=note,
        data=json_safe(data or {}),
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
