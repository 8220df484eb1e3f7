"""The one writer of governance history: a write's audit record and, for a
write that is part of an object's life (an intake, a transition, a "me
too", a logged action), its timeline event — together, in the caller's
transaction, so neither can be written without the other.

    record(
        actor=actor,
        action="appeal.create",
        obj=appeal,
        changes={"number": appeal.number, "channel": channel},
        event=Event("submit", "提出诉求（手机）"),
    )

The workflow engine records every transition through it; services record
the writes that are not transitions. ``audit_log`` and ``timeline_record``
are its two halves, called from nowhere else (a test checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from shequ.core.audit import audit_log
from shequ.core.models import AuditRecord, Region, TimelineEvent

if TYPE_CHECKING:
    from shequ.core.scope import Actor


def json_safe(value: Any) -> Any:
    """``value`` as JSON would give it back (dates as ISO text, Decimals as text…)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@dataclass(frozen=True)
class Event:
    """The timeline line of a write: what happened to the object, in words."""

    action: str  # "accept", "submit", "me_too"
    label: str  # "受理", "提出诉求（手机）"
    from_state: str | None = None  # None: the state the object is in now
    to_state: str | None = None  # None: the state the object is in now
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    region: Region | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    success: bool = True,
    event: Event | None = None,
    timeline: models.Model | None = None,
    state_field: str = "status",
) -> AuditRecord:
    """Append the timeline event ``event`` (to ``timeline``'s history, by
    default ``obj``'s) and the audit record of ``action``. ``changes`` must
    already hold masked values for personal data."""
    if event is not None:
        subject = timeline if timeline is not None else obj
        if subject is None:
            raise ValueError("a timeline event needs the object it happened to")
        state = str(getattr(subject, state_field, "") or "")
        timeline_record(
            subject,
            actor,
            action=event.action,
            label=event.label,
            from_state=state if event.from_state is None else event.from_state,
            to_state=state if event.to_state is None else event.to_state,
            note=event.note,
            data=event.data,
        )
    return audit_log(
        actor=actor,
        action=action,
        obj=obj,
        region=region,
        changes=changes,
        success=success,
        message=message,
    )


def timeline_record(
    obj: models.Model,
    actor: Actor,
    *,
    action: str,
    label: str,
    from_state: str,
    to_state: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TimelineEvent:
    """Append one event to ``obj``'s history, inside the caller's transaction:
    every transition writes one, and so do the writes that are not state
    changes (an intake, a "me too", a hand-over, a logged action)."""
    return TimelineEvent.objects.create(
        # Every object with a history is scoped and carries its district.
        district_id=obj.district_id,  # type: ignore[attr-defined]
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        at=timezone.now(),
        actor=actor.user if actor.is_authenticated else None,
        actor_role=actor.role or "",
        action=action,
        action_label=label,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=json_safe(data or {}),
    )
