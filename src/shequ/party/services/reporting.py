"""双报到 writes: a stationed unit reports in to a community (报到单), its
in-service members report in where they live, the community posts needs
that members claim, the service given is logged (服务登记), and each
quarter a feedback letter goes to the unit's party organisation.

A service logged for a member whose unit has an active pairing agreement
with the community is also written, in the same transaction, as that
agreement's 在职党员双报到 action (through the pairing module's
``dual_registration_log``), so the pairing figures keep counting 双报到.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Region, User
from shequ.core.numbering import receipt_next
from shequ.core.pii import mask_name, mask_phone
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, staff_covering
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.core.workflow import Transition, Workflow, by_region, transition
from shequ.party.feedback import letter_pdf
from shequ.party.models import (
    FeedbackLetter,
    MemberReportIn,
    MemberStatus,
    Need,
    NeedClaim,
    NeedState,
    PartyMember,
    Relation,
    ServiceLog,
    UnitReportIn,
)
from shequ.party.selectors.reporting import (
    COMMUNITY_NOT_FOUND,
    acting_community,
    as_id,
    clean_quarter,
    letter_data,
    quarter_started,
)
from shequ.whistles.checks import clean_phone, phone_columns
from shequ.whistles.models import AgreementState, PairingAgreement, Unit
from shequ.whistles.pairing.services import dual_registration_log
from shequ.whistles.scope import liaison_bodies

MAX_WANTED = 999
MAX_SERVICE_HOURS = Decimal(24)  # one service is at most a day's work


# -- shared checks ------------------------------------------------------------------------------


def _user(actor: Actor) -> User | None:
    return actor.user if actor.is_authenticated else None


def _tell_staff(actor: Actor, obj: Any, url: str, *, kind: str, title: str, body: str = "") -> None:
    """Tell the community's 双报到 staff, inside the write's transaction."""
    subject = Subject.of(obj, url)
    notify(actor=actor, recipients=staff_covering(subject=subject, permission="party.report_in"),
           subject=subject, kind=kind, title=title, body=body)  # fmt: skip


def _speaks_for(actor: Actor, unit_id: int) -> bool:
    return unit_id in liaison_bodies(actor).unit_ids


def _require_for_unit(actor: Actor, unit: Unit, community: Region | None) -> None:
    """A unit's liaison acts for its own unit; community staff for the units
    of the communities they cover."""
    if actor.can("party.unit_report"):
        if not _speaks_for(actor, unit.pk):
            raise PermissionDenied(f"您不是“{unit.name}”的联络员，只能办理本单位的报到。")
        return
    actor.require("party.report_in")
    if community is not None and not actor.covers(community):
        raise NotFound(COMMUNITY_NOT_FOUND, field="community")


def _date(value: Any, *, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError(f"请填写{label}。", field=field)
    return value


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError("服务时长应为数字（小时）。", field="hours") from None
    if not hours.is_finite() or not Decimal(0) < hours <= MAX_SERVICE_HOURS:
        raise ValidationError("服务时长应大于0小时、不超过24小时。", field="hours")
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError("服务时长最多保留一位小数。", field="hours")
    return hours


# -- 单位报到 -------------------------------------------------------------------------------------


@transaction.atomic
def unit_report_create(
    *,
    actor: Actor,
    unit_id: Any,
    community_id: Any = None,
    party_org_name: str,
    resources: str,
    contact_name: str,
    contact_phone: str = "",
) -> UnitReportIn:
    """报到单: a stationed unit's party organisation reports in to a community
    (by the unit's liaison, or by the community's staff on its behalf);
    once per unit and community while not withdrawn."""
    if not (actor.can("party.unit_report") or actor.can("party.report_in")):
        actor.require("party.report_in")
    liaison = actor.can("party.unit_report")
    community = acting_community(actor, community_id, any_in_district=liaison)
    uid = as_id(unit_id)
    unit = Unit.objects.filter(pk=uid, district_id=community.district_id).first() if uid else None
    if unit is None:
        raise NotFound("没有找到该驻区单位。", field="unit")
    _require_for_unit(actor, unit, community)
    if not unit.active:
        raise ValidationError(f"“{unit.name}”已停用，不能报到。", field="unit")
    org_name = clean_text(party_org_name, field="party_org_name", label="单位党组织名称",
                          max_length=80, single_line=True)  # fmt: skip
    offered = clean_text(resources, field="resources", label="可提供的资源", max_length=500)
    name = clean_text(contact_name, field="contact_name", label="联系人", max_length=40,
                      single_line=True)  # fmt: skip
    phone = clean_phone(contact_phone, field="contact_phone")
    taken = f"“{unit.name}”已到{community.name}报到，不能重复报到（撤回后可重新报到）。"
    if UnitReportIn.objects.filter(
        community=community, unit=unit, withdrawn_on__isnull=True
    ).exists():
        raise Conflict(taken, field="unit")
    try:
        with transaction.atomic():
            report = UnitReportIn.objects.create(
                district_id=actor.require_district_id(), community=community, unit=unit,
                party_org_name=org_name, resources=offered, contact_name=name,
                reported_on=local_today(), created_at=timezone.now(), created_by=_user(actor),
                **phone_columns(phone, prefix="contact_phone"),
            )  # fmt: skip
    except IntegrityError:  # a concurrent report of the same unit won
        raise Conflict(taken, field="unit") from None
    record(actor=actor, action="unit_report.create", obj=report, region=community,
           event=Event("create", "单位到社区报到"),
           changes={"unit": unit.name, "party_org_name": org_name, "resources": offered,
                    "contact_name": mask_name(name), "contact_phone": mask_phone(phone),
                    "on_behalf": not liaison})  # fmt: skip
    if liaison:  # the community learns of a report it did not register itself
        _tell_staff(actor, report, reverse("party:unit_report", args=[report.pk]),
                    kind="party.unit_report", title=f"“{unit.name}”到{community.name}报到",
                    body=f"{org_name}可提供：{offered}")  # fmt: skip
    return report


@transaction.atomic
def unit_report_withdraw(*, actor: Actor, report_id: Any) -> UnitReportIn:
    """撤回报到 (the unit's liaison or the community); the record stays."""
    rid = as_id(report_id)
    report = (
        UnitReportIn.objects.select_for_update(of=("self",))
        .select_related("unit", "community")
        .filter(pk=rid)
        .first()
        if rid
        else None
    )
    if report is None or report.district_id != actor.district_id:
        raise NotFound("没有找到该单位报到。")
    _require_for_unit(actor, report.unit, report.community)
    if report.withdrawn_on is not None:
        raise Conflict(f"该报到已于{report.withdrawn_on}撤回。")
    report.withdrawn_on = local_today()
    report.save(update_fields=["withdrawn_on"])
    record(actor=actor, action="unit_report.withdraw", obj=report, region=report.community,
           event=Event("withdraw", "撤回单位报到"),
           changes={"unit": report.unit.name, "withdrawn_on": report.withdrawn_on.isoformat()})  # fmt: skip
    return report


# -- 党员报到 -------------------------------------------------------------------------------------


@transaction.atomic
def member_report_create(
    *, actor: Actor, member_id: Any, skills: str, availability: str
) -> MemberReportIn:
    """在职党员到居住地社区报到, with what they can offer and when; by the
    member (本人) or by the community's staff. Linked to their unit's
    report-in when the unit has reported in to the same community."""
    own = actor.can("party.self")
    if not own:
        actor.require("party.report_in")
    mid = as_id(member_id)
    member = (
        PartyMember.objects.select_for_update(of=("self",))
        .select_related("resident__community", "employer_unit")
        .filter(pk=mid, district_id=actor.district_id)
        .first()
        if mid
        else None
    )
    user = _user(actor)
    if member is None:
        raise NotFound("没有找到该党员。", field="member")
    if own and (user is None or member.resident.user_id != user.pk):
        raise NotFound("没有找到该党员。", field="member")
    community = member.resident.community
    if not own and not actor.covers(community):
        raise NotFound("没有找到该党员。", field="member")
    if member.status != MemberStatus.ACTIVE:
        raise ValidationError("该党员的组织关系已转出，不能报到。", field="member")
    if member.relation != Relation.IN_SERVICE:
        raise ValidationError(
            f"只有在职党员到居住地社区报到；该党员是{Relation(member.relation).label}。",
            field="member",
        )
    offered = clean_text(skills, field="skills", label="特长", max_length=200)
    when = clean_text(availability, field="availability", label="可服务时间", max_length=100,
                      single_line=True)  # fmt: skip
    taken = f"该党员已到{community.name}报到，不能重复报到。"
    if MemberReportIn.objects.filter(member=member, withdrawn_on__isnull=True).exists():
        raise Conflict(taken, field="member")
    unit_report = None
    if member.employer_unit_id is not None:
        unit_report = UnitReportIn.objects.filter(
            community=community, unit_id=member.employer_unit_id, withdrawn_on__isnull=True
        ).first()
    try:
        with transaction.atomic():
            report = MemberReportIn.objects.create(
                district_id=member.district_id, community=community, member=member,
                unit_report=unit_report, skills=offered, availability=when,
                reported_on=local_today(), created_at=timezone.now(), created_by=user,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(taken, field="member") from None
    record(actor=actor, action="member_report.create", obj=report, region=community,
           event=Event("create", "在职党员到社区报到"),
           changes={"member": mask_name(member.resident.name), "skills": offered,
                    "availability": when, "unit_report": unit_report.pk if unit_report else None,
                    "on_behalf": not own})  # fmt: skip
    return report


# -- 需求清单 -------------------------------------------------------------------------------------


@transaction.atomic
def need_post(
    *,
    actor: Actor,
    community_id: Any = None,
    title: str,
    description: str = "",
    skills: str = "",
    wanted: Any,
    needed_by: Any,
) -> Need:
    """发布社区需求 on the community's needs list (需求清单)."""
    actor.require("party.report_in")
    community = acting_community(actor, community_id)
    title = clean_text(title, field="title", label="需求", max_length=60, single_line=True)
    description = clean_text(description, field="description", label="说明", max_length=500,
                             required=False)  # fmt: skip
    skills = clean_text(skills, field="skills", label="所需特长", max_length=100, required=False,
                        single_line=True)  # fmt: skip
    people = as_id(wanted)
    if people is None or people > MAX_WANTED:
        raise ValidationError(f"需要人数应为1到{MAX_WANTED}的整数。", field="wanted")
    due = _date(needed_by, field="needed_by", label="截止日期")
    if due < local_today():
        raise ValidationError("截止日期不能早于今天。", field="needed_by")
    need = Need.objects.create(
        district_id=actor.require_district_id(), community=community, title=title,
        description=description, skills=skills, wanted=people, needed_by=due,
        status=NeedState.OPEN, posted_at=timezone.now(), posted_by=_user(actor),
    )  # fmt: skip
    record(actor=actor, action="need.post", obj=need, region=community,
           event=Event("post", "发布社区需求", from_state=""),
           changes={"title": title, "wanted": people, "needed_by": due.isoformat()})  # fmt: skip
    return need


NEED_FLOW = Workflow(
    name="need",
    model=Need,
    transitions=[
        Transition(
            "close",
            sources=[NeedState.OPEN, NeedState.CLAIMED],
            target=NeedState.CLOSED,
            label="关闭需求",
            permission="party.report_in",
        ),
    ],
    scope=by_region("community"),
)


def need_close(*, actor: Actor, need_id: Any, note: str = "") -> Need:
    """关闭社区需求 (met, or no longer needed); claims stay on record."""
    nid = as_id(need_id)
    if nid is None:
        raise NotFound("没有找到该需求。")
    note = clean_text(note, field="note", label="说明", max_length=200, required=False)
    need = transition(workflow=NEED_FLOW, actor=actor, obj_or_pk=nid, action="close", note=note)
    assert isinstance(need, Need)  # noqa: S101 - the workflow's model
    return need


def _claimant(actor: Actor, need: Need, report_in_id: Any) -> MemberReportIn:
    """The report-in a claim is made with: the resident's own in the need's
    community, or the one staff name."""
    active = MemberReportIn.objects.select_related("member__resident").filter(
        community_id=need.community_id, withdrawn_on__isnull=True
    )
    if actor.can("party.self"):
        user = actor.require_user()
        found = active.filter(member__resident__user=user).first()
        if found is None:
            raise PermissionDenied("您还没有到该需求所在的社区报到，报到后才能认领社区需求。")
        return found
    actor.require("party.report_in")
    if not actor.covers(need.community):
        raise NotFound("没有找到该需求。")
    rid = as_id(report_in_id)
    found = active.filter(pk=rid).first() if rid else None
    if found is None:
        raise ValidationError("请选择已到本社区报到的党员。", field="report_in")
    return found


@transaction.atomic
def need_claim(*, actor: Actor, need_id: Any, report_in_id: Any = None) -> NeedClaim:
    """认领社区需求: a member who reported in to the need's community (or
    staff on their behalf); once each; when the claims reach the number
    wanted the need is 已认领."""
    if not (actor.can("party.self") or actor.can("party.report_in")):
        actor.require("party.self")
    nid = as_id(need_id)
    need = (
        Need.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk=nid, district_id=actor.district_id)
        .first()
        if nid
        else None
    )
    if need is None:
        raise NotFound("没有找到该需求。")
    report_in = _claimant(actor, need, report_in_id)
    if need.status == NeedState.CLOSED:
        raise Conflict("该需求已关闭，不能认领。")
    if need.status == NeedState.CLAIMED:
        raise Conflict("该需求认领人数已满。")
    if need.needed_by < local_today():
        raise Conflict("该需求已过截止日期，不能认领。")
    who = "您" if actor.can("party.self") else "该党员"
    if NeedClaim.objects.filter(need=need, report_in=report_in, withdrawn_at__isnull=True).exists():
        raise Conflict(f"{who}已认领过该需求。")
    try:
        with transaction.atomic():
            claim = NeedClaim.objects.create(
                district_id=need.district_id, community_id=need.community_id, need=need,
                report_in=report_in, claimed_at=timezone.now(),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(f"{who}已认领过该需求。") from None
    claims = NeedClaim.objects.filter(need=need, withdrawn_at__isnull=True).count()
    before = need.status
    if claims >= need.wanted:
        need.status = NeedState.CLAIMED
        need.save(update_fields=["status"])
    record(actor=actor, action="need.claim", obj=need, region=need.community,
           event=Event("claim", f"党员认领（{claims}/{need.wanted}）", from_state=before),
           changes={"member": mask_name(report_in.member.resident.name), "claims": claims,
                    "status": [before, need.status]})  # fmt: skip
    if actor.can("party.self"):  # the community arranges the service with the member
        _tell_staff(actor, need, reverse("party:need", args=[need.pk]), kind="party.need_claim",
                    title=f"党员认领社区需求“{need.title}”（{claims}/{need.wanted}人）")  # fmt: skip
    return claim


# -- 服务登记 -------------------------------------------------------------------------------------


def _pairing_agreement_id(*, community_id: int, unit_id: int | None, day: dt.date) -> int | None:
    """The unit's active pairing agreement with the community on ``day``."""
    if unit_id is None:
        return None
    found: int | None = (
        PairingAgreement.objects.filter(
            community_id=community_id,
            unit_id=unit_id,
            status=AgreementState.ACTIVE,
            starts_on__lte=day,
            ends_on__gte=day,
        )  # fmt: skip
        .order_by("-starts_on", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    return found


@transaction.atomic
def service_log_create(
    *,
    actor: Actor,
    report_in_id: Any,
    need_id: Any = None,
    day: Any,
    hours: Any,
    what: str,
) -> ServiceLog:
    """服务登记: the community logs a service a reported-in member gave; it
    also counts as a 双报到 action of the member's unit in pairing when the
    unit has an active agreement with the community."""
    actor.require("party.report_in")
    rid = as_id(report_in_id)
    report_in = (
        MemberReportIn.objects.select_related("community", "member__resident")
        .filter(pk=rid, district_id=actor.district_id)
        .first()
        if rid
        else None
    )
    if report_in is None or not actor.covers(report_in.community):
        raise NotFound("没有找到该党员报到。", field="report_in")
    if report_in.withdrawn_on is not None:
        raise ValidationError("该党员已撤回报到，不能登记服务。", field="report_in")
    need = None
    if need_id not in (None, ""):
        nid = as_id(need_id)
        need = (
            Need.objects.filter(pk=nid, community_id=report_in.community_id).first()
            if nid
            else None
        )
        if need is None:
            raise ValidationError("该需求不属于本社区。", field="need")
    served_on = _date(day, field="day", label="服务日期")
    if served_on > local_today():
        raise ValidationError("服务日期不能晚于今天。", field="day")
    if served_on < report_in.reported_on:
        raise ValidationError(
            f"服务日期不能早于该党员报到的日期（{report_in.reported_on}）。", field="day"
        )
    spent = _hours(hours)
    what = clean_text(what, field="what", label="服务内容", max_length=200, single_line=True)
    member = report_in.member
    agreement_id = _pairing_agreement_id(
        community_id=report_in.community_id, unit_id=member.employer_unit_id, day=served_on
    )
    action = None
    if agreement_id is not None:
        action = dual_registration_log(actor=actor, agreement_id=agreement_id,
                                       member_name=member.resident.name, what=what,
                                       date=served_on, hours=spent)  # fmt: skip
    log = ServiceLog.objects.create(
        district_id=report_in.district_id, community_id=report_in.community_id,
        report_in=report_in, need=need, unit_id=member.employer_unit_id, day=served_on,
        hours=spent, what=what, pairing_action=action, logged_at=timezone.now(),
        logged_by=_user(actor),
    )  # fmt: skip
    record(actor=actor, action="service_log.create", obj=log, region=report_in.community,
           event=Event("create", "登记报到服务"),
           changes={"member": mask_name(member.resident.name), "day": served_on.isoformat(),
                    "hours": str(spent), "what": what, "need": need.pk if need else None,
                    "pairing_action": action.pk if action else None})  # fmt: skip
    return log


# -- 季度反馈 -------------------------------------------------------------------------------------


@transaction.atomic
def feedback_send(
    *, actor: Actor, unit_id: Any, quarter: Any, community_id: Any = None
) -> FeedbackLetter:
    """报到反馈函: records that the quarter's letter to the unit's party
    organisation was sent, with its services count and hours; once per
    community, unit and quarter."""
    actor.require("party.report_in")
    community = acting_community(actor, community_id)
    quarter = clean_quarter(quarter)
    start, end = quarter_started(quarter)
    uid = as_id(unit_id)
    unit = Unit.objects.filter(pk=uid, district_id=community.district_id).first() if uid else None
    if unit is None:
        raise NotFound("没有找到该驻区单位。", field="unit")
    sent = f"{quarter}给“{unit.name}”的反馈函已发送过，每季度发送一次。"
    if FeedbackLetter.objects.filter(community=community, unit=unit, quarter=quarter).exists():
        raise Conflict(sent, field="quarter")
    totals = (
        ServiceLog.objects.filter(community=community, unit=unit, day__gte=start, day__lte=end)
        .order_by()
        .aggregate(n=Count("id"), hours=Sum("hours"))
    )
    if not totals["n"]:
        raise ValidationError(
            f"“{unit.name}”的党员{quarter}在本社区没有服务登记，无需发送反馈函。", field="quarter"
        )
    hours = Decimal(totals["hours"] or 0).quantize(Decimal("0.1"))
    try:
        with transaction.atomic():
            letter = FeedbackLetter.objects.create(
                district_id=actor.require_district_id(), community=community, unit=unit,
                quarter=quarter, number=receipt_next(community=community),
                services=totals["n"], hours=hours, sent_at=timezone.now(), sent_by=_user(actor),
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(sent, field="quarter") from None
    record(actor=actor, action="feedback.send", obj=letter, region=community,
           event=Event("send", f"发送{quarter}报到反馈函"),
           changes={"unit": unit.name, "quarter": quarter, "services": letter.services,
                    "hours": str(hours), "number": letter.number})  # fmt: skip
    return letter


def feedback_print(*, actor: Actor, unit_id: Any, quarter: Any, community_id: Any = None) -> bytes:
    """The letter as a PDF. It names each member in full (the employer's
    organisation must know who served), so printing it is recorded as a
    view of personal data."""
    data = letter_data(actor=actor, unit_id=unit_id, quarter=quarter, community_id=community_id)
    pdf = letter_pdf(data)
    with transaction.atomic():
        record(actor=actor, action="feedback.print", obj=data.letter or data.unit,
               region=data.community,
               changes={"unit": data.unit.name, "quarter": data.quarter,
                        "members": len(data.members), "services": data.services,
                        "number": data.letter.number if data.letter else ""})  # fmt: skip
    return pdf
