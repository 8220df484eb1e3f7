"""党员 writes: enrol a resident of the register as a member, change the
facts that are not a transfer, confirm a probationary member (转正), and the
tick job that reminds the organisation before a probation ends.

A member's organisation changes only through a transfer (组织关系接转,
``services.transfers``); this module enrols people whose membership the
district's organisations already hold.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, ValidationError
from shequ.core.history import Event, record
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, staff_covering
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.party.models import (
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrg,
    Relation,
    Standing,
)
from shequ.party.scope import members_q, require_org_region
from shequ.party.services.common import home_compound_id, placement, rules_for
from shequ.residents.models import Resident
from shequ.whistles.models import Unit

# Organisations that hold members directly (a street committee's own
# members are cadres registered where they live).
MEMBER_ORG_KINDS = (
    OrgKind.COMMUNITY_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
    OrgKind.GROUP,
)
ADULT_AGE = 18  # 党章第一条: 年满十八岁


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def clean_standing(
    *,
    standing: str,
    probation_ends_on: dt.date | None,
    joined_on: dt.date | None,
    birth_date: dt.date,
) -> tuple[str, dt.date | None, dt.date]:
    """正式/预备 with its probation end and the joining date, checked
    together (the transfers module checks an arriving member the same way)."""
    if standing not in Standing.values:
        raise ValidationError("请选择党员类别（正式党员或预备党员）。", field="standing")
    if not isinstance(joined_on, dt.date):
        raise ValidationError("请填写入党日期。", field="joined_on")
    if joined_on > local_today():
        raise ValidationError("入党日期不能晚于今天。", field="joined_on")
    if joined_on < _years_later(birth_date, ADULT_AGE):
        raise ValidationError("入党日期早于本人年满十八岁，请核对。", field="joined_on")
    if standing == Standing.PROBATIONARY:
        if not isinstance(probation_ends_on, dt.date):
            raise ValidationError("预备党员须填写预备期满日期。", field="probation_ends_on")
        if probation_ends_on <= joined_on:
            raise ValidationError("预备期满日期须晚于入党日期。", field="probation_ends_on")
        # 党章第七条: 预备期为一年; it may be extended, by at most one more year.
        if probation_ends_on > _years_later(joined_on, 2):
            raise ValidationError("预备期最长两年（含延长），请核对预备期满日期。",
                                  field="probation_ends_on")  # fmt: skip
        return standing, probation_ends_on, joined_on
    if probation_ends_on is not None:
        raise ValidationError("正式党员不填预备期满日期。", field="probation_ends_on")
    return standing, None, joined_on


def _employer(
    *,
    district_id: int,
    relation: str,
    employer_org_name: str,
    employer_unit_id: int | None,
    employer_name: str,
) -> tuple[str, Unit | None, str]:
    if relation not in Relation.values:
        raise ValidationError("请选择管理类型（自管、在职、流动或离退休）。", field="relation")
    org_name = clean_text(employer_org_name, field="employer_org_name", label="工作单位党组织",
                          max_length=80, required=False, single_line=True)  # fmt: skip
    name = clean_text(employer_name, field="employer_name", label="工作单位", max_length=80,
                      required=False, single_line=True)  # fmt: skip
    unit = None
    if employer_unit_id is not None:
        unit = Unit.objects.filter(pk=employer_unit_id, district_id=district_id).first()
        if unit is None:
            raise NotFound("该驻区单位不存在。", field="employer_unit")
    if relation != Relation.IN_SERVICE:
        if org_name or name or unit:
            raise ValidationError("只有在职党员填写工作单位。", field="employer_name")
        return "", None, ""
    if unit is None and not name:
        raise ValidationError("在职党员须填写工作单位（驻区单位可直接选择）。",
                              field="employer_name")  # fmt: skip
    if not org_name:
        raise ValidationError("在职党员须填写工作单位党组织。", field="employer_org_name")
    return org_name, unit, name or (unit.name if unit else "")


def member_create(
    *,
    actor: Actor,
    resident_id: int,
    org_id: int,
    standing: str,
    relation: str,
    joined_on: dt.date | None,
    probation_ends_on: dt.date | None = None,
    employer_org_name: str = "",
    employer_unit_id: int | None = None,
    employer_name: str = "",
) -> PartyMember:
    """登记党员: a resident of the district's register whose membership one of
    the community's organisations holds (or, 在职, who reports in here)."""
    actor.require("party.member_manage")
    district_id = actor.require_district_id()
    resident = (
        Resident.objects.select_related("household__unit")
        .filter(pk=resident_id, district_id=district_id)
        .first()
    )
    if resident is None:
        raise NotFound("本区居民档案中没有这位居民，请先在居民档案中登记。", field="resident")
    org = (
        PartyOrg.objects.select_related("region").filter(pk=org_id, district_id=district_id).first()
    )
    if org is None or not org.active:
        raise NotFound("党组织不存在或已撤销。", field="org")
    require_org_region(actor, org.region)
    if org.kind not in MEMBER_ORG_KINDS:
        raise ValidationError("党员应编入社区党委（党总支）、小区党支部或党小组。", field="org")
    if org.community_id != resident.community_id:
        raise ValidationError("党员应编入本人居住社区的党组织。", field="org")
    standing, probation_ends_on, joined_on = clean_standing(
        standing=standing, probation_ends_on=probation_ends_on, joined_on=joined_on,
        birth_date=resident.birth_date,
    )  # fmt: skip
    org_name, unit, name = _employer(
        district_id=district_id, relation=relation, employer_org_name=employer_org_name,
        employer_unit_id=employer_unit_id, employer_name=employer_name,
    )  # fmt: skip
    now = timezone.now()
    with transaction.atomic():
        existing = PartyMember.objects.select_for_update().filter(resident=resident).first()
        if existing is not None:
            if existing.status == MemberStatus.ACTIVE:
                raise Conflict("这位居民已登记为党员。", field="resident")
            raise Conflict("这位居民的组织关系已转出，回到本区请办理组织关系转入。",
                           field="resident")  # fmt: skip
        member = PartyMember(
            district_id=district_id, resident=resident, standing=standing,
            probation_ends_on=probation_ends_on, relation=relation, joined_on=joined_on,
            employer_org_name=org_name, employer_unit=unit, employer_name=name,
            compound_id=home_compound_id(resident), created_at=now, created_by=actor.user,
            updated_at=now, **placement(org),
        )  # fmt: skip
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            raise Conflict("这位居民已登记为党员。", field="resident") from None
        record(
            actor=actor, action="party_member.create", obj=member, region=org.region,
            changes={"resident": mask_name(resident.name), "org": org.name, "standing": standing,
                     "relation": relation, "joined_on": joined_on.isoformat()},
            event=Event("create", f"登记党员（{member.get_standing_display()}）",
                        from_state="", to_state=""),
            state_field="standing",
        )  # fmt: skip
    return member


def _member_for_update(actor: Actor, member_id: int) -> PartyMember:
    member = (
        PartyMember.objects.select_for_update(of=("self",))
        .select_related("resident", "org__region")
        .filter(members_q(actor), pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound("党员不存在或不在您的管辖范围内。")
    require_org_region(actor, member.org.region)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("该党员的组织关系已转出。")
    return member


def member_update(
    *,
    actor: Actor,
    member_id: int,
    relation: str,
    employer_org_name: str = "",
    employer_unit_id: int | None = None,
    employer_name: str = "",
) -> PartyMember:
    """修改党员信息: the management type and the employer (不改所在党组织:
    that is a transfer)."""
    actor.require("party.member_manage")
    with transaction.atomic():
        member = _member_for_update(actor, member_id)
        org_name, unit, name = _employer(
            district_id=member.district_id, relation=relation,
            employer_org_name=employer_org_name, employer_unit_id=employer_unit_id,
            employer_name=employer_name,
        )  # fmt: skip
        fields = {
            "relation": relation,
            "employer_org_name": org_name,
            "employer_unit_id": unit.pk if unit else None,
            "employer_name": name,
        }
        changes = {
            key: [getattr(member, key), value]
            for key, value in fields.items()
            if getattr(member, key) != value
        }
        if not changes:
            return member
        for key, value in fields.items():
            setattr(member, key, value)
        member.updated_at = timezone.now()
        member.save(update_fields=[*fields, "updated_at"])
        record(
            actor=actor, action="party_member.update", obj=member, region=member.org.region,
            changes=changes, event=Event("update", "修改党员信息"), state_field="standing",
        )  # fmt: skip
    return member


def member_confirm(*, actor: Actor, member_id: int, confirmed_on: dt.date | None) -> PartyMember:
    """预备党员转正, on or after the end of the probation."""
    actor.require("party.member_manage")
    if not isinstance(confirmed_on, dt.date):
        raise ValidationError("请填写转正日期。", field="confirmed_on")
    if confirmed_on > local_today():
        raise ValidationError("转正日期不能晚于今天。", field="confirmed_on")
    with transaction.atomic():
        member = _member_for_update(actor, member_id)
        if member.standing != Standing.PROBATIONARY:
            raise Conflict("该党员已是正式党员。")
        ends = member.probation_ends_on or confirmed_on  # never None: a check constraint
        if confirmed_on < ends:
            raise ValidationError(
                f"预备期到{ends:%Y年%m月%d日}期满，期满后方可转正。",
                field="confirmed_on",
            )
        member.standing = Standing.FULL
        member.updated_at = timezone.now()
        member.save(update_fields=["standing", "updated_at"])
        record(
            actor=actor, action="party_member.confirm", obj=member, region=member.org.region,
            changes={"standing": [Standing.PROBATIONARY, Standing.FULL],
                     "confirmed_on": confirmed_on.isoformat()},
            event=Event("confirm", "预备党员转正", from_state=Standing.PROBATIONARY),
            state_field="standing",
        )  # fmt: skip
    return member


def members_remind_probation(actor: Actor | None = None) -> int:
    """``shequ tick``: tell the organisation's party roles, once per
    probation, that a probationary member's probation ends within the
    district's notice period. Returns how many members were reminded."""
    actor = actor or Actor.for_command("shequ tick")
    today = local_today()
    due = list(
        PartyMember.objects.select_related("org__region", "resident")
        .filter(status=MemberStatus.ACTIVE, standing=Standing.PROBATIONARY,
                probation_reminded_on__isnull=True,
                probation_ends_on__lte=today + dt.timedelta(days=180))
        .order_by("probation_ends_on", "pk")[:500]
    )  # fmt: skip
    reminded = 0
    notice = {d: rules_for(d).probation_notice_days for d in {m.district_id for m in due}}
    for member in due:
        ends = member.probation_ends_on or today  # never None: a check constraint
        if ends - today > dt.timedelta(days=notice[member.district_id]):
            continue
        with transaction.atomic():
            claimed = PartyMember.objects.filter(
                pk=member.pk, probation_reminded_on__isnull=True
            ).update(probation_reminded_on=today)
            if not claimed:
                continue
            subject = Subject(
                url=reverse("party:member", args=[member.pk]), district_id=member.district_id,
                community_id=member.community_id, object_label=member._meta.label_lower,
                object_id=member.pk, region_id=member.org_region_id,
            )  # fmt: skip
            name = mask_name(member.resident.name)
            notify(
                actor=actor, recipients=staff_covering(subject=subject, permission="party.member_manage"),
                subject=subject, kind="party.probation",
                title=f"预备党员{name}将于{ends:%Y-%m-%d}预备期满",
                body=f"{member.org.name}：请按期讨论其转正问题。",
            )  # fmt: skip
            record(
                actor=actor, action="party_member.probation_remind", obj=member,
                region=member.org.region,
                changes={"probation_ends_on": ends.isoformat()},
                event=Event("probation_remind", "提醒预备期将满"), state_field="standing",
            )  # fmt: skip
            reminded += 1
    return reminded
