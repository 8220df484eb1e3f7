"""Intake: at a window (容缺受理, one-time notices), online by a resident, and
online through an API client (Open311).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.models import Region, RegionLevel, User
from shequ.core.numbering import receipt_next
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.selectors import community_in_scope, district_id_of
from shequ.core.workdays import add_workdays
from shequ.desk import notify
from shequ.desk.cases.services.inputs import (
    Applicant,
    _adopted_item,
    _require_qualified,
    applicant_columns,
    checklist,
    clean_form_data,
)
from shequ.desk.cases.services.records import _set_schedule, case_record, case_stats_bump
from shequ.desk.models import (
    Case,
    CaseState,
    Channel,
    Notice,
    ServiceItem,
    Visit,
    VisitPurpose,
    Window,
)
from shequ.residents.models import Resident

SUPPLEMENT_MAX_DAYS = 30  # 容缺: materials within at most this many working days


@dataclass
class IntakeResult:
    """Either a case was accepted, or a key material was missing and a
    one-time notice was issued instead."""

    case: Case | None = None
    notice: Notice | None = None
    missing: list[str] = field(default_factory=list)


def _open_notice(id_index: str, item: ServiceItem) -> Notice | None:
    return (
        Notice.objects.select_for_update()
        .filter(id_number_index=id_index, item=item, case__isnull=True, reissued_as__isnull=True)
        .order_by("-issued_at")
        .first()
    )


@transaction.atomic
def case_intake(
    *,
    actor: Actor,
    community: Region,
    item: ServiceItem,
    applicant: Applicant,
    provided: Iterable[str],
    channel: str = Channel.WINDOW,
    window: Window | None = None,
    supplement_by: dt.date | None = None,
    form_data: dict[str, Any] | None = None,
    note: str = "",
) -> IntakeResult:
    """窗口受理: check the materials and accept, accept with missing non-key
    materials (容缺, with a date to supply them), or issue the one-time notice
    when a key material is missing (no case).

    An applicant who comes back under an open notice for the same item is not
    checked again for what the notice did not list: the notice was the one
    time they were told, so only its missing materials are asked for.
    """
    actor.require("case.accept")
    community = community_in_scope(actor=actor, community=community)
    if channel not in (Channel.WINDOW, Channel.PHONE, Channel.PROXY):
        raise ValidationError("受理渠道只能是窗口、电话或上门代办。", field="channel")
    if channel == Channel.WINDOW and window is None:
        raise ValidationError("窗口受理请选择窗口。", field="window")
    if window is not None and (window.community_id != community.pk or not window.active):
        raise ValidationError("所选窗口不属于本社区或已停用。", field="window")
    version = _adopted_item(community, item)
    if channel == Channel.PROXY and not version.proxy_allowed:
        raise ValidationError(f"“{item.name}”不提供上门代办。", field="channel")
    _require_qualified(actor, item, community, adoption_checked=True)
    columns = applicant_columns(applicant)
    materials = checklist(version, provided)
    form = clean_form_data(version, form_data)
    note = (note or "").strip()[:2000]
    now = timezone.now()
    day = timezone.localdate(now)
    user = actor.require_user()

    notice = _open_notice(columns["id_number_index"], item)
    if notice is not None:
        listed = {m["name"] for m in notice.missing_materials}
        for m in materials:
            if m["name"] not in listed:
                m["provided"] = True
    missing_key = [m["name"] for m in materials if m["key"] and not m["provided"]]
    missing_other = [m["name"] for m in materials if not m["key"] and not m["provided"]]

    if missing_key:
        if notice is not None:
            raise ValidationError(
                f"一次性告知单 {notice.number} 已告知缺少：{'、'.join(missing_key)}。"
                "关键材料仍未补齐，不能受理，也不再重复出具告知单。",
                field="materials",
            )
        notice = Notice.objects.create(
            district_id=district_id_of(community),
            community=community,
            number=receipt_next(community=community, day=day),
            item=item,
            version=version,
            window=window,
            materials=materials,
            issued_at=now,
            issued_by=user,
            **columns,
        )
        if channel == Channel.WINDOW:
            Visit.objects.create(
                district_id=district_id_of(community),
                community=community,
                notice=notice,
                window=window,
                worker=user,
                at=now,
                purpose=VisitPurpose.NOTICE,
            )
        record(
            actor=actor,
            action="notice.issue",
            obj=notice,
            region=community,
            changes={
                "number": notice.number,
                "item": item.code,
                "applicant": mask_name(columns["applicant_name"]),
                "missing": [m["name"] for m in notice.missing_materials],
            },
        )
        return IntakeResult(notice=notice, missing=[m["name"] for m in notice.missing_materials])

    if missing_other:
        if supplement_by is None:
            raise ValidationError(
                f"容缺受理须约定补齐日期（缺少：{'、'.join(missing_other)}）。",
                field="supplement_by",
            )
        if supplement_by < day:
            raise ValidationError("补齐日期不能早于今天。", field="supplement_by")
        if supplement_by > add_workdays(day, SUPPLEMENT_MAX_DAYS).date:
            raise ValidationError(
                f"补齐日期不能晚于{SUPPLEMENT_MAX_DAYS}个工作日之后。", field="supplement_by"
            )
    else:
        supplement_by = None

    resident = (
        Resident.objects.current()  # not a resident who moved away (迁出)
        .filter(community=community, id_number_index=columns["id_number_index"])
        .first()
    )
    case = Case(
        district_id=district_id_of(community),
        community=community,
        receipt_no=receipt_next(community=community, day=day),
        item=item,
        version=version,
        channel=channel,
        window=window,
        status=CaseState.ACCEPTED,
        resident=resident,
        materials=materials,
        supplement_by=supplement_by,
        materials_complete=not missing_other,
        form_data=form,
        note=note,
        submitted_at=now,
        accepted_at=now,
        accepted_by=user,
        created_by=user,
        **columns,
    )
    _set_schedule(case, day)
    visits = 0
    if notice is not None:
        visits += notice.visits.count()
    if channel == Channel.WINDOW:
        visits += 1
    case.visit_count = visits
    case.save()
    if notice is not None:
        notice.case = case
        notice.save(update_fields=["case"])
        Visit.objects.filter(notice=notice).update(case=case)
    if channel == Channel.WINDOW:
        Visit.objects.create(
            district_id=district_id_of(community),
            community=community,
            case=case,
            notice=notice,
            window=window,
            worker=user,
            at=now,
            purpose=VisitPurpose.INTAKE,
            reason=f"补齐一次性告知单 {notice.number} 所列材料" if notice is not None else "",
        )
    label = "容缺受理" if missing_other else "受理"
    case_record(
        actor,
        "case.accept",
        case,
        event=Event(
            "accept",
            label,
            from_state="",
            note=note,
            data={
                "missing": missing_other,
                "supplement_by": supplement_by,
                "notice": notice.number,
            }
            if notice is not None
            else {"missing": missing_other, "supplement_by": supplement_by},
        ),
        channel=channel,
        missing=missing_other,
        due_date=case.due_date,
    )
    case_stats_bump(case, accepted=1)
    return IntakeResult(case=case, missing=missing_other)


def _submit_online(
    *,
    community: Region,
    item: ServiceItem,
    applicant: Applicant,
    provided: Iterable[str],
    form_data: dict[str, Any] | None,
    note: str = "",
    resident: Resident | None = None,
    created_by: User | None = None,
) -> Case:
    """The submitted (待受理) case of an online application, checked against
    the item version: both online channels (a resident, an API client)."""
    version = _adopted_item(community, item)
    if not version.online_allowed:
        raise ValidationError(f"“{item.name}”不能网上申请，请到社区窗口办理。", field="item")
    columns = applicant_columns(applicant)
    materials = checklist(version, provided)
    form = clean_form_data(version, form_data)
    now = timezone.now()
    return Case.objects.create(
        district_id=district_id_of(community),
        community=community,
        receipt_no=receipt_next(community=community, day=timezone.localdate(now)),
        item=item,
        version=version,
        channel=Channel.ONLINE,
        status=CaseState.SUBMITTED,
        resident=resident,
        materials=materials,
        materials_complete=all(m["provided"] for m in materials),
        form_data=form,
        note=(note or "").strip()[:2000],
        submitted_at=now,
        created_by=created_by,
        **columns,
    )


@transaction.atomic
def case_apply_online(
    *,
    actor: Actor,
    community: Region,
    item: ServiceItem,
    phone: str,
    provided: Iterable[str],
    form_data: dict[str, Any] | None = None,
    note: str = "",
) -> Case:
    """网上申请: a resident applies for an online-eligible item of their own
    community; a worker then accepts it (or not) and the clock starts then."""
    actor.require("case.apply")
    user = actor.require_user()
    resident = Resident.objects.filter(user=user).first()
    if resident is None:
        raise PermissionDenied("您的账号尚未关联居民登记信息，请到社区窗口办理。")
    if community.pk != resident.community_id:
        raise PermissionDenied("只能向本人所在社区申请。")
    from shequ.core.pii import decrypt

    case = _submit_online(
        community=community,
        item=item,
        applicant=Applicant(
            name=resident.name,
            id_number=decrypt(resident.id_number_enc),
            phone=phone or (decrypt(resident.phone_enc) if resident.phone_enc else ""),
        ),
        provided=provided,
        form_data=form_data,
        note=note,
        resident=resident,
        created_by=user,
    )
    case_record(
        actor,
        "case.apply",
        case,
        event=Event("apply", "网上申请", from_state="", note=case.note),
        channel=Channel.ONLINE,
    )
    notify.case_submitted(actor, case)
    return case


@transaction.atomic
def case_receive_online(
    *,
    source: str,
    community: Region,
    item: ServiceItem,
    applicant_name: str,
    id_number: str,
    phone: str,
    provided: Iterable[str],
    form_data: dict[str, Any] | None = None,
) -> Case:
    """An online application from an external channel with no user (an
    Open311 client): like ``case_apply_online`` it waits, submitted, for a
    worker to accept it; audited as the command ``source``."""
    source = str(source or "").strip()
    if not source:
        raise ValidationError("缺少申请来源。", field="source")
    actor = Actor.for_command(source[:64])
    if community.level != RegionLevel.COMMUNITY:
        raise ValidationError("请选择社区。", field="community")
    case = _submit_online(
        community=community,
        item=item,
        applicant=Applicant(name=applicant_name, id_number=id_number, phone=phone),
        provided=provided,
        form_data=form_data,
    )
    case_record(
        actor,
        "case.apply",
        case,
        event=Event("apply", f"网上申请（{source[:40]}）", from_state=""),
        channel=Channel.ONLINE,
        source=source[:64],
    )
    notify.case_submitted(actor, case)
    return case


# -- the workflow ------------------------------------------------------------------------


# -- 重新告知 ---------------------------------------------------------------------------------


@transaction.atomic
def notice_reissue(*, actor: Actor, notice_id: int) -> Notice:
    """The item's materials list changed while a one-time notice was open:
    issue a new notice under the current version (what the applicant had
    already brought still counts, by name) and text the applicant. The old
    notice is kept, pointing to the new one; the applicant's next visit is
    checked against the new list only."""
    actor.require("case.accept")
    old = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("item__current_version", "community", "window")
        .filter(actor.scope_q(community="community"), pk=notice_id)
        .first()
    )
    if old is None:
        raise NotFound("告知单不存在，或不在您的管辖范围内。")
    if old.case_id is not None:
        raise Conflict("申请人已补齐材料并受理，无需重新告知。")
    if old.reissued_as_id is not None:
        raise Conflict("该告知单已重新出具，请查看新的告知单。")
    current = old.item.current_version
    if current is None or current.pk == old.version_id:
        raise Conflict("事项材料清单没有变化，无需重新告知。")
    user = actor.require_user()
    had = {m["name"] for m in old.materials if m.get("provided")}
    materials = checklist(current, [m["name"] for m in current.materials if m["name"] in had])
    now = timezone.now()
    new = Notice.objects.create(
        district_id=old.district_id,
        community=old.community,
        number=receipt_next(community=old.community, day=timezone.localdate(now)),
        item=old.item,
        version=current,
        window=old.window,
        applicant_name=old.applicant_name,
        id_number_enc=old.id_number_enc,
        id_number_index=old.id_number_index,
        id_number_tail=old.id_number_tail,
        phone_enc=old.phone_enc,
        phone_head=old.phone_head,
        phone_tail=old.phone_tail,
        materials=materials,
        issued_at=now,
        issued_by=user,
    )
    old.reissued_as = new
    old.save(update_fields=["reissued_as"])
    missing = [m["name"] for m in materials if not m["provided"]]
    record(
        actor=actor,
        action="notice.reissue",
        obj=new,
        region=old.community,
        changes={"number": new.number, "replaces": old.number, "version": current.number,
                 "missing": missing},
    )  # fmt: skip
    notify.notice_reissued_sms(new)
    return new
