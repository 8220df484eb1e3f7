"""Writes of appeals (居民诉求): raising one (a resident, a worker or building
head on a resident's behalf, an external channel), triage, closing, the
resident's rating, reopening, "me too" and the hand-over of first-contact
responsibility (首接负责).

Every function is one transaction: the appeal, its timeline event and its
audit record change together or not at all. State changes go through the
core workflow engine (``APPEAL_FLOW``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from shequ.appeals import photos as photo_store
from shequ.appeals.models import (
    OPEN_STATES,
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealKind,
    AppealPhoto,
    AppealRating,
    AppealState,
    AppealSupporter,
    TriageDecision,
)
from shequ.appeals.selectors import triage_users
from shequ.appeals.text import keywords_of
from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import Region, RegionLevel, TimelineEvent, User
from shequ.core.numbering import receipt_next
from shequ.core.pii import decrypt, encrypt, mask_name
from shequ.core.scope import Actor
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Transition, Workflow, json_safe, transition
from shequ.residents.models import Resident
from shequ.residents.services import clean_phone

TRIAGE_DAYS = 1  # working days the community has to triage a new appeal
DESCRIPTION_MAX = 4000
RESULT_MAX = 2000
NOTE_MAX = 500
NOT_YET_OFFERED = "将在议事协商模块上线后提供"
WHISTLE_DECISION = TriageDecision.WHISTLE  # 分办：吹哨 (a whistle of the whistles app)

# A tag-like "<x…>" or "</x>" or "<!…>": descriptions are plain text.
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")

ON_BEHALF_CHANNELS = (AppealChannel.WINDOW, AppealChannel.HOTLINE, AppealChannel.BUILDING_HEAD)


def reopen_days() -> int:
    return int(getattr(settings, "APPEAL_REOPEN_DAYS", 7))


# -- input checks --------------------------------------------------------------------------


def clean_text(value: Any, *, field: str, label: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(f"请填写{label}。", field=field)
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过{limit}字。", field=field)
    if _HTML_TAG.search(text):
        raise ValidationError(f"{label}只能是纯文字，不能包含HTML标签。", field=field)
    return text


def clean_coordinates(lat: Any, long: Any) -> tuple[Decimal | None, Decimal | None]:
    """Latitude and longitude as decimals with six places, both or neither."""

    def number(value: Any, label: str, field: str, bound: int) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            d = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(f"{label}应为数字。", field=field) from None
        if not d.is_finite() or not -bound <= d <= bound:
            raise ValidationError(f"{label}应在-{bound}到{bound}之间。", field=field)
        return d.quantize(Decimal("0.000001"))

    la = number(lat, "纬度", "lat", 90)
    lo = number(long, "经度", "long", 180)
    if (la is None) != (lo is None):
        raise ValidationError("经纬度须同时填写。", field="lat" if la is None else "long")
    return la, lo


def _choice(value: Any, choices: type[models.TextChoices], *, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(f"请选择{label}。", field=field)
    return str(value)


def _community(community: Region) -> Region:
    if not isinstance(community, Region) or community.level != RegionLevel.COMMUNITY:
        raise ValidationError("请选择社区。", field="community")
    if community.district_id is None:
        raise ValidationError(f"“{community.name}”缺少所属区，请联系系统管理员。")
    return community


def _place(community: Region, place: Region | None) -> tuple[Region | None, Region | None]:
    """(compound, building) of a place inside ``community`` (a compound, a
    building, or a unit: the unit's building is kept)."""
    if place is None:
        return None, None
    if place.community_id != community.pk or place.level <= RegionLevel.COMMUNITY:
        raise ValidationError("地点须是本社区内的小区或楼栋。", field="place")
    if place.level == RegionLevel.COMPOUND:
        return place, None
    building = place if place.level == RegionLevel.BUILDING else place.building
    return place.compound, building


def _contact(name: Any, phone: Any, *, anonymous: bool) -> dict[str, Any]:
    name = "" if anonymous else clean_text(name, field="contact_name", label="联系人", limit=40,
                                           required=False)  # fmt: skip
    phone = clean_phone(str(phone or ""))
    if not anonymous and not name:
        raise ValidationError("请填写联系人姓名，或选择匿名反映。", field="contact_name")
    if not anonymous and not phone:
        raise ValidationError("请填写联系电话，便于社区回复；不愿留电话可选择匿名。", field="phone")
    return {
        "contact_name": name,
        "phone_enc": encrypt(phone) if phone else None,
        "phone_head": phone[:3],
        "phone_tail": phone[-4:],
    }


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


def _create(
    *,
    actor: Actor,
    community: Region,
    kind: Any,
    category: Any,
    description: Any,
    channel: str,
    place: Region | None,
    address: Any,
    contact: dict[str, Any],
    anonymous: bool,
    photos: Iterable[Any],
    lat: Any,
    long: Any,
    resident: Resident | None,
    owner: User | None,
    source: str = "",
) -> Appeal:
    kind = _choice(kind, AppealKind, field="kind", label="诉求类型")
    category = _choice(category, AppealCategory, field="category", label="诉求类别")
    text = clean_text(description, field="description", label="诉求内容", limit=DESCRIPTION_MAX)
    where = clean_text(address, field="address", label="地点说明", limit=200, required=False)
    compound, building = _place(community, place)
    la, lo = clean_coordinates(lat, long)
    checked = photo_store.check_photos(photos)
    now = timezone.now()
    due = add_workdays(timezone.localdate(now), TRIAGE_DAYS)
    user = actor.user if actor.is_authenticated else None
    appeal = Appeal.objects.create(
        district_id=cast(int, community.district_id),
        community=community,
        compound=compound,
        building=building,
        address=where,
        number=receipt_next(community=community, day=timezone.localdate(now)),
        kind=kind,
        category=category,
        description=text,
        keywords=keywords_of(text),
        lat=la,
        long=lo,
        channel=channel,
        resident=resident,
        anonymous=anonymous,
        submitted_by=user,
        source=source[:64],
        owner=owner,
        status=AppealState.SUBMITTED,
        submitted_at=now,
        triage_due=due.date,
        triage_due_uncertain=due.uncertain,
        **contact,
    )
    AppealPhoto.objects.bulk_create(
        [
            AppealPhoto(
                appeal=appeal,
                district_id=cast(int, community.district_id),
                community=community,
                file=photo_store.store(p),
                content_type=p.content_type,
                size=len(p.content),
                sha256=p.sha256,
            )
            for p in checked
        ]
    )
    _event(
        appeal,
        actor,
        action="submit",
        label=f"提出诉求（{AppealChannel(channel).label}）",
        from_state="",
        data={"photos": len(checked), "owner": owner.pk if owner else None},
    )
    _audit(
        actor,
        "appeal.create",
        appeal,
        kind=kind,
        category=category,
        channel=channel,
        anonymous=anonymous,
        contact=mask_name(appeal.contact_name),
        phone=appeal.phone_masked,
        photos=len(checked),
        owner=owner.pk if owner else None,
        triage_due=appeal.triage_due,
    )
    return appeal


@transaction.atomic
def appeal_create(
    *,
    actor: Actor,
    community: Region,
    kind: str,
    category: str,
    description: str,
    channel: str,
    place: Region | None = None,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    anonymous: bool = False,
    photos: Iterable[Any] = (),
    lat: Any = None,
    long: Any = None,
    resident: Resident | None = None,
) -> Appeal:
    """提出诉求. A resident (``appeal.self``) raises one in their own
    community from the phone page; a worker or building head
    (``appeal.create``) registers one on a resident's behalf, a building head
    only in the community of their building. A worker who registers it owns
    it (首接负责); otherwise the first worker who triages it does."""
    community = _community(community)
    anonymous = bool(anonymous)
    if actor.can("appeal.create"):
        if community.pk not in actor.community_ids:
            raise PermissionDenied("只能登记本社区的诉求。")
        if channel not in ON_BEHALF_CHANNELS:
            raise ValidationError("代为登记的渠道只能是窗口、热线或楼栋长代报。", field="channel")
        if resident is not None and resident.community_id != community.pk:
            raise ValidationError("所选居民不在本社区。", field="resident")
        contact = _contact(contact_name, contact_phone, anonymous=anonymous)
        owner = actor.user if actor.can("appeal.triage") else None
    elif actor.can("appeal.self"):
        user = actor.require_user()
        own = Resident.objects.select_related("community").filter(user=user).first()
        if own is None:
            raise PermissionDenied("您的账号尚未关联居民登记信息，请联系社区工作人员。")
        if community.pk != own.community_id:
            raise PermissionDenied("只能向本人所在社区反映诉求。")
        if resident is not None and resident.pk != own.pk:
            raise PermissionDenied("只能以本人名义反映诉求。")
        if channel != AppealChannel.PHONE:
            raise ValidationError("居民本人反映的渠道只能是手机。", field="channel")
        resident = own
        phone = contact_phone or (decrypt(own.phone_enc) if own.phone_enc else "")
        contact = _contact(contact_name or own.name, phone, anonymous=anonymous)
        owner = None
    else:
        raise PermissionDenied("您没有“登记居民诉求”的权限。")
    return _create(
        actor=actor,
        community=community,
        kind=kind,
        category=category,
        description=description,
        channel=channel,
        place=place,
        address=address,
        contact=contact,
        anonymous=anonymous,
        photos=photos,
        lat=lat,
        long=long,
        resident=resident,
        owner=owner,
    )


@transaction.atomic
def appeal_receive(
    *,
    source: str,
    community: Region,
    kind: str,
    category: str,
    description: str,
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    lat: Any = None,
    long: Any = None,
    photos: Iterable[Any] = (),
) -> Appeal:
    """An appeal from an external channel with no user (the 12345 hotline, an
    Open311 client): audited as the command ``source``, channel open311, no
    owner until the community's first worker triages it. Without a name and
    a phone it is anonymous."""
    source = str(source or "").strip()
    if not source:
        raise ValidationError("缺少诉求来源。", field="source")
    community = _community(community)
    actor = Actor.for_command(source[:64])
    anonymous = not (str(contact_name or "").strip() or str(contact_phone or "").strip())
    if anonymous:
        contact = _contact("", "", anonymous=True)
    else:
        name = clean_text(contact_name, field="contact_name", label="联系人", limit=40,
                          required=False)  # fmt: skip
        phone = clean_phone(str(contact_phone or ""))
        contact = {
            "contact_name": name,
            "phone_enc": encrypt(phone) if phone else None,
            "phone_head": phone[:3],
            "phone_tail": phone[-4:],
        }
    return _create(
        actor=actor,
        community=community,
        kind=kind,
        category=category,
        description=description,
        channel=AppealChannel.OPEN311,
        place=None,
        address=address,
        contact=contact,
        anonymous=anonymous,
        photos=photos,
        lat=lat,
        long=long,
        resident=None,
        owner=None,
        source=source,
    )


# -- the workflow ------------------------------------------------------------------------------


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


def _a_triage(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.decision = TriageDecision.SELF
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["decision", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


def _original(appeal: Appeal, data: dict[str, Any]) -> Appeal:
    raw = data.get("duplicate_of_id")
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise ValidationError("请选择要合并到的原诉求。", field="duplicate_of_id") from None
    original = Appeal.objects.filter(pk=pk).first()
    if original is None:
        raise ValidationError("要合并到的诉求不存在。", field="duplicate_of_id")
    return original


def _g_merge(appeal: Appeal, actor: Actor, **data: Any) -> None:
    original = _original(appeal, data)
    if original.pk == appeal.pk:
        raise ValidationError("诉求不能合并到它自己。", field="duplicate_of_id")
    if original.community_id != appeal.community_id:
        raise ValidationError("只能合并到本社区的诉求。", field="duplicate_of_id")
    if original.status not in OPEN_STATES:
        raise ValidationError(
            f"诉求 {original.number} 已{AppealState(original.status).label}，不能作为合并对象。",
            field="duplicate_of_id",
        )


def _a_merge(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.duplicate_of = _original(appeal, data)
    appeal.decision = TriageDecision.MERGE
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["duplicate_of", "decision", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


def _g_result(appeal: Appeal, actor: Actor, **data: Any) -> None:
    clean_text(data.get("result"), field="result", label="办理结果", limit=RESULT_MAX)


def _a_close(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.result = clean_text(data.get("result"), field="result", label="办理结果",
                               limit=RESULT_MAX)  # fmt: skip
    appeal.closed_at = timezone.now()
    appeal.closed_by = actor.require_user()
    return ["result", "closed_at", "closed_by"]


def _g_own(appeal: Appeal, actor: Actor, **data: Any) -> None:
    if not is_own(actor, appeal):
        raise PermissionDenied("只能评价或重新提起本人的诉求。")


def _g_rate(appeal: Appeal, actor: Actor, **data: Any) -> None:
    _g_own(appeal, actor)
    if appeal.rating:
        raise Conflict("该诉求已评价，每次办结只能评价一次。")
    if data.get("rating") not in AppealRating.values:
        raise ValidationError("请选择评价：满意、基本满意或不满意。", field="rating")


def _a_rate(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.rating = data["rating"]
    appeal.rated_at = timezone.now()
    return ["rating", "rated_at"]


def _g_reopen(appeal: Appeal, actor: Actor, **data: Any) -> None:
    _g_own(appeal, actor)
    clean_text(data.get("reason"), field="reason", label="重新办理的原因", limit=NOTE_MAX)
    if appeal.reopened_count >= 1:
        raise Conflict("该诉求已重新办理过一次，不能再次重新提起。")
    days = reopen_days()
    if appeal.closed_at is None or timezone.now() > appeal.closed_at + dt.timedelta(days=days):
        raise Conflict(f"办结{days}天内才能重新提起，已超过期限。")


def _a_reopen(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    # The earlier result and rating stay in the timeline and the audit record;
    # the reopened appeal is closed and rated afresh.
    appeal.reopened_count += 1
    appeal.closed_at = None
    appeal.closed_by = None
    appeal.rating = ""
    appeal.rated_at = None
    return ["reopened_count", "closed_at", "closed_by", "rating", "rated_at"]


def _a_whistle(appeal: Appeal, actor: Actor, **data: Any) -> list[str]:
    appeal.decision = WHISTLE_DECISION
    appeal.triaged_at = timezone.now()
    appeal.triaged_by = actor.require_user()
    return ["decision", "triaged_at", "triaged_by", *_take_ownership(appeal, actor)]


APPEAL_FLOW = Workflow(
    name="appeal",
    model=Appeal,
    scope=_scope,
    transitions=[
        Transition(
            "triage",
            [AppealState.SUBMITTED],
            AppealState.HANDLING,
            "分办：社区自办自结",
            "appeal.triage",
            apply=_a_triage,
        ),
        Transition(
            "merge",
            [AppealState.SUBMITTED],
            AppealState.MERGED,
            "分办：合并为重复诉求",
            "appeal.triage",
            guards=[_g_merge],
            apply=_a_merge,
        ),
        Transition(
            "close",
            [AppealState.HANDLING],
            AppealState.CLOSED,
            "办结",
            "appeal.triage",
            guards=[_g_result],
            apply=_a_close,
        ),
        Transition(
            "rate",
            [AppealState.CLOSED],
            AppealState.CLOSED,
            "居民评价",
            "appeal.self",
            guards=[_g_rate],
            apply=_a_rate,
        ),
        Transition(
            "reopen",
            [AppealState.CLOSED],
            AppealState.HANDLING,
            "居民重新提起",
            "appeal.self",
            guards=[_g_reopen],
            apply=_a_reopen,
        ),
        # 吹哨: the whistles app hands the appeal on (``appeal_whistled``) and
        # closes it with the whistle's result once the community evaluated it.
        Transition(
            "whistle",
            [AppealState.SUBMITTED],
            AppealState.WHISTLED,
            "分办：吹哨",
            "whistle.raise",
            apply=_a_whistle,
        ),
        Transition(
            "whistle_close",
            [AppealState.WHISTLED],
            AppealState.CLOSED,
            "吹哨事项办结",
            "whistle.evaluate",
            guards=[_g_result],
            apply=_a_close,
        ),
    ],
)


def _in_scope(actor: Actor, appeal_id: int) -> Appeal:
    """The appeal, or NotFound when it is not within the actor's reach (so an
    id from another community looks the same as one that does not exist)."""
    appeal = Appeal.objects.select_related("community").filter(pk=appeal_id).first()
    if appeal is None or not _scope(actor, appeal):
        raise NotFound("诉求不存在，或不在您的管辖范围内。")
    return appeal


@transaction.atomic
def appeal_triage(
    *,
    actor: Actor,
    appeal_id: int,
    decision: str,
    duplicate_of_id: int | None = None,
    note: str = "",
    whistle: dict[str, Any] | None = None,
) -> Appeal:
    """分办 within the working-day limit: ``self`` (社区自办自结) or ``merge``
    into an open appeal of the same community, whose supporters then count
    this one and its own supporters. Blowing a whistle and deliberation are
    not offered until those modules exist."""
    actor.require("appeal.triage")
    note = clean_text(note, field="note", label="分办说明", limit=NOTE_MAX, required=False)
    if decision == "deliberation":
        raise ValidationError(f"议事协商{NOT_YET_OFFERED}。", field="decision")
    if decision == WHISTLE_DECISION:
        # 吹哨: a whistle linked to this appeal; ``whistle`` holds its fields
        # (lead_department_id, urgency, cooperating_ids, title, description).
        from shequ.whistles.services import whistle_raise

        appeal = _in_scope(actor, appeal_id)
        fields = dict(whistle or {})
        fields.setdefault("title", appeal.description[:30])
        fields.setdefault("description", appeal.description)
        fields.setdefault("category", appeal.category)
        fields.setdefault("address", appeal.address)
        fields.setdefault("place", appeal.building or appeal.compound)
        whistle_raise(actor=actor, community=appeal.community, appeal_ids=[appeal.pk], **fields)
        return Appeal.objects.get(pk=appeal.pk)
    if decision not in TriageDecision.values:
        raise ValidationError("请选择分办方式：社区自办自结或合并为重复诉求。", field="decision")
    appeal = _in_scope(actor, appeal_id)
    if decision == TriageDecision.SELF:
        done = transition(
            workflow=APPEAL_FLOW, actor=actor, obj_or_pk=appeal.pk, action="triage", note=note
        )
        return cast(Appeal, done)
    try:
        original_id = int(duplicate_of_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError("请选择要合并到的原诉求。", field="duplicate_of_id") from None
    # Both rows locked, lower id first, so two merges never wait on each other.
    ids = sorted({appeal.pk, original_id})
    list(Appeal.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    merged = cast(
        Appeal,
        transition(
            workflow=APPEAL_FLOW,
            actor=actor,
            obj_or_pk=appeal.pk,
            action="merge",
            note=note,
            data={"duplicate_of_id": original_id},
        ),
    )
    added = 1 + merged.supporters
    Appeal.objects.filter(pk=original_id).update(supporters=F("supporters") + added)
    original = Appeal.objects.select_related("community").get(pk=original_id)
    _event(
        original,
        actor,
        action="absorb",
        label="合并重复诉求",
        from_state=original.status,
        note=note,
        data={"merged": merged.number, "supporters_added": added},
    )
    _audit(
        actor,
        "appeal.absorb",
        original,
        merged=merged.number,
        supporters=[original.supporters - added, original.supporters],
    )
    return merged


@transaction.atomic
def appeal_whistled(*, actor: Actor, appeal_id: int, whistle_number: str) -> Appeal:
    """The appeal is handed on by a whistle (called by ``whistle_raise``)."""
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal_id,
        action="whistle",
        note=f"吹哨 {whistle_number}",
        data={"whistle": whistle_number},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_whistle_close(
    *, actor: Actor, appeal_id: int, result: str, whistle_number: str
) -> Appeal:
    """Closed with the result of its whistle once the community evaluated it;
    the resident may then rate it (called by ``whistle_evaluate``)."""
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal_id,
        action="whistle_close",
        note=f"吹哨 {whistle_number} 已办结",
        data={"result": result, "whistle": whistle_number},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_close(*, actor: Actor, appeal_id: int, result: str) -> Appeal:
    """办结: the result text is required; the resident may then rate it and
    reopen it once."""
    actor.require("appeal.triage")
    appeal = _in_scope(actor, appeal_id)
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal.pk,
        action="close",
        note=str(result or "").strip()[:200],
        data={"result": result},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_rate(*, actor: Actor, appeal_id: int, rating: str, comment: str = "") -> Appeal:
    """The resident who raised it rates the result once (满意 / 基本满意 / 不满意)."""
    actor.require("appeal.self")
    comment = clean_text(comment, field="comment", label="评价意见", limit=NOTE_MAX, required=False)
    appeal = _in_scope(actor, appeal_id)
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal.pk,
        action="rate",
        note=comment,
        data={"rating": rating},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_reopen(*, actor: Actor, appeal_id: int, reason: str) -> Appeal:
    """The resident reopens their closed appeal, once, within
    ``APPEAL_REOPEN_DAYS`` calendar days of its closing."""
    actor.require("appeal.self")
    appeal = _in_scope(actor, appeal_id)
    done = transition(
        workflow=APPEAL_FLOW,
        actor=actor,
        obj_or_pk=appeal.pk,
        action="reopen",
        note=str(reason or "").strip()[:NOTE_MAX],
        data={"reason": reason},
    )
    return cast(Appeal, done)


@transaction.atomic
def appeal_support(*, actor: Actor, appeal_id: int) -> Appeal:
    """我也遇到: a resident of the community adds themself to an open appeal
    raised by someone else, once."""
    actor.require("appeal.self")
    user = actor.require_user()
    own = Resident.objects.filter(user=user).first()
    if own is None:
        raise PermissionDenied("您的账号尚未关联居民登记信息，请联系社区工作人员。")
    appeal = (
        Appeal.objects.select_for_update()
        .select_related("community")
        .filter(pk=appeal_id, community_id=own.community_id)
        .first()
    )
    if appeal is None:
        raise NotFound("诉求不存在，或不在您所在的社区。")
    if appeal.status not in OPEN_STATES:
        raise Conflict(f"该诉求{AppealState(appeal.status).label}，不能再点“我也遇到”。")
    if is_own(actor, appeal):
        raise Conflict("这是您本人提出的诉求。")
    if AppealSupporter.objects.filter(appeal=appeal, user=user).exists():
        raise Conflict("您已经点过“我也遇到”了。")
    AppealSupporter.objects.create(
        appeal=appeal,
        district_id=appeal.district_id,
        community_id=appeal.community_id,
        resident=own,
        user=user,
        phone_tail=own.phone_tail,
        at=timezone.now(),
    )
    Appeal.objects.filter(pk=appeal.pk).update(supporters=F("supporters") + 1)
    appeal.refresh_from_db(fields=["supporters"])
    _event(appeal, actor, action="support", label="我也遇到", from_state=appeal.status)
    _audit(actor, "appeal.support", appeal, supporters=appeal.supporters)
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
    note = clean_text(note, field="note", label="移交原因", limit=NOTE_MAX)
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
    _event(
        appeal,
        actor,
        action="hand_over",
        label="移交首接负责",
        from_state=appeal.status,
        note=note,
        data={"from": str(owner) if owner else "", "to": str(target)},
    )
    _audit(
        actor,
        "appeal.hand_over",
        appeal,
        message=note,
        owner=[owner.pk if owner else None, target.pk],
    )
    return appeal


__all__ = [
    "APPEAL_FLOW",
    "NOT_YET_OFFERED",
    "TRIAGE_DAYS",
    "WHISTLE_DECISION",
    "appeal_close",
    "appeal_create",
    "appeal_hand_over",
    "appeal_rate",
    "appeal_receive",
    "appeal_reopen",
    "appeal_support",
    "appeal_triage",
    "appeal_whistle_close",
    "appeal_whistled",
    "clean_coordinates",
    "clean_text",
    "is_own",
]
