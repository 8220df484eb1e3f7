"""协商目录: the district's items and their versions, local items of a
community, and a community adopting the district's items."""

from __future__ import annotations

from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.deliberation.models import (
    ConsultationAdoption,
    ConsultationItem,
    ConsultationItemVersion,
    MatterLevel,
    MeetingForm,
    Participant,
    VoteRule,
)
from shequ.deliberation.services.common import as_id


def _choices(values: Any, allowed: list[str], *, field: str, label: str) -> list[str]:
    chosen = [str(v) for v in (values or [])]
    bad = [v for v in chosen if v not in allowed]
    if bad or not chosen:
        raise ValidationError(f"请选择有效的{label}。", field=field)
    return sorted(set(chosen), key=allowed.index)


def version_fields(data: dict[str, Any]) -> dict[str, Any]:
    def line(key: str, label: str, n: int, required: bool = True) -> str:
        return clean_text(data.get(key), field=key, label=label, max_length=n, required=required,
                          single_line=True)  # fmt: skip

    rule = data.get("vote_rule")
    if rule not in VoteRule.values:
        raise ValidationError("请选择表决规则。", field="vote_rule")
    level = data.get("level")
    if level not in MatterLevel.values:
        raise ValidationError("请选择事项层级：社区、小区或楼栋。", field="level")
    return {
        "category": line("category", "门类", 30),
        "name": line("name", "协商事项", 100),
        "content": clean_text(
            data.get("content"),
            field="content",
            label="协商内容",
            max_length=2000,
            required=False,
            markup="tags",
        ),  # fmt: skip
        "forms": _choices(data.get("forms"), MeetingForm.values, field="forms", label="协商形式"),
        "participants": _choices(
            data.get("participants"), Participant.values, field="participants", label="参与主体"
        ),  # fmt: skip
        "vote_rule": rule,
        "level": level,
        "legal_basis": line("legal_basis", "依据", 200, required=False),
    }


@transaction.atomic
def consultation_item_create(*, actor: Actor, district: Region, code: str, community: Region | None = None,
                             **data: Any) -> ConsultationItem:  # fmt: skip
    """A district item (the district's civil-affairs office) or a community's
    local item (its staff), with its first version."""
    if community is None:
        actor.require("deliberation.catalog")
        actor.require_region(district)
    else:
        actor.require("deliberation.adopt")
        if community.level != RegionLevel.COMMUNITY or not actor.covers(community):
            raise PermissionDenied("该社区不在您的管辖范围内。")
        district = Region.objects.get(pk=cast(int, community.district_id))
    code = clean_text(code, field="code", label="条目编码", max_length=32, single_line=True)
    fields = version_fields(data)
    try:
        with transaction.atomic():
            item = ConsultationItem.objects.create(district=district, community=community, code=code,
                                                   category=fields["category"], name=fields["name"])  # fmt: skip
    except IntegrityError:
        raise Conflict(f"条目编码 {code} 已被使用。") from None
    version = ConsultationItemVersion.objects.create(item=item, district_id=item.district_id, number=1,
                                                     published_at=timezone.now(), created_by=actor.user,
                                                     **fields)  # fmt: skip
    item.current_version = version
    item.save(update_fields=["current_version"])
    record(actor=actor, action="consultation_item.create", obj=item, region=community or district,
           changes={"code": code, **fields})  # fmt: skip
    return item


@transaction.atomic
def consultation_item_revise(*, actor: Actor, item_id: Any, **data: Any) -> ConsultationItem:
    """A new version; topics raised earlier keep theirs."""
    item = ConsultationItem.objects.select_for_update().filter(pk=as_id(item_id)).first()
    if item is None:
        raise NotFound("协商条目不存在。")
    if item.community_id is None:
        actor.require("deliberation.catalog")
        actor.require_region(item.district)
    else:
        actor.require("deliberation.adopt")
        actor.require_region(cast(Region, item.community))
    fields = version_fields(data)
    number = item.versions.count() + 1
    version = ConsultationItemVersion.objects.create(item=item, district_id=item.district_id, number=number,
                                                     published_at=timezone.now(), created_by=actor.user,
                                                     **fields)  # fmt: skip
    item.current_version, item.category, item.name = version, fields["category"], fields["name"]
    item.save(update_fields=["current_version", "category", "name"])
    record(actor=actor, action="consultation_item.revise", obj=item, region=item.community or item.district,
           changes={"version": number, **fields})  # fmt: skip
    return item


@transaction.atomic
def catalog_adopt(*, actor: Actor, community: Region, item_ids: list[Any] | None = None) -> int:
    """采用: the community uses the district's items (all, or those named);
    returns how many it newly adopted."""
    actor.require("deliberation.adopt")
    if community.level != RegionLevel.COMMUNITY or not actor.covers(community):
        raise PermissionDenied("该社区不在您的管辖范围内。")
    items = ConsultationItem.objects.filter(district_id=community.district_id, community__isnull=True,
                                            retired_at__isnull=True)  # fmt: skip
    if item_ids is not None:
        items = items.filter(pk__in=[int(i) for i in item_ids if str(i).isdigit()])
    have = set(
        ConsultationAdoption.objects.filter(community=community).values_list("item_id", flat=True)
    )
    now = timezone.now()
    new = [ConsultationAdoption(district_id=cast(int, community.district_id), community=community, item=i, adopted_at=now)
           for i in items.order_by("pk") if i.pk not in have]  # fmt: skip
    ConsultationAdoption.objects.bulk_create(new)
    ConsultationAdoption.objects.filter(community=community, item__in=items, active=False).update(
        active=True
    )
    record(actor=actor, action="consultation.adopt", region=community,
           changes={"adopted": [a.item_id for a in new]})  # fmt: skip
    return len(new)
