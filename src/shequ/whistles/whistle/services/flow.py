"""Writes of whistles (吹哨报到): raising one (from scratch or from an appeal's
triage), the department's report-in, handling, resolution and dispute (退回),
the street's reassignment, the community's evaluation and closing, and the
``shequ tick`` escalation (督办) of overdue whistles.

Every state change goes through the core workflow engine (``WHISTLE_FLOW``):
one transaction with its timeline event and audit record. Bad input raises a
``DomainError`` with a Chinese message before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from shequ.core.categories import IssueCategory
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, json_safe, record
from shequ.core.models import Region, RegionLevel
from shequ.core.numbering import receipt_next
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Transition, Workflow, transition
from shequ.whistles.models import (
    Department,
    Whistle,
    WhistleDispute,
    WhistleEvaluation,
    WhistleRule,
    WhistleState,
    WhistleUrgency,
)
from shequ.whistles.scope import is_liaison, liaison_bodies
from shequ.whistles.whistle import events, notify

TITLE_MAX = 100
# A title made from a description when none is given (an appeal's triage).
AUTO_TITLE_MAX = 30
ELLIPSIS = "…"
SOURCE_LABEL = "关联诉求"  # the records a whistle is raised from: appeals today
DESCRIPTION_MAX = 4000
RESULT_MAX = 2000
NOTE_MAX = 500
REASSIGN_DAYS = 2  # working days the street has to reassign a disputed whistle
OPEN_STATES = (WhistleState.RAISED, WhistleState.REPORTED, WhistleState.HANDLING)
# End of a working day: a deadline in working days falls due at 18:00 Beijing time.
DAY_END = dt.time(18, 0)


@dataclass(frozen=True)
class Rule:
    urgent_report_hours: int = 2
    normal_report_days: int = 1
    resolve_days: int = 5


DEFAULT_RULE = Rule()


def rule_for(*, district_id: int, category: str) -> Rule:
    row = WhistleRule.objects.filter(district_id=district_id, category=category).first()
    if row is None:
        return DEFAULT_RULE
    return Rule(row.urgent_report_hours, row.normal_report_days, row.resolve_days)


def _workday_end(start: dt.datetime, days: int) -> dt.datetime:
    day = add_workdays(timezone.localdate(start), days).date
    return timezone.make_aware(dt.datetime.combine(day, DAY_END))


def deadlines(*, start: dt.datetime, urgency: str, rule: Rule) -> tuple[dt.datetime, dt.datetime]:
    """(report_in_due, resolve_due) for a whistle addressed at ``start``."""
    if urgency == WhistleUrgency.URGENT:
        report_in = start + dt.timedelta(hours=rule.urgent_report_hours)
    else:
        report_in = _workday_end(start, rule.normal_report_days)
    return report_in, _workday_end(start, rule.resolve_days)


def title_from(text: str, *, limit: int = AUTO_TITLE_MAX) -> str:
    """A whistle's title made from ``text``: on one line, and when longer than
    ``limit`` characters (at most ``TITLE_MAX``) cut, ending in "…" (counted
    in the limit) so no one reads a cut-off sentence as the whole matter."""
    limit = min(limit, TITLE_MAX)
    flat = " ".join(str(text or "").split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip(" ，,、；;：:。.") + ELLIPSIS


# -- scope, guards -----------------------------------------------------------------------------


def covers_whistle(actor: Actor, whistle: Any) -> bool:
    """A liaison reaches the whistles addressed to its department (lead or
    cooperating); staff the whistles of the communities they cover."""
    if is_liaison(actor):
        ids = liaison_bodies(actor).department_ids
        if whistle.lead_department_id in ids:
            return True
        return whistle.cooperating.filter(pk__in=ids).exists()
    return actor.covers(whistle.community)


covers_whistle.field_name = "community"  # type: ignore[attr-defined]


def _g_lead(whistle: Whistle, actor: Actor, **data: Any) -> None:
    if whistle.lead_department_id not in liaison_bodies(actor).department_ids:
        raise PermissionDenied(
            f"该事项的牵头部门是“{whistle.lead_department.name}”，只有其联络员才能报到、处置或退回。"
        )


def _g_raising_side(whistle: Whistle, actor: Actor, **data: Any) -> None:
    if is_liaison(actor) or not actor.covers(whistle.community):
        raise PermissionDenied("只有吹哨的社区或其所在街道才能评价和关闭。")


def _g_report_in(whistle: Whistle, actor: Actor, **data: Any) -> None:
    _g_lead(whistle, actor)
    clean_text(data.get("responsible_name"), field="responsible_name", label="责任人",
               max_length=40)  # fmt: skip


def _a_report_in(whistle: Whistle, actor: Actor, **data: Any) -> list[str]:
    whistle.responsible_name = clean_text(
        data.get("responsible_name"), field="responsible_name", label="责任人", max_length=40
    )
    whistle.reported_at = timezone.now()
    return ["responsible_name", "reported_at"]


def _g_resolve(whistle: Whistle, actor: Actor, **data: Any) -> None:
    _g_lead(whistle, actor)
    clean_text(data.get("result"), field="result", label="办理结果", max_length=RESULT_MAX)


def _a_resolve(whistle: Whistle, actor: Actor, **data: Any) -> list[str]:
    whistle.result = clean_text(
        data.get("result"), field="result", label="办理结果", max_length=RESULT_MAX
    )
    whistle.resolved_at = timezone.now()
    fields = ["result", "resolved_at"]
    if whistle.reported_at is None:  # resolved straight away: that is a report-in too
        whistle.reported_at = whistle.resolved_at
        fields.append("reported_at")
    return fields


def _g_dispute(whistle: Whistle, actor: Actor, **data: Any) -> None:
    _g_lead(whistle, actor)
    clean_text(data.get("reason"), field="reason", label="退回理由", max_length=NOTE_MAX)


def _a_dispute(whistle: Whistle, actor: Actor, **data: Any) -> list[str]:
    now = timezone.now()
    whistle.dispute_reason = clean_text(
        data.get("reason"), field="reason", label="退回理由", max_length=NOTE_MAX
    )
    whistle.disputes += 1
    whistle.reassign_due = _workday_end(now, REASSIGN_DAYS)
    WhistleDispute.objects.create(
        district_id=whistle.district_id,
        community_id=whistle.community_id,
        whistle=whistle,
        department_id=whistle.lead_department_id,
        reason=whistle.dispute_reason,
        at=now,
    )
    return ["dispute_reason", "disputes", "reassign_due"]


def _department(actor: Actor, whistle_district_id: int, raw: Any, *, field: str) -> Department:
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise ValidationError("请选择职能部门。", field=field) from None
    department = Department.objects.filter(
        pk=pk, district_id=whistle_district_id, active=True
    ).first()
    if department is None:
        raise ValidationError("所选职能部门不存在或已停用。", field=field)
    return department


def _g_reassign(whistle: Whistle, actor: Actor, **data: Any) -> None:
    department = _department(actor, whistle.district_id, data.get("department_id"),
                             field="department_id")  # fmt: skip
    if department.pk == whistle.lead_department_id:
        raise ValidationError("请改派给退回部门以外的其他部门。", field="department_id")
    if whistle.reassign_due is not None and timezone.now() > whistle.reassign_due:
        # Late reassignment is still allowed; it is recorded by the timeline.
        pass


def _a_reassign(whistle: Whistle, actor: Actor, **data: Any) -> list[str]:
    department = _department(actor, whistle.district_id, data.get("department_id"),
                             field="department_id")  # fmt: skip
    now = timezone.now()
    rule = rule_for(district_id=whistle.district_id, category=whistle.category)
    whistle.lead_department = department
    whistle.cooperating.remove(department)
    whistle.addressed_at = now
    whistle.report_in_due, whistle.resolve_due = deadlines(
        start=now, urgency=whistle.urgency, rule=rule
    )
    whistle.reassign_due = None
    whistle.escalation = 0
    whistle.escalated_at = None
    whistle.reported_at = None
    whistle.responsible_name = ""
    return [
        "lead_department",
        "addressed_at",
        "report_in_due",
        "resolve_due",
        "reassign_due",
        "escalation",
        "escalated_at",
        "reported_at",
        "responsible_name",
    ]


def _g_evaluate(whistle: Whistle, actor: Actor, **data: Any) -> None:
    _g_raising_side(whistle, actor)
    if whistle.evaluation:
        raise Conflict("该事项已评价，不能重复评价。")
    if data.get("evaluation") not in WhistleEvaluation.values:
        raise ValidationError("请选择评价：满意、基本满意或不满意。", field="evaluation")


def _a_evaluate(whistle: Whistle, actor: Actor, **data: Any) -> list[str]:
    whistle.evaluation = data["evaluation"]
    whistle.evaluated_at = timezone.now()
    return ["evaluation", "evaluated_at"]


def _a_close(whistle: Whistle, actor: Actor, **data: Any) -> list[str]:
    whistle.closed_at = timezone.now()
    return ["closed_at"]


S = WhistleState
WHISTLE_FLOW = Workflow(
    name="whistle",
    model=Whistle,
    scope=covers_whistle,
    transitions=[
        Transition(
            "report_in",
            [S.RAISED],
            S.REPORTED,
            "部门报到",
            "whistle.report_in",
            guards=[_g_report_in],
            apply=_a_report_in,
        ),  # fmt: skip
        Transition(
            "start", [S.REPORTED], S.HANDLING, "开始处置", "whistle.handle", guards=[_g_lead]
        ),  # fmt: skip
        Transition(
            "resolve",
            [S.REPORTED, S.HANDLING],
            S.RESOLVED,
            "办结",
            "whistle.handle",
            guards=[_g_resolve],
            apply=_a_resolve,
        ),  # fmt: skip
        Transition(
            "dispute",
            [S.RAISED, S.REPORTED],
            S.DISPUTED,
            "退回（非本部门职责）",
            "whistle.handle",
            guards=[_g_dispute],
            apply=_a_dispute,
        ),  # fmt: skip
        Transition(
            "reassign",
            [S.DISPUTED],
            S.RAISED,
            "街道改派",
            "whistle.reassign",
            guards=[_g_reassign],
            apply=_a_reassign,
        ),  # fmt: skip
        Transition(
            "evaluate",
            [S.RESOLVED],
            S.EVALUATED,
            "社区评价",
            "whistle.evaluate",
            guards=[_g_evaluate],
            apply=_a_evaluate,
        ),  # fmt: skip
        Transition(
            "close",
            [S.EVALUATED],
            S.CLOSED,
            "关闭",
            "whistle.evaluate",
            guards=[_g_raising_side],
            apply=_a_close,
        ),  # fmt: skip
    ],
)


# -- raising -----------------------------------------------------------------------------------


def _int_ids(raw: Any, *, field: str, label: str) -> list[int]:
    if raw in (None, ""):
        return []
    values = raw if isinstance(raw, list | tuple | set) else str(raw).replace("，", ",").split(",")
    ids: list[int] = []
    for value in values:
        if str(value).strip() == "":
            continue
        try:
            ids.append(int(str(value).strip()))
        except ValueError:
            raise ValidationError(f"{label}编号不正确。", field=field) from None
    return sorted(set(ids))


@transaction.atomic
def whistle_raise(
    *,
    actor: Actor,
    community: Region | None = None,
    title: str,
    description: str,
    category: str,
    lead_department_id: Any = None,
    urgency: str = WhistleUrgency.NORMAL,
    cooperating_ids: Any = None,
    sources: Mapping[str, Any] | None = None,
    place: Region | None = None,
    address: str = "",
) -> Whistle:
    """吹哨: a community (its worker or secretary, or the street officer on its
    behalf) addresses a lead department. ``sources`` names the records it is
    raised from, by kind (``{"appeal": [ids]}``): the app that owns each kind
    checks them (``events.whistle_sources_claim``) and hands them on with the
    whistle (``events.whistle_raised``), in this transaction.

    A street may name just the place (a compound or building in one of its
    communities): the whistle is then that place's community's, numbered
    from its counter."""
    actor.require("whistle.raise")
    if isinstance(place, Region) and place.level == RegionLevel.COMMUNITY:
        community, place = community or place, None
    if community is None and isinstance(place, Region) and place.community_id is not None:
        community = Region.objects.get(pk=place.community_id)
    if not isinstance(community, Region) or community.level != RegionLevel.COMMUNITY:
        raise ValidationError("请选择社区：吹哨暂时只能以社区名义发起。", field="community")
    if not actor.covers(community):
        raise PermissionDenied("该社区不在您的管辖范围内。")
    if place is not None and not isinstance(place, Region):
        raise ValidationError("请选择有效的小区或楼栋。", field="place")
    title = clean_text(title, field="title", label="标题", max_length=TITLE_MAX)
    description = clean_text(description, field="description", label="情况描述",
                             max_length=DESCRIPTION_MAX)  # fmt: skip
    address = clean_text(address, field="address", label="地点", max_length=200, required=False)
    if category not in IssueCategory.values:
        raise ValidationError("请选择有效的类别。", field="category")
    if urgency not in WhistleUrgency.values:
        raise ValidationError("请选择紧急程度：一般或紧急。", field="urgency")
    if place is not None and (
        place.community_id != community.pk or place.level <= RegionLevel.COMMUNITY
    ):
        raise ValidationError("地点须是本社区内的小区或楼栋。", field="place")
    district_id = cast(int, community.district_id)
    lead = _department(actor, district_id, lead_department_id, field="lead_department_id")
    coop_ids = [i for i in _int_ids(cooperating_ids, field="cooperating_ids", label="协办部门")
                if i != lead.pk]  # fmt: skip
    cooperating = list(Department.objects.filter(pk__in=coop_ids, district_id=district_id,
                                                 active=True))  # fmt: skip
    if len(cooperating) != len(coop_ids):
        raise ValidationError("所选协办部门不存在或已停用。", field="cooperating_ids")
    linked = _claim_sources(actor, community, sources or {})
    now = timezone.now()
    report_in_due, resolve_due = deadlines(
        start=now, urgency=urgency, rule=rule_for(district_id=district_id, category=category)
    )
    whistle = Whistle.objects.create(
        district_id=district_id,
        street_id=cast(int, community.street_id),
        community=community,
        number="W" + receipt_next(community=community, day=timezone.localdate(now)),
        title=title,
        description=description,
        category=category,
        place=place,
        address=address,
        urgency=urgency,
        lead_department=lead,
        raised_at=now,
        raised_by=actor.user if actor.is_authenticated else None,
        addressed_at=now,
        report_in_due=report_in_due,
        resolve_due=resolve_due,
    )
    whistle.cooperating.set(cooperating, through_defaults={"district_id": whistle.district_id})
    record(
        actor=actor,
        action="whistle.raise",
        obj=whistle,
        event=Event("raise", "吹哨", from_state="", data={"lead": lead.name, **linked.numbers}),
        region=community,
        changes=json_safe(
            {
                "number": whistle.number,
                "lead_department": lead.pk,
                "cooperating": [d.pk for d in cooperating],
                **linked.numbers,
                "urgency": urgency,
                "report_in_due": report_in_due,
                "resolve_due": resolve_due,
            }
        ),
    )
    events.whistle_raised.emit(events.WhistleRaised(actor, whistle, linked.ids))
    notify.whistle_addressed(actor, whistle)
    return whistle


@dataclass(frozen=True)
class _Linked:
    ids: dict[str, list[int]]
    numbers: dict[str, list[str]]  # "appeals": ["A…"], for the event and the audit record


def _claim_sources(actor: Actor, community: Region, raw: Mapping[str, Any]) -> _Linked:
    """Each kind's ids checked and locked by the app that owns the kind; a kind
    no app claims is refused like an unknown record."""
    ids = {
        kind: _int_ids(value, field=f"{kind}_ids", label=SOURCE_LABEL)
        for kind, value in raw.items()
    }
    ids = {kind: v for kind, v in ids.items() if v}
    if not ids:
        return _Linked({}, {})
    claims = [c for c in events.whistle_sources_claim.emit(
        events.SourcesClaim(actor, community, ids)) if c is not None]  # fmt: skip
    claimed = {c.kind for c in claims}
    for kind in ids:
        if kind not in claimed:
            raise ValidationError(f"{SOURCE_LABEL}不存在，或不属于本社区。", field=f"{kind}_ids")
    return _Linked(ids, {f"{c.kind}s": list(c.numbers) for c in claims})


# -- the actions -------------------------------------------------------------------------------


def _in_scope(actor: Actor, whistle_id: int) -> Whistle:
    whistle = (
        Whistle.objects.select_related("community", "lead_department").filter(pk=whistle_id).first()
    )
    if whistle is None:
        raise NotFound("吹哨事项不存在，或不在您的管辖范围内。")
    if not covers_whistle(actor, whistle):
        if (
            is_liaison(actor)
            and actor.region is not None
            and (whistle.district_id in (actor.region.pk, actor.region.district_id))
        ):
            # A department acting on another department's whistle: refused
            # plainly (403), so a mistaken report-in is not mistaken for a typo.
            raise PermissionDenied(
                f"该事项派给的是“{whistle.lead_department.name}”，不是您所在的部门，不能报到或处置。"
            )
        raise NotFound("吹哨事项不存在，或不在您的管辖范围内。")
    return whistle


def _act(actor: Actor, whistle_id: int, action: str, *, note: str = "", **data: Any) -> Whistle:
    _in_scope(actor, whistle_id)
    return cast(
        Whistle,
        transition(
            workflow=WHISTLE_FLOW,
            actor=actor,
            obj_or_pk=whistle_id,
            action=action,
            note=str(note or "").strip()[:NOTE_MAX],
            data=data,
        ),  # fmt: skip
    )


@transaction.atomic
def whistle_report_in(*, actor: Actor, whistle_id: int, responsible_name: str) -> Whistle:
    """报到: the lead department's liaison acknowledges and names its responsible person."""
    actor.require("whistle.report_in")
    return _act(actor, whistle_id, "report_in", responsible_name=responsible_name)


@transaction.atomic
def whistle_start(*, actor: Actor, whistle_id: int, note: str = "") -> Whistle:
    actor.require("whistle.handle")
    return _act(actor, whistle_id, "start", note=note)


@transaction.atomic
def whistle_resolve(*, actor: Actor, whistle_id: int, result: str) -> Whistle:
    actor.require("whistle.handle")
    whistle = _act(actor, whistle_id, "resolve", note=str(result or "")[:200], result=result)
    notify.whistle_resolved(actor, whistle)
    return whistle


@transaction.atomic
def whistle_dispute(*, actor: Actor, whistle_id: int, reason: str) -> Whistle:
    """退回: "not our remit", with a reason; the street then reassigns."""
    actor.require("whistle.handle")
    whistle = _act(actor, whistle_id, "dispute", note=str(reason or "")[:200], reason=reason)
    notify.whistle_disputed(actor, whistle)
    return whistle


@transaction.atomic
def whistle_reassign(
    *, actor: Actor, whistle_id: int, department_id: Any, note: str = ""
) -> Whistle:
    actor.require("whistle.reassign")
    whistle = _act(actor, whistle_id, "reassign", note=note, department_id=department_id)
    notify.whistle_addressed(actor, whistle, reassigned=True)
    return whistle


@transaction.atomic
def whistle_evaluate(
    *, actor: Actor, whistle_id: int, evaluation: str, comment: str = ""
) -> Whistle:
    """The community evaluates the result; the records it was raised from are
    closed with it (``events.whistle_evaluated``: an appeal's resident may
    then rate it)."""
    actor.require("whistle.evaluate")
    comment = clean_text(comment, field="comment", label="评价意见", max_length=NOTE_MAX,
                         required=False)  # fmt: skip
    whistle = _act(actor, whistle_id, "evaluate", note=comment, evaluation=evaluation)
    events.whistle_evaluated.emit(events.WhistleEvaluated(actor, whistle))
    notify.whistle_evaluated(actor, whistle)
    return whistle


@transaction.atomic
def whistle_close(*, actor: Actor, whistle_id: int, note: str = "") -> Whistle:
    actor.require("whistle.evaluate")
    return _act(actor, whistle_id, "close", note=note)


ACTIONS = {
    "report_in": whistle_report_in,
    "start": whistle_start,
    "resolve": whistle_resolve,
    "dispute": whistle_dispute,
    "reassign": whistle_reassign,
    "evaluate": whistle_evaluate,
    "close": whistle_close,
}
