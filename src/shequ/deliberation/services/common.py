"""What every deliberation write shares: settings, text checks, the
resident behind an account, and the scope of a row."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from shequ.core.errors import NotFound, PermissionDenied
from shequ.core.history import Event, record
from shequ.core.scope import Actor
from shequ.core.text import MISSING, TOO_LONG_SHORT, clean_text
from shequ.residents.models import Resident

TITLE_MAX = 60
DESCRIPTION_MAX = 4000
NOTE_MAX = 500


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def text(
    value: Any,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    missing: str = MISSING,
) -> str:
    """Residents' and workers' free text: plain text, no HTML tags."""
    return clean_text(
        value,
        field=field,
        label=label,
        max_length=max_length,
        required=required,
        markup="tags",
        too_long=TOO_LONG_SHORT,
        missing=missing,
    )


def as_id(value: Any) -> int:
    """A submitted id as an int (0, which matches nothing, for junk)."""
    text_value = str(value if value is not None else "").strip()
    return int(text_value) if text_value.isdigit() and len(text_value) < 19 else 0


def lives_in(row: Any, resident: Resident) -> bool:
    """Whether ``resident`` lives where ``row`` (a topic) is: its building,
    else its compound, else its community."""
    building = resident.household.building
    if row.building_id is not None:
        return bool(building.pk == row.building_id)
    if row.compound_id is not None:
        return bool(building.compound_id == row.compound_id)
    return bool(resident.community_id == row.community_id)


# A resident's place and floor area, all a vote reads of the register.
PLACE_COLUMNS = (
    "id", "community_id", "household_id", "user_id", "household__id", "household__floor_area",
    "household__building_id", "household__building__id", "household__building__compound_id",
)  # fmt: skip


def own_resident(actor: Actor, *, lean: bool = False) -> Resident:
    """The register entry of the resident acting, with its household's place
    (``lean``: only the columns of ``PLACE_COLUMNS``)."""
    user = actor.require_user()
    qs = Resident.objects.filter(user=user)
    if lean:
        qs = qs.select_related("household__building").only(*PLACE_COLUMNS)
    else:
        qs = qs.select_related("household__building", "household__unit")
    resident = qs.first()
    if resident is None:
        raise PermissionDenied("您的账号尚未关联居民登记信息，请联系社区工作人员。")
    return resident


def locked_in_scope(actor: Actor, model: type[models.Model], pk: Any, label: str) -> Any:
    """The row locked for the write, or NotFound when it is not in scope."""
    pk = as_id(pk)
    row = (
        model._default_manager.select_for_update()
        .select_related("community")
        .filter(actor.scope_q(community="community"), pk=pk)
        .first()
    )
    if row is None:
        raise NotFound(f"{label}不存在，或不在您的管辖范围内。")
    return row


def log(actor: Actor, action: str, obj: models.Model, label: str, **changes: Any) -> None:
    """The audit record and timeline event of a write that is not a transition."""
    record(
        actor=actor,
        action=action,
        obj=obj,
        region=getattr(obj, "community", None),
        changes=changes,
        event=Event(action.split(".", 1)[1], label, data=changes),
    )
