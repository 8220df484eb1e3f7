"""议题: proposal, co-signing (附议), the community's review (accept,
reject, merge, hand over as a whistle) — ``TOPIC_FLOW`` and its services."""

from __future__ import annotations

import math
from typing import Any, cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shequ.core import photos as photo_store
from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Region, RegionLevel
from shequ.core.numbering import receipt_next
from shequ.core.scope import Actor
from shequ.core.words import keywords_of
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Transition, Workflow, transition
from shequ.deliberation import notify
from shequ.deliberation.models import (
    BODY_PROPOSERS,
    OPEN_TOPIC_STATES,
    PERSONAL_PROPOSERS,
    PHOTO_DIR,
    ConsultationAdoption,
    ConsultationItem,
    ConsultationItemVersion,
    MatterLevel,
    ProposerKind,
    Topic,
    TopicCosign,
    TopicPhoto,
    TopicState,
)
from shequ.deliberation.services.common import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    TITLE_MAX,
    lives_in,
    locked_in_scope,
    own_resident,
    setting,
    text,
)
from shequ.residents.models import Household
from shequ.whistles.whistle.services import whistle_raise


def review_days() -> int:
    return int(setting("DELIBERATION_REVIEW_DAYS", 5))


def cosign_threshold(*, level: str, compound: Region | None, building: Region | None) -> int:
    """附议门槛: residents of the compound (default 10), or for a building-level
    matter a share of the building's households (default one fifth, rounded up)."""
    if level == MatterLevel.BUILDING and building is not None:
        households = Household.objects.filter(building=building).count()
        share = float(setting("DELIBERATION_COSIGN_BUILDING_SHARE", 0.2))
        return max(1, math.ceil(households * share))
    return int(setting("DELIBERATION_COSIGN_RESIDENTS", 10))


def _to_review(topic: Topic) -> list[str]:
    due = add_workdays(timezone.localdate(), review_days())
    topic.review_due, topic.review_due_uncertain = due.date, due.uncertain
    return ["review_due", "review_due_uncertain"]


def _g_reason(topic: Topic, actor: Actor, **data: Any) -> None:
    text(data.get("reason"), field="reason", label="理由", max_length=NOTE_MAX)


def _a_reviewed(topic: Topic, actor: Actor, **data: Any) -> list[str]:
    topic.reviewed_at = timezone.now()
    topic.reviewed_by = actor.require_user()
    return ["reviewed_at", "reviewed_by"]


def _a_reason(topic: Topic, actor: Actor, **data: Any) -> list[str]:
    topic.reason = text(data.get("reason"), field="reason", label="理由", max_length=NOTE_MAX)
    return ["reason", *_a_reviewed(topic, actor)]


def _a_threshold(topic: Topic, actor: Actor, **data: Any) -> list[str]:
    return _to_review(topic)


def _g_merge(topic: Topic, actor: Actor, **data: Any) -> None:
    target = Topic.objects.filter(pk=int(data.get("into_id") or 0)).first()
    if target is None or target.community_id != topic.community_id or target.pk == topic.pk:
        raise ValidationError("请选择本社区的另一个议题作为合并对象。", field="into_id")
    if target.status not in OPEN_TOPIC_STATES:
        raise ValidationError(f"议题 {target.number} 已{TopicState(target.status).label}，不能合并进去。",
                              field="into_id")  # fmt: skip


def _a_merge(topic: Topic, actor: Actor, **data: Any) -> list[str]:
    topic.merged_into_id = int(data["into_id"])
    return ["merged_into", *_a_reviewed(topic, actor)]


def _a_handed(topic: Topic, actor: Actor, **data: Any) -> list[str]:
    topic.handed_over_to = str(data.get("to", ""))[:60]
    return ["handed_over_to", *_a_reason(topic, actor, **data)]


TOPIC_FLOW = Workflow(
    name="topic",
    model=Topic,
    transitions=[
        Transition("threshold", [TopicState.COSIGNING], TopicState.REVIEW, "附议达到门槛，提交审核",
                   "deliberation.take_part", apply=_a_threshold),
        Transition("accept", [TopicState.REVIEW], TopicState.ACCEPTED, "审核通过，列入议题库",
                   "deliberation.review", apply=_a_reviewed),
        Transition("reject", [TopicState.REVIEW, TopicState.COSIGNING], TopicState.REJECTED,
                   "不予受理", "deliberation.review", guards=[_g_reason], apply=_a_reason),
        Transition("merge", [TopicState.REVIEW, TopicState.COSIGNING], TopicState.MERGED,
                   "合并到相似议题", "deliberation.review", guards=[_g_merge], apply=_a_merge),
        Transition("hand_over", [TopicState.REVIEW], TopicState.HANDED_OVER,
                   "非协商事项，转为吹哨", "deliberation.review", guards=[_g_reason],
                   apply=_a_handed),
        Transition("schedule", [TopicState.ACCEPTED], TopicState.SCHEDULED, "列入会议议程",
                   "deliberation.meet"),
        Transition("unschedule", [TopicState.SCHEDULED], TopicState.ACCEPTED, "移出会议议程",
                   "deliberation.meet"),
        Transition("decide", [TopicState.SCHEDULED], TopicState.DECIDED, "表决通过，形成协商结果",
                   "deliberation.meet"),
        Transition("not_pass", [TopicState.SCHEDULED], TopicState.NOT_PASSED, "表决未通过",
                   "deliberation.meet"),
    ],
)  # fmt: skip


def _item_for(community: Region, item_id: Any) -> ConsultationItem:
    """An item the community may raise topics under: adopted, or its own."""
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise ValidationError("请选择协商目录中的条目。", field="item_id") from None
    item = (
        ConsultationItem.objects.select_related("current_version")
        .filter(pk=pk, retired_at__isnull=True, current_version__isnull=False)
        .first()
    )
    if item is None:
        raise ValidationError("所选协商条目不存在或已停用。", field="item_id")
    local = item.community_id == community.pk
    adopted = ConsultationAdoption.objects.filter(
        community=community, item=item, active=True
    ).exists()
    if not (local or adopted):
        raise ValidationError("本社区尚未采用该协商条目。", field="item_id")
    return item


def _place(
    community: Region, place: Region | None, level: str
) -> tuple[Region | None, Region | None]:
    if place is None:
        if level != MatterLevel.COMMUNITY:
            raise ValidationError("请选择议题涉及的小区或楼栋。", field="place")
        return None, None
    if place.community_id != community.pk or place.level not in (
        RegionLevel.COMPOUND, RegionLevel.BUILDING
    ):  # fmt: skip
        raise ValidationError("议题地点须是本社区的小区或楼栋。", field="place")
    if level == MatterLevel.BUILDING and place.level != RegionLevel.BUILDING:
        raise ValidationError("该条目是楼栋事项，请选择楼栋。", field="place")
    compound = Region.objects.get(pk=cast(int, place.compound_id))
    return compound, place if place.level == RegionLevel.BUILDING else None


@transaction.atomic
def topic_propose(
    *,
    actor: Actor,
    community: Region,
    item_id: Any = None,
    title: str,
    description: str,
    place: Region | None = None,
    proposer_kind: str | None = None,
    proposer_body: str = "",
    photos: Any = (),
    appeal_number: str = "",
) -> Topic:
    """提出议题. A resident proposes for themself (the place defaults to
    their building's compound) and needs co-signers; a worker enters the
    community's own topic or a named body's (业委会, 物业, 驻区单位), which go
    straight to review; so does an appeal put to deliberation at triage."""
    actor.require("deliberation.propose")
    # A building head's grant lies below the community: it reaches the
    # community of its building (and is held to that building below).
    if community.level != RegionLevel.COMMUNITY or community.pk not in actor.community_ids:
        raise PermissionDenied("该社区不在您的管辖范围内。")
    item = _item_for(community, item_id)
    version = cast(ConsultationItemVersion, item.current_version)
    title = text(title, field="title", label="议题", max_length=TITLE_MAX)
    description = text(
        description, field="description", label="议题说明", max_length=DESCRIPTION_MAX
    )
    checked = photo_store.check_photos(photos)
    resident = None
    if actor.role == "resident":
        resident = own_resident(actor)
        kind: str = ProposerKind.RESIDENT
        if place is None and version.level != MatterLevel.COMMUNITY:
            place = resident.household.building if version.level == MatterLevel.BUILDING else (
                Region.objects.get(pk=cast(int, resident.household.building.compound_id)))  # fmt: skip
        proposer_body = ""
    elif actor.role == "building_head":
        kind = ProposerKind.BUILDING_HEAD
        proposer_body = ""
    else:
        kind = str(proposer_kind or ProposerKind.COMMUNITY)
        if kind not in ProposerKind.values or kind in (
            ProposerKind.RESIDENT,
            ProposerKind.BUILDING_HEAD,
        ):
            raise ValidationError(
                "请选择提议方：社区、党员、业委会、物业或驻区单位。", field="proposer_kind"
            )
        proposer_body = text(proposer_body, field="proposer_body", label="提议单位", max_length=100,
                             required=kind in BODY_PROPOSERS)  # fmt: skip
    compound, building = _place(community, place, version.level)
    if (
        resident is not None
        and compound is not None
        and (
            resident.household.building.compound_id != compound.pk
            or (building is not None and resident.household.building_id != building.pk)
        )
    ):
        raise PermissionDenied("只能就本人所在小区（楼栋）的事项提出议题。")
    if actor.role == "building_head" and not actor.covers(building or compound or community):
        raise PermissionDenied("楼栋长只能就本楼栋的事项提出议题。")
    personal = kind in PERSONAL_PROPOSERS
    now = timezone.now()
    topic = Topic(
        district_id=cast(int, community.district_id),
        community=community,
        compound=compound,
        building=building,
        number=receipt_next(community=community),
        item=item,
        item_version=version,
        category=version.category,
        title=title,
        description=description,
        keywords=keywords_of(f"{title} {description}"),
        proposer_kind=ProposerKind.APPEAL if appeal_number else kind,
        proposer=actor.user if actor.is_authenticated else None,
        proposer_resident=resident,
        proposer_body=proposer_body,
        status=TopicState.COSIGNING if personal else TopicState.REVIEW,
        threshold=cosign_threshold(level=version.level, compound=compound, building=building) if personal else 0,
        proposed_at=now,
    )  # fmt: skip
    if not personal:
        _to_review(topic)
    topic.save()
    TopicPhoto.objects.bulk_create(
        TopicPhoto(topic=topic, district_id=topic.district_id, community=community,
                   file=photo_store.store(p, subdir=PHOTO_DIR), content_type=p.content_type,
                   size=len(p.content), sha256=p.sha256)
        for p in checked
    )  # fmt: skip
    record(
        actor=actor,
        action="topic.propose",
        obj=topic,
        region=community,
        changes={"number": topic.number, "item": item.code, "status": topic.status,
                 "threshold": topic.threshold, "appeal": appeal_number or None},
        event=Event("propose", f"提出议题（{topic.proposer_label}）", from_state="",
                    note=f"由诉求 {appeal_number} 转入" if appeal_number else ""),
    )  # fmt: skip
    if topic.status == TopicState.REVIEW:
        notify.topic_waiting(actor, topic)
    return topic


@transaction.atomic
def topic_cosign(*, actor: Actor, topic_id: Any) -> Topic:
    """附议: a resident of the topic's compound (building) supports it, once;
    the co-signer who reaches the threshold sends it to review."""
    actor.require("deliberation.take_part")
    resident = own_resident(actor)
    topic = locked_in_scope(actor, Topic, topic_id, "议题")
    if topic.status != TopicState.COSIGNING:
        raise Conflict(f"该议题{TopicState(topic.status).label}，不再征集附议。")
    if not lives_in(topic, resident):
        raise PermissionDenied("只有议题所涉小区（楼栋）的居民才能附议。")
    if topic.proposer_resident_id == resident.pk:
        raise Conflict("这是您本人提出的议题，无需附议。")
    if TopicCosign.objects.filter(topic=topic, resident=resident).exists():
        raise Conflict("您已经附议过这个议题了。")
    TopicCosign.objects.create(topic=topic, district_id=topic.district_id, community_id=topic.community_id,
                               resident=resident, user=actor.user, at=timezone.now())  # fmt: skip
    Topic.objects.filter(pk=topic.pk).update(cosigners=F("cosigners") + 1)
    topic.refresh_from_db(fields=["cosigners"])
    record(actor=actor, action="topic.cosign", obj=topic, region=topic.community,
           changes={"cosigners": topic.cosigners}, event=Event("cosign", "居民附议"))  # fmt: skip
    if topic.cosigners >= topic.threshold:
        topic = cast(Topic, transition(workflow=TOPIC_FLOW, actor=actor, obj_or_pk=topic.pk,
                                       action="threshold", note=f"附议{topic.cosigners}人"))  # fmt: skip
        notify.topic_waiting(actor, topic)
    return topic


def _review(actor: Actor, topic_id: Any, action: str, note: str = "", **data: Any) -> Topic:
    actor.require("deliberation.review")
    topic = locked_in_scope(actor, Topic, topic_id, "议题")
    topic = cast(Topic, transition(workflow=TOPIC_FLOW, actor=actor, obj_or_pk=topic.pk,
                                   action=action, note=note, data=data))  # fmt: skip
    notify.topic_reviewed(actor, topic)
    return topic


@transaction.atomic
def topic_accept(*, actor: Actor, topic_id: Any, note: str = "") -> Topic:
    """审核通过: into the topic pool, waiting for a meeting's agenda."""
    note = text(note, field="note", label="审核意见", max_length=NOTE_MAX, required=False)
    return _review(actor, topic_id, "accept", note)


@transaction.atomic
def topic_reject(*, actor: Actor, topic_id: Any, reason: str) -> Topic:
    """不予受理, with the reason the proposer reads."""
    return _review(actor, topic_id, "reject", str(reason or "")[:200], reason=reason)


@transaction.atomic
def topic_merge(*, actor: Actor, topic_id: Any, into_id: Any) -> Topic:
    """合并: a similar topic of the community takes this one's co-signers."""
    try:
        into = int(into_id)
    except (TypeError, ValueError):
        raise ValidationError("请选择要合并到的议题。", field="into_id") from None
    merged = _review(actor, topic_id, "merge", into_id=into)
    added = merged.cosigners + (1 if merged.proposer_resident_id else 0)
    Topic.objects.filter(pk=into).update(cosigners=F("cosigners") + added)
    target = Topic.objects.select_related("community").get(pk=into)
    record(actor=actor, action="topic.absorb", obj=target, region=target.community,
           changes={"merged": merged.number, "cosigners": [target.cosigners - added, target.cosigners]},
           event=Event("absorb", "合并相似议题", data={"merged": merged.number}))  # fmt: skip
    if target.status == TopicState.COSIGNING and target.cosigners >= target.threshold:
        transition(workflow=TOPIC_FLOW, actor=actor, obj_or_pk=target.pk, action="threshold",
                   note=f"合并后附议{target.cosigners}人")  # fmt: skip
    return merged


@transaction.atomic
def topic_hand_over(*, actor: Actor, topic_id: Any, reason: str, whistle: dict[str, Any]) -> Topic:
    """非协商事项: the community blows a whistle for it (a department's
    duty, not the residents' to decide); the reason is published."""
    topic = locked_in_scope(actor, Topic, topic_id, "议题")
    if topic.status != TopicState.REVIEW:
        raise Conflict(
            f"该议题当前为“{TopicState(topic.status).label}”，只有待审核的议题才能转办。"
        )
    _g_reason(topic, actor, reason=reason)
    fields = dict(whistle or {})
    fields.setdefault("title", topic.title)
    fields.setdefault("description", topic.description)
    fields.setdefault("place", topic.building or topic.compound)
    raised = whistle_raise(actor=actor, community=topic.community, **fields)
    return _review(actor, topic.pk, "hand_over", str(reason)[:200], reason=reason,
                   to=f"吹哨 {raised.number}")  # fmt: skip
