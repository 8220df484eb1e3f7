"""楼长制 writes: seat a building head or unit head for a term (and, when the
resident has an account, give it the building-head role there), end the
term (and take the role back), and log a building head's household visit
(走访), which may raise an appeal on the resident's behalf in the same step.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shequ.appeals.models import Appeal, AppealChannel
from shequ.appeals.services.create import appeal_create
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Grant, Region, RegionLevel
from shequ.core.permissions import Role
from shequ.core.pii import decrypt, mask_name
from shequ.core.scope import Actor
from shequ.core.services.accounts import grant_delegate, grant_undelegate
from shequ.core.services.notifications import Subject, notify
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.party.models import BuildingHead, HeadKind, HouseholdVisit, MemberStatus, PartyMember
from shequ.party.scope import households_q
from shequ.residents.models import Household, Resident

# A visit logged later than this is a record nobody can vouch for any more;
# the quarter's coverage needs at most the last few months.
VISIT_BACKDATE_DAYS = 366
RAISED_MAX = 500
FOLLOW_UP_MAX = 300


def _date(value: dt.date | None, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError(f"请填写{label}。", field=field)
    return value


def _building_in_scope(actor: Actor, building_id: int) -> Region:
    building = Region.objects.filter(pk=building_id, district_id=actor.district_id).first()
    if building is None:
        raise NotFound("楼栋不存在。", field="building")
    if not actor.covers(building):
        raise PermissionDenied(
            f"{building.name}不在您的管辖范围内，只能为本社区的楼栋选配楼栋长。", field="building"
        )
    if building.level != RegionLevel.BUILDING:
        raise ValidationError("请选择楼栋。", field="building")
    return building


def _unit_of(building: Region, kind: str, unit_id: int | None) -> Region | None:
    if kind == HeadKind.BUILDING:
        if unit_id is not None:
            raise ValidationError(
                "楼长管整栋楼，不选单元；选配单元长请把类别改为单元长。", field="unit"
            )
        return None
    if unit_id is None:
        raise ValidationError("请选择单元。", field="unit")
    unit = Region.objects.filter(
        pk=unit_id, level=RegionLevel.UNIT, building_id=building.pk
    ).first()
    if unit is None:
        raise ValidationError(f"该单元不在{building.name}。", field="unit")
    return unit


def _sitting_conflict(building: Region, unit: Region | None) -> Conflict | None:
    if unit is None:
        taken = BuildingHead.objects.filter(
            building=building, kind=HeadKind.BUILDING, ended_on__isnull=True
        ).exists()
        where = f"{building.name}已有在任楼长"
    else:
        taken = BuildingHead.objects.filter(
            unit=unit, kind=HeadKind.UNIT, ended_on__isnull=True
        ).exists()
        where = f"{building.name}{unit.name}已有在任单元长"
    return Conflict(f"{where}，请先办理离任。", field="resident") if taken else None


def _delegate(actor: Actor, resident: Resident, region: Region) -> Grant | None:
    """The building-head role for the resident's account on ``region``; none
    for a resident without an (active) account, and none when the account
    already holds it from the security administrator (that grant is not this
    term's to take back)."""
    user = resident.user
    if user is None or not user.is_active:
        return None
    if Grant.objects.filter(user=user, role=Role.BUILDING_HEAD, region=region).exists():
        return None
    return grant_delegate(
        actor=actor, user=user, role=Role.BUILDING_HEAD, region=region, permission="party.heads"
    )


def building_head_assign(
    *,
    actor: Actor,
    building_id: int,
    resident_id: int,
    kind: str,
    unit_id: int | None = None,
    term_start: dt.date | None,
    term_end: dt.date | None = None,
) -> BuildingHead:
    """选配楼长/单元长: a resident of the building (a party member preferably:
    the list shows who is not one) for a term; one sitting head per building
    and per unit. The resident's account gets the building-head role on the
    building (a unit head: on the unit) with the same write."""
    actor.require("party.heads")
    if kind not in HeadKind.values:
        raise ValidationError("请选择楼长或单元长。", field="kind")
    term_start = _date(term_start, field="term_start", label="任期开始日期")
    if term_start > local_today():
        # The role is granted at once: a term that has not begun cannot hold it.
        raise ValidationError("任期开始日期不能晚于今天。", field="term_start")
    if term_end is not None and term_end < term_start:
        raise ValidationError("任期届满日期不能早于开始日期。", field="term_end")
    if not building_id:
        raise ValidationError("请选择楼栋。", field="building")
    if not resident_id:
        raise ValidationError("请选择担任楼栋长的居民。", field="resident")
    with transaction.atomic():
        building = _building_in_scope(actor, building_id)
        unit = _unit_of(building, kind, unit_id)
        resident = (
            Resident.objects.select_related("household", "user")
            .filter(pk=resident_id, household__building_id=building.pk)
            .first()
        )
        if resident is None:
            raise ValidationError(
                f"楼栋长须是本楼栋的居民：所选居民不住在{building.name}。", field="resident"
            )
        conflict = _sitting_conflict(building, unit)
        if conflict is not None:
            raise conflict
        where = unit or building
        grant = _delegate(actor, resident, where)
        head = BuildingHead(
            district_id=cast(int, building.district_id),
            community_id=cast(int, building.community_id),
            building=building, unit=unit, kind=kind, resident=resident, term_start=term_start,
            term_end=term_end, grant=grant, created_at=timezone.now(), created_by=actor.user,
        )  # fmt: skip
        try:
            with transaction.atomic():
                head.save()
        except IntegrityError:
            raise (
                _sitting_conflict(building, unit) or Conflict("该楼栋已有在任楼栋长。")
            ) from None
        member = PartyMember.objects.filter(resident=resident, status=MemberStatus.ACTIVE).exists()
        label = HeadKind(kind).label
        record(
            actor=actor, action="building_head.assign", obj=head, region=where,
            changes={"kind": kind, "building": building.name,
                     "unit": unit.name if unit else None, "resident": mask_name(resident.name),
                     "party_member": member, "term_start": term_start.isoformat(),
                     "term_end": term_end.isoformat() if term_end else None,
                     "grant": grant.pk if grant else None},
            event=Event("assign", f"选配{label}", from_state="", to_state=""),
        )  # fmt: skip
        if grant is not None:
            notify(
                actor=actor, recipients=[grant.user_id],
                subject=Subject(url=reverse("party:visits"), district_id=head.district_id,
                                community_id=head.community_id,
                                object_label=BuildingHead._meta.label_lower, object_id=head.pk,
                                region_id=where.pk),
                kind="party.head_assigned",
                title=f"您已任{building.name}{unit.name if unit else ''}{label}",
                body="切换到“楼栋长”身份后，可在“入户走访”登记走访、代居民提出诉求。",
            )  # fmt: skip
    return head


def building_head_end(*, actor: Actor, head_id: int, ended_on: dt.date | None) -> BuildingHead:
    """楼栋长离任: the term ends and the role this term gave is taken back."""
    actor.require("party.heads")
    ended_on = _date(ended_on, field="ended_on", label="离任日期")
    if ended_on > local_today():
        raise ValidationError("离任日期不能晚于今天。", field="ended_on")
    with transaction.atomic():
        head = (
            # ``of``: the unit is an outer join, which PostgreSQL will not lock.
            BuildingHead.objects.select_for_update(of=("self",))
            .select_related("building", "unit", "resident")
            .filter(pk=head_id, district_id=actor.district_id)
            .first()
        )
        if head is None or not actor.covers(head.building):
            raise NotFound("楼栋长记录不存在。")
        if head.ended_on is not None:
            raise Conflict("已办理离任。")
        if ended_on < head.term_start:
            raise ValidationError("离任日期不能早于任期开始日期。", field="ended_on")
        revoked = head.grant_id
        if revoked is not None:
            grant = Grant.objects.filter(pk=revoked).first()
            if grant is not None:
                grant_undelegate(actor=actor, grant=grant, permission="party.heads")
        head.ended_on = ended_on
        head.grant = None
        head.save(update_fields=["ended_on", "grant"])
        record(
            actor=actor, action="building_head.end", obj=head, region=head.unit or head.building,
            changes={"ended_on": ended_on.isoformat(), "resident": mask_name(head.resident.name),
                     "grant_revoked": revoked},
            event=Event("end", f"{head.get_kind_display()}离任", from_state="", to_state=""),
        )  # fmt: skip
    return head


def _visited_on(day: dt.date | None) -> dt.date:
    day = _date(day, field="visited_on", label="走访日期")
    today = local_today()
    if day > today:
        raise ValidationError("走访日期不能晚于今天。", field="visited_on")
    earliest = today - dt.timedelta(days=VISIT_BACKDATE_DAYS)
    if day < earliest:
        raise ValidationError(
            f"走访日期不能早于{earliest.year}年{earliest.month}月{earliest.day}日（只能补录一年内的走访）。",
            field="visited_on",
        )
    return day


def _appeal_resident(household: Household, resident_id: int | None) -> tuple[Resident, str]:
    """The member of the household the appeal is raised for, and the phone
    the community answers on (kept encrypted on the appeal)."""
    resident = (
        Resident.objects.filter(pk=resident_id, household=household).first()
        if resident_id is not None
        else None
    )
    if resident is None:
        raise ValidationError("请选择提出诉求的居民（本户成员）。", field="resident")
    if not resident.phone_enc:
        raise ValidationError(
            "这位居民未登记手机号，社区无法答复；请先在居民档案中登记电话。", field="resident"
        )
    return resident, decrypt(resident.phone_enc)


def household_visit_log(
    *,
    actor: Actor,
    household_id: int,
    visited_on: dt.date | None,
    raised: str = "",
    follow_up: str = "",
    raise_appeal: bool = False,
    appeal_kind: str | None = None,
    appeal_category: str | None = None,
    resident_id: int | None = None,
) -> HouseholdVisit:
    """登记入户走访 of a household of the head's building; with
    ``raise_appeal`` what was raised becomes the resident's appeal (楼栋长代报)
    in the same transaction, and a refused appeal refuses the visit."""
    actor.require("party.visit")
    household = (
        Household.objects.filter(households_q(actor), pk=household_id)
        .select_related("community", "building", "unit")
        .first()
    )
    if household is None:
        raise NotFound("住户不存在或不在您负责的楼栋。", field="household")
    visited_on = _visited_on(visited_on)
    raised = clean_text(raised, field="raised", label="反映的情况", max_length=RAISED_MAX,
                        required=bool(raise_appeal), markup="tags",
                        missing="代居民提出诉求，请写明居民反映的情况。")  # fmt: skip
    follow_up = clean_text(follow_up, field="follow_up", label="跟进", max_length=FOLLOW_UP_MAX,
                           required=False, markup="tags")  # fmt: skip
    with transaction.atomic():
        appeal: Appeal | None = None
        if raise_appeal:
            resident, phone = _appeal_resident(household, resident_id)
            appeal = appeal_create(
                actor=actor, community=household.community, kind=appeal_kind or "",
                category=appeal_category or "", description=raised,
                channel=AppealChannel.BUILDING_HEAD, place=household.unit,
                contact_name=resident.name, contact_phone=phone, resident=resident,
            )  # fmt: skip
        visit = HouseholdVisit.objects.create(
            district_id=household.district_id, community_id=household.community_id,
            building_id=household.building_id, unit_id=household.unit_id, household=household,
            visited_on=visited_on, raised=raised, follow_up=follow_up, appeal=appeal,
            visitor=actor.user, created_at=timezone.now(),
        )  # fmt: skip
        record(
            actor=actor, action="household_visit.log", obj=visit, region=household.unit,
            changes={"household": f"{household.building.name}{household.unit.name}"
                                  f"{household.room}室",
                     "visited_on": visited_on.isoformat(), "raised": bool(raised),
                     "appeal": appeal.number if appeal else None},
            event=Event("log", "入户走访" + ("并代报诉求" if appeal else ""), from_state="",
                        to_state=""),
        )  # fmt: skip
    return visit
