"""Writing audit records. Sealing and verification live in ``audit_chain``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from shequ.core.models import AuditRecord, Region

if TYPE_CHECKING:
    from shequ.core.scope import Actor


def _region_of(obj: Any) -> Region | None:
    if isinstance(obj, Region):
        return obj
    for name in ("region", "unit", "building", "community"):
        value = getattr(obj, name, None)
        if isinstance(value, Region):
            return value
    return None


def audit_log(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    region: Region | None = None,
    changes: dict[str, Any] | None = None,
    success: bool = True,
    message: str = "",
) -> AuditRecord:
    """Append one record. Call it inside the service's transaction so the
    record and the change commit or roll back together. ``changes`` must
    already hold masked values for personal data."""
    user = actor.user if actor.is_authenticated else None
    return AuditRecord.objects.create(
        at=timezone.now(),
        user=user,
        username=user.get_username() if user else (f"系统:{actor.system}" if actor.system else ""),
        role=actor.role or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region=region or (_region_of(obj) if obj is not None else None) or actor.region,
        changes=changes or {},
        ip=actor.ip,
        success=success,
        message=message[:300],
    )


def audit_refused(
    *,
    actor: Actor,
    action: str,
    message: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Record a refused write. Runs in its own transaction, after the refused
    one has rolled back, so the refusal is kept while the write is not.
    Callers (views, API handlers) call it after the service raised."""
    with transaction.atomic():
        audit_log(
            actor=actor, action=action, obj=obj, changes=changes, success=False, message=message
        )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
