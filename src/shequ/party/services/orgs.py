"""党组织 writes: found and dissolve an organisation on the region tree, seat
and unseat its committee, record the bodies it works with, and the
district's thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Region, RegionLevel
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.party.models import (
    KINDS_BY_LEVEL,
    BodyKind,
    LinkedBody,
    MemberStatus,
    OrgKind,
    OrgRole,
    OrgRoleKind,
    PartyMember,
    PartyOrg,
    PartyRules,
    Station,
)
from shequ.party.scope import require_org_region
from shequ.party.services.common import rules_for
from shequ.residents.services import clean_phone
from shequ.whistles.checks import phone_columns

# The levels above a region, nearest first: where an organisation's parent sits.
_ANCESTORS = ("building_id", "compound_id", "community_id", "street_id")


def _region(region_id: int) -> Region:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise NotFound("区划不存在。")
    return region


def _org_for_update(actor: Actor, org_id: int) -> PartyOrg:
    org = PartyOrg.objects.select_for_update().select_related("region").filter(pk=org_id).first()
    if org is None or org.district_id != actor.district_id:
        raise NotFound("党组织不存在。")
    require_org_region(actor, org.region)
    return org


def _past_or_today(day: dt.date | None, *, field: str, label: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError(f"请填写{label}。", field=field)
    if day > local_today():
        raise ValidationError(f"{label}不能晚于今天。", field=field)
    return day


def parent_org(region: Region) -> PartyOrg | None:
    """The standing organisation on the nearest ancestor region."""
    ancestors = [getattr(region, name) for name in _ANCESTORS if getattr(region, name) != region.pk]
    ids = [i for i in ancestors if i]
    found = {o.region_id: o for o in PartyOrg.objects.filter(region_id__in=ids, active=True)}
    return next((found[i] for i in ids if i in found), None)


def org_create(
    *, actor: Actor, region_id: int, kind: str, name: str, founded_on: dt.date | None
) -> PartyOrg:
    """成立党组织 on ``region``; its parent is the organisation of the nearest
    level above (a branch needs its community's committee first)."""
    actor.require("party.org")
    region = _region(region_id)
    if region.district_id != actor.district_id:
        raise NotFound("区划不存在。")
    require_org_region(actor, region)
    allowed = KINDS_BY_LEVEL.get(RegionLevel(region.level))
    if allowed is None:
        raise ValidationError("党组织只能设在街道、社区、小区或楼栋。", field="region")
    if kind not in allowed:
        labels = "、".join(OrgKind(k).label for k in allowed)
        raise ValidationError(f"{region.get_level_display()}一级只能设{labels}。", field="kind")
    name = clean_text(name, field="name", label="名称", max_length=80, single_line=True)
    founded_on = _past_or_today(founded_on, field="founded_on", label="成立日期")
    with transaction.atomic():
        parent = parent_org(region)
        if parent is None and kind in (OrgKind.BRANCH, OrgKind.GROUP):
            raise ValidationError(
                "请先成立上级党组织（小区党支部隶属社区党委或党总支，党小组隶属党支部）。",
                field="region",
            )
        existing = PartyOrg.objects.filter(region=region, active=True).first()
        if existing is not None:
            raise Conflict(f"{region.name}已有党组织“{existing.name}”。", field="region")
        org = PartyOrg(
            district_id=region.district_id or region.pk, community_id=region.community_id,
            compound_id=region.compound_id, region=region, parent=parent, kind=kind, name=name,
            founded_on=founded_on, created_at=timezone.now(), created_by=actor.user,
        )  # fmt: skip
        try:
            with transaction.atomic():
                org.save()
        except IntegrityError:
            raise Conflict(f"{region.name}已有党组织。", field="region") from None
        record(
            actor=actor, action="party_org.create", obj=org, region=region,
            changes={"kind": kind, "name": name, "region": region.code,
                     "parent": parent.pk if parent else None},
            event=Event("create", f"成立{org.get_kind_display()}", from_state="", to_state=""),
        )  # fmt: skip
    return org


def org_dissolve(
    *, actor: Actor, org_id: int, dissolved_on: dt.date | None, reason: str
) -> PartyOrg:
    """撤销党组织: only one with no members, no standing sub-organisation and
    no running station (move them first, so nobody is left without one)."""
    actor.require("party.org")
    reason = clean_text(reason, field="reason", label="撤销原因", max_length=200)
    dissolved_on = _past_or_today(dissolved_on, field="dissolved_on", label="撤销日期")
    with transaction.atomic():
        org = _org_for_update(actor, org_id)
        if not org.active:
            raise Conflict("该党组织已撤销。")
        if PartyMember.objects.filter(org=org, status=MemberStatus.ACTIVE).exists():
            raise Conflict("该党组织还有党员，请先办理组织关系转移。")
        if PartyOrg.objects.filter(parent=org, active=True).exists():
            raise Conflict("该党组织还有下级党组织，请先撤销或调整。")
        if Station.objects.filter(branch=org, active=True).exists():
            raise Conflict("该党组织还有运行中的红旗驿站。")
        if dissolved_on < org.founded_on:
            raise ValidationError("撤销日期不能早于成立日期。", field="dissolved_on")
        org.active = False
        org.dissolved_on = dissolved_on
        org.save(update_fields=["active", "dissolved_on"])
        OrgRole.objects.filter(org=org, ended_on__isnull=True).update(ended_on=dissolved_on)
        record(
            actor=actor, action="party_org.dissolve", obj=org, region=org.region,
            changes={"dissolved_on": dissolved_on.isoformat()}, message=reason,
            event=Event("dissolve", "撤销党组织", note=reason),
        )  # fmt: skip
    return org


def _member_under(org: PartyOrg, member: PartyMember) -> bool:
    """Whether the member belongs to ``org`` or an organisation below it."""
    anc = org.region.ancestor_field
    if anc is None:
        return member.org_region_id == org.region_id
    return getattr(member.org_region, f"{anc}_id") == org.region_id


def role_add(
    *,
    actor: Actor,
    org_id: int,
    member_id: int,
    role: str,
    term_start: dt.date | None,
    term_end: dt.date | None = None,
) -> OrgRole:
    """任命班子成员: a member of the organisation (or of one below it) takes a
    seat for a term; an organisation has one sitting secretary."""
    actor.require("party.org")
    if role not in OrgRoleKind.values:
        raise ValidationError("请选择职务。", field="role")
    if not isinstance(term_start, dt.date):
        raise ValidationError("请填写任期开始日期。", field="term_start")
    if term_end is not None and term_end < term_start:
        raise ValidationError("任期届满日期不能早于开始日期。", field="term_end")
    with transaction.atomic():
        org = _org_for_update(actor, org_id)
        if not org.active:
            raise Conflict("该党组织已撤销。")
        if (role == OrgRoleKind.GROUP_LEADER) != (org.kind == OrgKind.GROUP):
            raise ValidationError(
                "党小组只设党小组长；党委、党总支和党支部不设党小组长。", field="role"
            )
        member = (
            PartyMember.objects.select_related("org_region", "resident")
            .filter(pk=member_id, district_id=org.district_id, status=MemberStatus.ACTIVE)
            .first()
        )
        if member is None or not _member_under(org, member):
            raise NotFound("该党员不在本党组织（或其下级党组织）的名册中。")
        sitting = OrgRole.objects.filter(org=org, ended_on__isnull=True)
        if role == OrgRoleKind.SECRETARY and sitting.filter(role=role).exists():
            raise Conflict("该党组织已有在任书记，请先办理离任。", field="role")
        if sitting.filter(role=role, member=member).exists():
            raise Conflict("该党员已担任这一职务。", field="role")
        seat = OrgRole(
            district_id=org.district_id, community_id=org.community_id, org=org, member=member,
            role=role, term_start=term_start, term_end=term_end, created_at=timezone.now(),
            created_by=actor.user,
        )  # fmt: skip
        try:
            with transaction.atomic():
                seat.save()
        except IntegrityError:
            raise Conflict("该党组织已有在任书记，请先办理离任。", field="role") from None
        record(
            actor=actor, action="party_role.add", obj=seat, region=org.region,
            changes={"role": role, "member": mask_name(member.resident.name),
                     "term_start": term_start.isoformat(),
                     "term_end": term_end.isoformat() if term_end else None},
            event=Event("role_add", f"任命{seat.get_role_display()}", from_state="", to_state=""),
            timeline=org,
        )  # fmt: skip
    return seat


def role_end(*, actor: Actor, role_id: int, ended_on: dt.date | None) -> OrgRole:
    """班子成员离任."""
    actor.require("party.org")
    ended_on = _past_or_today(ended_on, field="ended_on", label="离任日期")
    with transaction.atomic():
        seat = (
            OrgRole.objects.select_for_update()
            .select_related("org__region", "member__resident")
            .filter(pk=role_id, district_id=actor.district_id)
            .first()
        )
        if seat is None:
            raise NotFound("该职务记录不存在。")
        require_org_region(actor, seat.org.region)
        if seat.ended_on is not None:
            raise Conflict("已办理离任。")
        if ended_on < seat.term_start:
            raise ValidationError("离任日期不能早于任期开始日期。", field="ended_on")
        seat.ended_on = ended_on
        seat.save(update_fields=["ended_on"])
        record(
            actor=actor, action="party_role.end", obj=seat, region=seat.org.region,
            changes={"ended_on": ended_on.isoformat(),
                     "member": mask_name(seat.member.resident.name)},
            event=Event("role_end", f"{seat.get_role_display()}离任", from_state="", to_state=""),
            timeline=seat.org,
        )  # fmt: skip
    return seat


def body_add(
    *,
    actor: Actor,
    org_id: int,
    kind: str,
    name: str,
    contact_name: str = "",
    contact_phone: str = "",
) -> LinkedBody:
    """登记共建组织: 物业, 业委会, a volunteer team or a social group of the
    organisation's area, with its contact (the phone stored encrypted)."""
    actor.require("party.org")
    if kind not in BodyKind.values:
        raise ValidationError("请选择组织类别。", field="kind")
    name = clean_text(name, field="name", label="名称", max_length=80, single_line=True)
    contact_name = clean_text(
        contact_name, field="contact_name", label="联系人", max_length=40, required=False,
        single_line=True,
    )  # fmt: skip
    try:
        phone = clean_phone(contact_phone)
    except ValidationError as error:
        raise ValidationError(error.message, field="contact_phone") from None
    with transaction.atomic():
        org = _org_for_update(actor, org_id)
        if not org.active:
            raise Conflict("该党组织已撤销。")
        body = LinkedBody.objects.create(
            district_id=org.district_id, community_id=org.community_id, org=org, kind=kind,
            name=name, contact_name=contact_name, created_at=timezone.now(),
            **phone_columns(phone, prefix="contact_phone"),
        )  # fmt: skip
        record(
            actor=actor, action="party_body.add", obj=body, region=org.region,
            changes={"kind": kind, "name": name, "contact_name": mask_name(contact_name),
                     "contact_phone": body.contact_phone_masked},
            event=Event("body_add", f"登记共建组织“{name}”", from_state="", to_state=""),
            timeline=org,
        )  # fmt: skip
    return body


RULE_FIELDS = (
    "branch_threshold",
    "open_ratio",
    "min_activities",
    "min_hosted",
    "probation_notice_days",
    "transfer_answer_days",
    "letter_valid_days",
)
_INT_LIMITS = {
    "branch_threshold": (3, 50, "建支部所需正式党员数"),
    "min_activities": (0, 60, "每月有居民参加的活动数"),
    "min_hosted": (0, 60, "每月议事或服务活动数"),
    "probation_notice_days": (1, 180, "预备期满提前提醒天数"),
    "transfer_answer_days": (1, 30, "接收方答复时限"),
    "letter_valid_days": (7, 180, "介绍信有效期"),
}


def _int_in(raw: Any, name: str) -> int:
    low, high, label = _INT_LIMITS[name]
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError(f"{label}须是 {low} 到 {high} 之间的整数。", field=name)
    return int(text)


def party_rules_set(*, actor: Actor, **values: Any) -> PartyRules:
    """设定党建规则 of the actor's district (党章第三十条: a branch needs at
    least three full members, so the threshold cannot go below 3)."""
    actor.require("party.rules")
    district_id = actor.require_district_id()
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(f"未知的规则项：{'、'.join(sorted(unknown))}。")
    cleaned: dict[str, Any] = {name: _int_in(values.get(name), name) for name in _INT_LIMITS}
    try:
        ratio = Decimal(str(values.get("open_ratio", "")).strip())
    except InvalidOperation:
        ratio = Decimal(-1)
    if (
        not ratio.is_finite()
        or not Decimal("0.1") <= ratio <= 1
        or ratio != ratio.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            "实际开放时长比例须在 0.10 到 1.00 之间，最多两位小数。", field="open_ratio"
        )
    cleaned["open_ratio"] = ratio
    with transaction.atomic():
        current = rules_for(district_id)
        before = {name: str(getattr(current, name)) for name in RULE_FIELDS}
        rules, _ = PartyRules.objects.select_for_update().get_or_create(district_id=district_id)
        for name, value in cleaned.items():
            setattr(rules, name, value)
        rules.updated_at = timezone.now()
        rules.updated_by = actor.user
        rules.save()
        record(
            actor=actor, action="party_rules.set", obj=rules,
            region=Region.objects.get(pk=district_id),
            changes={n: [before[n], str(cleaned[n])] for n in RULE_FIELDS if before[n] != str(cleaned[n])},
        )  # fmt: skip
    return rules
