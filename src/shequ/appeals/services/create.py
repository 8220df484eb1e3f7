"""Raising an appeal: by a resident, a worker or building head on a resident's
behalf, or an external channel (Open311, hotline)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from shequ.appeals import notify
from shequ.appeals.models import (
    PHOTO_DIR,
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealKind,
    AppealPhoto,
    AppealState,
)
from shequ.appeals.services.inputs import (
    DESCRIPTION_MAX,
    ON_BEHALF_CHANNELS,
    TRIAGE_DAYS,
    _choice,
    _community,
    _contact,
    _place,
    clean_coordinates,
)
from shequ.appeals.services.records import appeal_record
from shequ.core import photos as photo_store
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.history import Event
from shequ.core.models import Region, User
from shequ.core.numbering import receipt_next
from shequ.core.pii import decrypt, encrypt, mask_name
from shequ.core.scope import Actor
from shequ.core.text import TOO_LONG_SHORT, clean_text
from shequ.core.words import keywords_of
from shequ.core.workdays import add_workdays
from shequ.residents.models import Resident
from shequ.residents.services import clean_phone


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
    text = clean_text(
        description,
        field="description",
        label="诉求内容",
        max_length=DESCRIPTION_MAX,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
    where = clean_text(
        address,
        field="address",
        label="地点说明",
        max_length=200,
        required=False,
        markup="tags",
        too_long=TOO_LONG_SHORT,
    )
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
                file=photo_store.store(p, subdir=PHOTO_DIR),
                content_type=p.content_type,
                size=len(p.content),
                sha256=p.sha256,
            )
            for p in checked
        ]
    )
    appeal_record(
        actor,
        "appeal.create",
        appeal,
        event=Event(
            "submit",
            f"提出诉求（{AppealChannel(channel).label}）",
            from_state="",
            data={"photos": len(checked), "owner": owner.pk if owner else None},
        ),
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
    notify.appeal_waiting(actor, appeal)
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
        name = clean_text(
            contact_name,
            field="contact_name",
            label="联系人",
            max_length=40,
            required=False,
            markup="tags",
            too_long=TOO_LONG_SHORT,
        )
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
