"""Whose appeal it is: the resident's own, the community's scope and the
first-contact owner (首接负责) and its hand-over."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shequ.appeals import notify
from shequ.appeals.models import (
    OPEN_STATES,
    Appeal,
    AppealChannel,
    AppealState,
)
from shequ.appeals.selectors import triage_users
from shequ.appeals.services.inputs import NOTE_MAX
from shequ.appeals.services.records import appeal_record
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event
from shequ.core.models import Region, User
from shequ.core.scope import Actor
from shequ.core.text import TOO_LONG_SHORT, clean_text
from shequ.residents.models import Resident


def is_own(actor: Actor, appeal: Appeal) -> bool:
    """The appeal was raised by this resident (linked to their account)."""
    user = actor.user
    if user is None or not user.is_authenticated:
        return False
    if appeal.resident_id is not None:
        return Resident.objects.filter(pk=appeal.resident_id, user=user).exists()
    return appeal.submitted_by_id == user.pk and appeal.channel == AppealChannel.PHONE


def _scope(actor: Actor, appeal: Any) -> bool:
    """Staff act on the appeals of the communities their grant covers; a
    resident acts only on their own."""
    if actor.can("appeal.view") and actor.covers(appeal.community):
        return True
    return actor.can("appeal.self") and is_own(actor, appeal)


_scope.field_name = "community"  # type: ignore[attr-defined]


def _take_ownership(appeal: Appeal, actor: Actor) -> list[str]:
    if appeal.owner_id is None:
        appeal.owner = actor.require_user()
        return ["owner"]
    return []


def _in_scope(actor: Actor, appeal_id: int) -> Appeal:
    """The appeal, or NotFound when it is not within the actor's reach (so an
    id from another community looks the same as one that does not exist)."""
    appeal = Appeal.objects.select_related("community").filter(pk=appeal_id).first()
    if appeal is None or not _scope(actor, appeal):
        raise NotFound("诉求不存在，或不在您的管辖范围内。")
    return appeal


def _can_still_act(user: User, community: Region) -> bool:
    return user.is_active and triage_users(community).filter(pk=user.pk).exists()


@transaction.atomic
def appeal_hand_over(*, actor: Actor, appeal_id: int, to_user_id: int, note: str) -> Appeal:
    """首接负责: the owner hands the appeal on to another worker of the
    community, with a reason. When nobody owns it, or the owner can no longer
    act for the community (left, lost the grant), any worker who triages may
    hand it on."""
    actor.require("appeal.triage")
    user = actor.require_user()
    note = clean_text(
        note,
        field="note",
        label="移交原因",
        max_length=NOTE_MAX,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
    appeal = _in_scope(actor, appeal_id)
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("community", "owner")
        .get(pk=appeal.pk)
    )
    if appeal.status not in OPEN_STATES:
        raise Conflict(f"该诉求{AppealState(appeal.status).label}，无需移交。")
    owner = appeal.owner
    if owner is not None and owner.pk != user.pk and _can_still_act(owner, appeal.community):
        raise PermissionDenied(f"该诉求由{owner}首接负责，只有首接负责人可以移交。")
    try:
        target_id = int(to_user_id)
    except (TypeError, ValueError):
        raise ValidationError("请选择接手的工作人员。", field="to_user_id") from None
    target = triage_users(appeal.community).filter(pk=target_id).first()
    if target is None:
        raise ValidationError("接手人须是本社区负责分办诉求的工作人员。", field="to_user_id")
    if owner is not None and target.pk == owner.pk:
        raise ValidationError("接手人就是现在的首接负责人。", field="to_user_id")
    appeal.owner = target
    appeal.save(update_fields=["owner"])
    appeal_record(
        actor,
        "appeal.hand_over",
        appeal,
        event=Event(
            "hand_over",
            "移交首接负责",
            note=note,
            data={"from": str(owner) if owner else "", "to": str(target)},
        ),
        message=note,
        owner=[owner.pk if owner else None, target.pk],
    )
    notify.appeal_handed_over(actor, appeal)
    return appeal
