"""Writes of cases (办件): intake at a window, online applications, the case
workflow (on the core engine), visits, 好差评 and rectification.

Every function is one transaction: the case row, its timeline event, its
audit record and its statistics row change together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shequ.core.audit import audit_log
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.idcard import parse_id_number
from shequ.core.models import AuditRecord, Region, RegionLevel, TimelineEvent
from shequ.core.numbering import receipt_next
from shequ.core.pii import blind_index, encrypt, mask_name
from shequ.core.scope import Actor
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Transition, Workflow, by_region, json_safe, transition
from shequ.residents.models import Resident
from shequ.residents.services import clean_phone
from shequ.services import deadlines
from shequ.services.models import (
    CLOCK_PAUSED,
    Case,
    CaseStat,
    CaseState,
    Category,
    Channel,
    CommunityItem,
    Notice,
    Outcome,
    Rating,
    Rectification,
    RectificationState,
    Review,
    ServiceItem,
    ServiceItemVersion,
    Visit,
    VisitPurpose,
    Window,
)
from shequ.services.selectors import can_accept
from shequ.services.services import _district_id
from shequ.services.stats import COUNTERS

RECTIFY_DAYS = 5  # working days the secretary has to rectify a bad review
SUPPLEMENT_MAX_DAYS = 30  # 容缺: materials within at most this many working days
LOOKUP_LOCK_MINUTES = 15
LOOKUP_MAX_FAILURES_PER_RECEIPT = 5
LOOKUP_MAX_FAILURES_PER_IP = 20


def today() -> dt.date:
    return timezone.localdate()


# -- applicant and input checks -----------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str


def applicant_columns(applicant: Applicant) -> dict[str, Any]:
    """Validated, encrypted columns of the applicant (Case and Notice share them)."""
    name = (applicant.name or "").strip()
    if not name:
        raise ValidationError("请填写申请人姓名。", field="applicant_name")
    if len(name) > 40:
        raise ValidationError("申请人姓名不能超过40个字。", field="applicant_name")
    id_number = parse_id_number(applicant.id_number)
    phone = clean_phone(applicant.phone)
    if not phone:
        raise ValidationError("请填写申请人手机号，用于查询办件和评价。", field="phone")
    return {
        "applicant_name": name,
        "id_number_enc": encrypt(id_number.value),
        "id_number_index": blind_index(id_number.value, purpose="id_number"),
        "id_number_tail": id_number.value[-4:],
        "phone_enc": encrypt(phone),
        "phone_head": phone[:3],
        "phone_tail": phone[-4:],
    }


def checklist(version: ServiceItemVersion, provided: Iterable[str]) -> list[dict]:
    """The version's materials with ``provided`` set from the ticked names.
    A name the version does not list means the form was tampered with."""
    names = [m["name"] for m in version.materials]
    ticked = {str(p) for p in provided}
    unknown = ticked - set(names)
    if unknown:
        raise ValidationError(
            "材料清单与事项不符（" + "、".join(sorted(unknown))[:60] + "），请刷新页面后重新勾选。",
            field="materials",
        )
    return [
        {
            "name": m["name"],
            "original_or_copy": m.get("original_or_copy", ""),
            "key": bool(m.get("key")),
            "provided": m["name"] in ticked,
        }
        for m in version.materials
    ]


def clean_form_data(version: ServiceItemVersion, data: Any) -> dict[str, Any]:
    """The item's extra fields as filled in: required ones present, numbers
    numbers, dates ISO dates, choices among the options; unknown keys refused."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("补充填报内容格式不正确。", field="form_data")
    fields = {f["name"]: f for f in version.form_fields}
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError(
            "填报项与事项不符：" + "、".join(sorted(map(str, unknown)))[:60], field="form_data"
        )
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, spec in fields.items():
        raw = data.get(name)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if spec.get("required"):
                problems.append(f"请填写“{name}”")
            continue
        kind = spec.get("type")
        if kind == "number":
            try:
                number = float(value)
            except ValueError:
                problems.append(f"“{name}”应为数字")
                continue
            out[name] = int(number) if number.is_integer() else number
        elif kind == "date":
            try:
                out[name] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                problems.append(f"“{name}”应为日期（如 2026-10-01）")
        elif kind == "choice":
            if value not in spec.get("options", []):
                problems.append(f"“{name}”只能选择：" + "、".join(spec.get("options", [])))
            else:
                out[name] = value
        else:
            if len(value) > 500:
                problems.append(f"“{name}”不能超过500字")
            else:
                out[name] = value
    if problems:
        raise ValidationError("；".join(problems) + "。", field="form_data", details=problems)
    return out


def _adopted_item(community: Region, item: ServiceItem) -> ServiceItemVersion:
    if item.district_id != community.district_id:
        raise ValidationError("该事项不在本区的事项清单中。", field="item")
    if item.retired_at is not None or item.current_version_id is None:
        raise ValidationError(f"“{item.name}”已停用，不能受理。", field="item")
    if not CommunityItem.objects.filter(community=community, item=item, active=True).exists():
        raise ValidationError(f"本社区未认领“{item.name}”，不能受理。", field="item")
    # The version rides along when the caller loaded it (select_related).
    cached = ServiceItem.current_version.is_cached(item)
    if cached and item.current_version is not None:
        return item.current_version
    return ServiceItemVersion.objects.get(pk=item.current_version_id)


def _require_qualified(
    actor: Actor, item: ServiceItem, community: Region, *, adoption_checked: bool = False
) -> None:
    user = actor.require_user()
    if not can_accept(user, item, community, check_adoption=not adoption_checked):
        raise PermissionDenied(
            f"您没有受理“{Category(item.category).label}”类事项的资格，请由持有该类资格的全科社工受理。"
        )


def _community_of(actor: Actor, community: Region) -> Region:
    if community.level != RegionLevel.COMMUNITY:
        raise ValidationError("请选择社区。", field="community")
    actor.require_region(community)
    return community


# -- timeline, audit, statistics ----------------------------------------------------------


def _event(
    case: Case,
    actor: Actor,
    *,
    action: str,
    label: str,
    from_state: str,
    note: str = "",
    data: dict | None = None,
) -> None:
    TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(Case),
        object_id=case.pk,
        at=timezone.now(),
        actor=actor.user if actor.is_authenticated else None,
        actor_role=actor.role or "",
        action=action,
        action_label=label,
        from_state=from_state,
        to_state=case.status,
        note=note,
        data=json_safe(data or {}),
    )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def case_stats_bump(case: Case, **deltas: int) -> None:
    """Add ``deltas`` to the statistics row of the case (keyed by the month
    it was accepted), inside the caller's transaction."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas or case.accepted_on is None:
        return
    community = case.community
    key = {
        "community_id": case.community_id,
        "month": _month(case.accepted_on),
        "item_id": case.item_id,
        "window_id_key": case.window_id or 0,
        "worker_id_key": case.accepted_by_id or 0,
    }
    if community.street_id is None:
        raise ValidationError(f"“{community.name}”缺少所属街道，请联系系统管理员。")
    # One upsert (PostgreSQL and SQLite both speak ON CONFLICT … DO UPDATE).
    row: dict[str, Any] = {
        "district_id": case.district_id,
        "street_id": community.street_id,
        **key,
    }
    counters = {name: max(deltas.get(name, 0), 0) for name in COUNTERS}
    table = CaseStat._meta.db_table
    columns = [*row, *counters]
    updates = ", ".join(f"{k} = {table}.{k} + %s" for k in deltas)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from model meta
            f"VALUES ({', '.join(['%s'] * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
            [*row.values(), *counters.values(), *deltas.values()],
        )


def _audit_case(actor: Actor, action: str, case: Case, **changes: Any) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=case,
        region=case.community,
        changes=json_safe(
            {
                "receipt_no": case.receipt_no,
                "item": case.item.code if case.item_id else "",
                "applicant": mask_name(case.applicant_name),
                **changes,
            }
        ),
    )


def _set_schedule(case: Case, accepted_on: dt.date) -> None:
    case.accepted_on = accepted_on
    case.promised_days = case.version.promised_days
    s = deadlines.schedule_for(accepted_on, case.promised_days)
    case.due_date, case.warn70_on, case.warn90_on = s.due_date, s.warn70_on, s.warn90_on
    case.due_uncertain = s.uncertain


# -- intake ------------------------------------------------------------------------------


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
        .filter(id_number_index=id_index, item=item, case__isnull=True)
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
    community = _community_of(actor, community)
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
            district_id=_district_id(community),
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
                district_id=_district_id(community),
                community=community,
                notice=notice,
                window=window,
                worker=user,
                at=now,
                purpose=VisitPurpose.NOTICE,
            )
        audit_log(
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

    resident = Resident.objects.filter(
        community=community, id_number_index=columns["id_number_index"]
    ).first()
    case = Case(
        district_id=_district_id(community),
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
            district_id=_district_id(community),
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
    _event(
        case,
        actor,
        action="accept",
        label=label,
        from_state="",
        note=note,
        data={"missing": missing_other, "supplement_by": supplement_by, "notice": notice.number}
        if notice is not None
        else {"missing": missing_other, "supplement_by": supplement_by},
    )
    _audit_case(
        actor,
        "case.accept",
        case,
        channel=channel,
        missing=missing_other,
        due_date=case.due_date,
    )
    case_stats_bump(case, accepted=1)
    return IntakeResult(case=case, missing=missing_other)


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
    version = _adopted_item(community, item)
    if not version.online_allowed:
        raise ValidationError(f"“{item.name}”不能网上申请，请到社区窗口办理。", field="item")
    from shequ.core.pii import decrypt

    columns = applicant_columns(
        Applicant(
            name=resident.name,
            id_number=decrypt(resident.id_number_enc),
            phone=phone or (decrypt(resident.phone_enc) if resident.phone_enc else ""),
        )
    )
    materials = checklist(version, provided)
    form = clean_form_data(version, form_data)
    now = timezone.now()
    case = Case.objects.create(
        district_id=_district_id(community),
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
        created_by=user,
        **columns,
    )
    _event(case, actor, action="apply", label="网上申请", from_state="", note=case.note)
    _audit_case(actor, "case.apply", case, channel=Channel.ONLINE)
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
    version = _adopted_item(community, item)
    if not version.online_allowed:
        raise ValidationError(f"“{item.name}”不能网上申请，请到社区窗口办理。", field="item")
    columns = applicant_columns(Applicant(name=applicant_name, id_number=id_number, phone=phone))
    materials = checklist(version, provided)
    form = clean_form_data(version, form_data)
    now = timezone.now()
    case = Case.objects.create(
        district_id=_district_id(community),
        community=community,
        receipt_no=receipt_next(community=community, day=timezone.localdate(now)),
        item=item,
        version=version,
        channel=Channel.ONLINE,
        status=CaseState.SUBMITTED,
        materials=materials,
        materials_complete=all(m["provided"] for m in materials),
        form_data=form,
        submitted_at=now,
        **columns,
    )
    _event(case, actor, action="apply", label=f"网上申请（{source[:40]}）", from_state="")
    _audit_case(actor, "case.apply", case, channel=Channel.ONLINE, source=source[:64])
    return case


# -- the workflow ------------------------------------------------------------------------


def _freeze_overdue(case: Case, day: dt.date) -> None:
    """The overdue flag as of this moment, stored with the transition."""
    if case.due_date is None:
        case.overdue = False
        return
    if case.status in CLOCK_PAUSED and case.paused_since is not None:
        case.overdue = case.paused_since > case.due_date
    else:
        case.overdue = day > case.due_date


def _text(data: dict, name: str, label: str, *, required: bool = True, limit: int = 500) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}。", field=name)
    if len(value) > limit:
        raise ValidationError(f"{label}不能超过{limit}字。", field=name)
    return value


def _g_qualified(case: Case, actor: Actor, **data: Any) -> None:
    _require_qualified(actor, case.item, case.community)


def _a_accept(case: Case, actor: Actor, **data: Any) -> list[str]:
    now = timezone.now()
    case.accepted_at = now
    case.accepted_by = actor.require_user()
    case.version = ServiceItemVersion.objects.get(pk=case.version_id)
    _set_schedule(case, timezone.localdate(now))
    _freeze_overdue(case, timezone.localdate(now))
    return [
        "accepted_at",
        "accepted_by",
        "accepted_on",
        "promised_days",
        "due_date",
        "warn70_on",
        "warn90_on",
        "due_uncertain",
        "overdue",
    ]


def _a_decline(case: Case, actor: Actor, **data: Any) -> list[str]:
    case.closed_reason = _text(data, "reason", "不予受理的原因")
    return ["closed_reason"]


def _a_running(case: Case, actor: Actor, **data: Any) -> list[str]:
    _freeze_overdue(case, today())
    return ["overdue"]


def _a_forward(case: Case, actor: Actor, **data: Any) -> list[str]:
    department = _text(data, "department", "转办部门", required=False, limit=100)
    case.department = department or case.version.department
    days = data.get("department_days")
    try:
        n = int(days) if days not in (None, "") else case.promised_days
    except (TypeError, ValueError):
        raise ValidationError("部门办理时限应为工作日天数。", field="department_days") from None
    if n < 0 or n > 365:
        raise ValidationError("部门办理时限应在0到365个工作日之间。", field="department_days")
    case.department_due = add_workdays(today(), n).date
    if case.due_date is not None and case.department_due > case.due_date:
        raise ValidationError(
            f"部门办理期限（{case.department_due:%Y-%m-%d}）不能晚于本件办结期限"
            f"（{case.due_date:%Y-%m-%d}）。",
            field="department_days",
        )
    _freeze_overdue(case, today())
    return ["department", "department_due", "overdue"]


def _a_pause(case: Case, actor: Actor, **data: Any) -> list[str]:
    _text(data, "reason", "原因")
    day = today()
    case.paused_since = day
    case.overdue = case.due_date is not None and day > case.due_date
    return ["paused_since", "overdue"]


def _a_restart(case: Case, actor: Actor, **data: Any) -> list[str]:
    day = today()
    since = case.paused_since or day
    days, uncertain = deadlines.paused_workdays(since, day)
    if case.due_date is not None and case.warn70_on is not None and case.warn90_on is not None:
        s = deadlines.shift(
            deadlines.Schedule(case.due_date, case.warn70_on, case.warn90_on, case.due_uncertain),
            paused_since=since,
            days=days,
        )
        case.due_date, case.warn70_on, case.warn90_on = s.due_date, s.warn70_on, s.warn90_on
        case.due_uncertain = s.uncertain or uncertain
    case.paused_days += days
    case.paused_since = None
    case.overdue = case.due_date is not None and day > case.due_date
    return [
        "paused_days",
        "paused_since",
        "due_date",
        "warn70_on",
        "warn90_on",
        "due_uncertain",
        "overdue",
    ]


def _a_supplied(case: Case, actor: Actor, **data: Any) -> list[str]:
    fields = _a_restart(case, actor, **data)
    supplied = {str(n) for n in data.get("supplied") or []}
    names = {m["name"] for m in case.materials}
    if supplied - names:
        raise ValidationError("补正材料与事项不符，请刷新页面后重新勾选。", field="supplied")
    case.materials = [
        m | {"provided": m["provided"] or m["name"] in supplied} for m in case.materials
    ]
    case.materials_complete = all(m["provided"] for m in case.materials)
    return [*fields, "materials", "materials_complete"]


def _g_outcome(case: Case, actor: Actor, **data: Any) -> None:
    outcome = data.get("outcome")
    if outcome not in Outcome.values:
        raise ValidationError("请选择办理结果（准予办理或不予办理）。", field="outcome")
    if outcome == Outcome.REFUSED:
        _text(data, "reason", "不予办理的理由", limit=1000)
    elif not case.materials_complete:
        missing = "、".join(m["name"] for m in case.missing_materials)
        raise ValidationError(
            f"容缺材料尚未补齐（{missing}），不能准予办理。请先登记补齐。", field="outcome"
        )


def _a_complete(case: Case, actor: Actor, **data: Any) -> list[str]:
    now = timezone.now()
    case.outcome = data["outcome"]
    case.outcome_reason = str(data.get("reason") or "").strip()[:1000]
    case.completed_at = now
    case.completed_on = timezone.localdate(now)
    case.completed_by = actor.require_user()
    case.overdue = case.due_date is not None and case.completed_on > case.due_date
    return ["outcome", "outcome_reason", "completed_at", "completed_on", "completed_by", "overdue"]


def _a_deliver(case: Case, actor: Actor, **data: Any) -> list[str]:
    method = data.get("method")
    if method not in DELIVERY_METHODS:
        raise ValidationError("请选择送达方式。", field="method")
    case.delivered_at = timezone.now()
    return ["delivered_at"]


def _a_withdraw(case: Case, actor: Actor, **data: Any) -> list[str]:
    case.closed_reason = _text(data, "reason", "撤回原因")
    _freeze_overdue(case, today())
    return ["closed_reason", "overdue"]


DELIVERY_METHODS = {
    "window": "窗口领取",
    "mail": "邮寄送达",
    "electronic": "电子送达",
    "home": "上门送达",
}

_ACTIVE = (CaseState.ACCEPTED, CaseState.IN_PROGRESS)

CASE_FLOW = Workflow(
    name="case",
    model=Case,
    scope=by_region("community"),
    transitions=[
        Transition(
            "accept",
            [CaseState.SUBMITTED],
            CaseState.ACCEPTED,
            "受理",
            "case.accept",
            guards=[_g_qualified],
            apply=_a_accept,
        ),
        Transition(
            "decline",
            [CaseState.SUBMITTED],
            CaseState.NOT_ACCEPTED,
            "不予受理",
            "case.accept",
            apply=_a_decline,
        ),
        Transition(
            "start",
            [CaseState.ACCEPTED],
            CaseState.IN_PROGRESS,
            "开始办理",
            "case.handle",
            apply=_a_running,
        ),
        Transition(
            "forward", _ACTIVE, CaseState.IN_PROGRESS, "转办部门", "case.handle", apply=_a_forward
        ),
        Transition(
            "request_supplement",
            _ACTIVE,
            CaseState.SUPPLEMENT,
            "要求补正",
            "case.handle",
            apply=_a_pause,
        ),
        Transition(
            "supply",
            [CaseState.SUPPLEMENT],
            CaseState.IN_PROGRESS,
            "补正完成",
            "case.handle",
            apply=_a_supplied,
        ),
        Transition("suspend", _ACTIVE, CaseState.SUSPENDED, "挂起", "case.handle", apply=_a_pause),
        Transition(
            "resume",
            [CaseState.SUSPENDED],
            CaseState.IN_PROGRESS,
            "恢复办理",
            "case.handle",
            apply=_a_restart,
        ),
        Transition(
            "complete",
            _ACTIVE,
            CaseState.COMPLETED,
            "办结",
            "case.handle",
            guards=[_g_outcome],
            apply=_a_complete,
        ),
        Transition(
            "deliver",
            [CaseState.COMPLETED],
            CaseState.DELIVERED,
            "送达",
            "case.handle",
            apply=_a_deliver,
        ),
        Transition(
            "withdraw",
            [CaseState.SUBMITTED, *_ACTIVE, *CLOCK_PAUSED],
            CaseState.WITHDRAWN,
            "申请人撤回",
            "case.handle",
            apply=_a_withdraw,
        ),
    ],
)


def _visit(case: Case, actor: Actor, *, purpose: str, reason: str, window: Window | None) -> None:
    """Record an in-person visit of the applicant to the case (not the first)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("再次到访须说明原因（最多跑一趟）。", field="visit_reason")
    if window is not None and window.community_id != case.community_id:
        raise ValidationError("所选窗口不属于本社区。", field="window")
    Visit.objects.create(
        district_id=case.district_id,
        community_id=case.community_id,
        case=case,
        window=window,
        worker=actor.user,
        at=timezone.now(),
        purpose=purpose,
        reason=reason[:200],
    )
    Case.objects.filter(pk=case.pk).update(visit_count=F("visit_count") + 1)
    case.visit_count += 1


@transaction.atomic
def case_act(
    *,
    actor: Actor,
    case_id: int,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    visit_reason: str = "",
    window: Window | None = None,
) -> Case:
    """Take one workflow action on a case; the pages and the API call this.

    ``data`` holds the action's fields (``reason``, ``outcome``, ``department``,
    ``department_days``, ``supplied``, ``method``). ``visit_reason`` records an
    in-person visit with the action (补交材料 at the window, 窗口领取).
    """
    data = dict(data or {})
    case = transition(
        workflow=CASE_FLOW, actor=actor, obj_or_pk=case_id, action=action, note=note, data=data
    )
    case = cast(Case, case)
    case = Case.objects.select_related("community", "item", "version").get(pk=case.pk)
    in_person = action == "supply" and data.get("in_person")
    if action == "deliver" and data.get("method") == "window":
        _visit(
            case,
            actor,
            purpose=VisitPurpose.PICKUP,
            reason=visit_reason or "窗口领取结果",
            window=window,
        )
    elif in_person:
        _visit(
            case,
            actor,
            purpose=VisitPurpose.SUPPLEMENT,
            reason=visit_reason or "到窗口补交材料",
            window=window,
        )
    if action == "accept":
        case_stats_bump(case, accepted=1)
    if action == "complete":
        case_stats_bump(
            case,
            completed=1,
            on_time=0 if case.overdue else 1,
            overdue=1 if case.overdue else 0,
            one_trip=1 if case.one_trip else 0,
        )
    if action == "deliver" and data.get("method") == "window" and case.visit_count == 2:
        # The pickup made this case a second trip: it no longer counts as one.
        case_stats_bump(case, one_trip=-1)
    return case


# -- 好差评 and rectification ------------------------------------------------------------------


def _lookup_failures(*, receipt_no: str, ip: str | None) -> tuple[int, int]:
    since = timezone.now() - dt.timedelta(minutes=LOOKUP_LOCK_MINUTES)
    failed = AuditRecord.objects.filter(action="case.lookup", success=False, at__gte=since)
    per_receipt = failed.filter(changes__receipt_no=receipt_no[:32]).count()
    per_ip = failed.filter(ip=ip).count() if ip else 0
    return per_receipt, per_ip


def case_lookup(*, receipt_no: str, phone_tail: str, ip: str | None) -> Case | Notice:
    """查询办件: a case (or a one-time notice) by its number and the last four
    digits of the applicant's phone, for anyone without an account. Failed
    attempts are audited and counted: past five for one number, or twenty
    from one address, within 15 minutes, lookups are refused (guessing)."""
    receipt_no = (receipt_no or "").strip()
    phone_tail = (phone_tail or "").strip()
    if not receipt_no.isdigit() or len(receipt_no) > 32:
        raise ValidationError("请输入受理编号（数字）。", field="receipt_no")
    if len(phone_tail) != 4 or not phone_tail.isdigit():
        raise ValidationError("请输入手机号后四位数字。", field="phone_tail")
    per_receipt, per_ip = _lookup_failures(receipt_no=receipt_no, ip=ip)
    if per_receipt >= LOOKUP_MAX_FAILURES_PER_RECEIPT or per_ip >= LOOKUP_MAX_FAILURES_PER_IP:
        raise TooManyAttempts(
            f"查询失败次数过多，请{LOOKUP_LOCK_MINUTES}分钟后再试，或到社区窗口查询。"
        )
    found: Case | Notice | None = (
        Case.objects.select_related("community", "item", "version", "window")
        .filter(receipt_no=receipt_no)
        .first()
    )
    if found is None:
        found = (
            Notice.objects.select_related("community", "item", "version")
            .filter(number=receipt_no)
            .first()
        )
    if found is None or not hmac.compare_digest(found.phone_tail, phone_tail):
        with transaction.atomic():
            audit_log(
                actor=Actor.anonymous(ip),
                action="case.lookup",
                success=False,
                changes={"receipt_no": receipt_no[:32]},
                message="受理编号或手机号后四位不符",
            )
        raise NotFound("受理编号或手机号后四位不正确，请核对后再试。")
    return found


class TooManyAttempts(PermissionDenied):
    status = 429


def _rectification_open(review: Review, actor: Actor) -> Rectification:
    due = add_workdays(timezone.localdate(review.at), RECTIFY_DAYS).date
    rect = Rectification.objects.create(
        district_id=review.district_id,
        community_id=review.community_id,
        review=review,
        case=review.case,
        status=RectificationState.OPEN,
        opened_at=review.at,
        due_date=due,
    )
    audit_log(
        actor=actor,
        action="rectification.open",
        obj=rect,
        region=review.case.community,
        changes={"receipt_no": review.case.receipt_no, "due_date": due.isoformat()},
    )
    return rect


def review_submit(
    *, receipt_no: str, phone_tail: str, rating: Any, comment: str = "", ip: str | None
) -> Review:
    """好差评: the applicant rates a completed case once. 不满意 and below
    opens a rectification task for the community with a working-day deadline."""
    # The lookup commits its own failure records (the guessing limit counts
    # them), so it runs before the review's transaction opens.
    found = case_lookup(receipt_no=receipt_no, phone_tail=phone_tail, ip=ip)
    with transaction.atomic():
        return _review_write(found, rating=rating, comment=comment, ip=ip)


def _review_write(found: Case | Notice, *, rating: Any, comment: str, ip: str | None) -> Review:
    if not isinstance(found, Case):
        raise ValidationError("一次性告知单不能评价；办件办结后可评价。", field="receipt_no")
    try:
        level = int(rating)
    except (TypeError, ValueError):
        level = 0
    if level not in Rating.values:
        raise ValidationError("请选择评价等级（非常满意至非常不满意）。", field="rating")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError("评价内容不能超过500字。", field="comment")
    if level <= Rating.DISSATISFIED and not comment:
        raise ValidationError("请说明不满意的原因，便于社区整改。", field="comment")
    case = Case.objects.select_for_update().select_related("community", "item").get(pk=found.pk)
    if case.status not in (CaseState.COMPLETED, CaseState.DELIVERED):
        raise Conflict("办件办结后才能评价。")
    if Review.objects.filter(case=case).exists():
        raise Conflict("该办件已评价，每件只能评价一次。")
    actor = Actor.anonymous(ip)
    review = Review.objects.create(
        district_id=case.district_id,
        community_id=case.community_id,
        case=case,
        rating=level,
        comment=comment,
        at=timezone.now(),
    )
    _event(
        case,
        actor,
        action="review",
        label=f"评价：{Rating(level).label}",
        from_state=case.status,
        note=comment,
    )
    audit_log(
        actor=actor,
        action="review.submit",
        obj=review,
        region=case.community,
        changes={"receipt_no": case.receipt_no, "rating": level},
    )
    case_stats_bump(case, rated=1, **{f"rating_{level}": 1})
    if level <= Rating.DISSATISFIED:
        _rectification_open(review, actor)
    return review


def _g_measures(rect: Rectification, actor: Actor, **data: Any) -> None:
    _text(data, "measures", "整改措施", limit=2000)


def _a_rectify(rect: Rectification, actor: Actor, **data: Any) -> list[str]:
    now = timezone.now()
    rect.measures = str(data["measures"]).strip()
    rect.rectified_at = now
    rect.rectified_by = actor.require_user()
    rect.overdue = timezone.localdate(now) > rect.due_date
    return ["measures", "rectified_at", "rectified_by", "overdue"]


def _a_follow_up(rect: Rectification, actor: Actor, **data: Any) -> list[str]:
    result = _text(data, "result", "回访结果", limit=1000)
    satisfied = data.get("satisfied")
    if satisfied not in (True, False, "yes", "no", "1", "0", "true", "false"):
        raise ValidationError("请选择申请人对整改是否满意。", field="satisfied")
    rect.followup_result = result
    rect.followup_satisfied = satisfied in (True, "yes", "1", "true")
    rect.followup_at = timezone.now()
    rect.followup_by = actor.require_user()
    return ["followup_result", "followup_satisfied", "followup_at", "followup_by"]


RECTIFICATION_FLOW = Workflow(
    name="rectification",
    model=Rectification,
    scope=by_region("community"),
    transitions=[
        Transition(
            "rectify",
            [RectificationState.OPEN],
            RectificationState.RECTIFIED,
            "完成整改",
            "rectification.handle",
            guards=[_g_measures],
            apply=_a_rectify,
        ),
        Transition(
            "follow_up",
            [RectificationState.RECTIFIED],
            RectificationState.CLOSED,
            "回访",
            "rectification.follow_up",
            apply=_a_follow_up,
        ),
    ],
)


def rectification_act(
    *, actor: Actor, rectification_id: int, action: str, data: dict[str, Any] | None = None
) -> Rectification:
    """完成整改 (the secretary) or 回访 (a call to the applicant, result recorded)."""
    rect = transition(
        workflow=RECTIFICATION_FLOW,
        actor=actor,
        obj_or_pk=rectification_id,
        action=action,
        note=str((data or {}).get("measures") or (data or {}).get("result") or "")[:200],
        data=data,
    )
    rect = cast(Rectification, rect)
    return rect


__all__ = [
    "CASE_FLOW",
    "DELIVERY_METHODS",
    "RECTIFICATION_FLOW",
    "Applicant",
    "IntakeResult",
    "TooManyAttempts",
    "case_act",
    "case_apply_online",
    "case_intake",
    "case_lookup",
    "case_stats_bump",
    "rectification_act",
    "review_submit",
]
