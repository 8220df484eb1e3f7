"""The case workflow on the core engine (``CASE_FLOW``) and one typed service
per transition (``case_accept`` … ``case_withdraw``, visits and statistics
included). ``CASE_ACTIONS`` says which inputs each takes, for the pages and
the API, which get the action's name from the URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shequ.core.errors import ValidationError
from shequ.core.scope import Actor
from shequ.core.text import TOO_LONG_SHORT, clean_text
from shequ.core.workdays import add_workdays, local_today
from shequ.core.workflow import Transition, Workflow, by_region, transition
from shequ.desk import notify
from shequ.desk.cases import deadlines
from shequ.desk.cases.services.inputs import _require_qualified
from shequ.desk.cases.services.records import _set_schedule, case_stats_bump
from shequ.desk.models import (
    CLOCK_PAUSED,
    Case,
    CaseState,
    Outcome,
    ServiceItemVersion,
    Visit,
    VisitPurpose,
    Window,
)


def _freeze_overdue(case: Case, day: dt.date) -> None:
    """The overdue flag as of this moment, stored with the transition."""
    if case.due_date is None:
        case.overdue = False
        return
    if case.status in CLOCK_PAUSED and case.paused_since is not None:
        case.overdue = case.paused_since > case.due_date
    else:
        case.overdue = day > case.due_date


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
    case.closed_reason = clean_text(
        data.get("reason"),
        field="reason",
        label="不予受理的原因",
        max_length=500,
        markup="allowed",
        too_long=TOO_LONG_SHORT,
    )
    return ["closed_reason"]


def _a_running(case: Case, actor: Actor, **data: Any) -> list[str]:
    _freeze_overdue(case, local_today())
    return ["overdue"]


def _a_forward(case: Case, actor: Actor, **data: Any) -> list[str]:
    department = clean_text(
        data.get("department"),
        field="department",
        label="转办部门",
        max_length=100,
        required=False,
        markup="allowed",
        too_long=TOO_LONG_SHORT,
    )
    case.department = department or case.version.department
    days = data.get("department_days")
    try:
        n = int(days) if days not in (None, "") else case.promised_days
    except (TypeError, ValueError):
        raise ValidationError("部门办理时限应为工作日天数。", field="department_days") from None
    if n < 0 or n > 365:
        raise ValidationError("部门办理时限应在0到365个工作日之间。", field="department_days")
    case.department_due = add_workdays(local_today(), n).date
    if case.due_date is not None and case.department_due > case.due_date:
        raise ValidationError(
            f"部门办理期限（{case.department_due:%Y-%m-%d}）不能晚于本件办结期限"
            f"（{case.due_date:%Y-%m-%d}）。",
            field="department_days",
        )
    _freeze_overdue(case, local_today())
    return ["department", "department_due", "overdue"]


def _a_pause(case: Case, actor: Actor, **data: Any) -> list[str]:
    clean_text(
        data.get("reason"),
        field="reason",
        label="原因",
        max_length=500,
        markup="allowed",
        too_long=TOO_LONG_SHORT,
    )
    day = local_today()
    case.paused_since = day
    case.overdue = case.due_date is not None and day > case.due_date
    return ["paused_since", "overdue"]


def _a_restart(case: Case, actor: Actor, **data: Any) -> list[str]:
    day = local_today()
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
        clean_text(
            data.get("reason"),
            field="reason",
            label="不予办理的理由",
            max_length=1000,
            markup="allowed",
            too_long=TOO_LONG_SHORT,
        )
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
    case.closed_reason = clean_text(
        data.get("reason"),
        field="reason",
        label="撤回原因",
        max_length=500,
        markup="allowed",
        too_long=TOO_LONG_SHORT,
    )
    _freeze_overdue(case, local_today())
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


def _act(
    *,
    actor: Actor,
    case_id: int,
    action: str,
    note: str,
    data: dict[str, Any] | None = None,
    visit: tuple[str, str, Window | None] | None = None,
) -> Case:
    """Take one transition of ``CASE_FLOW`` and record the applicant's visit
    that came with it (``(purpose, reason, window)``). Called by the typed
    services below, in their transaction; they bump the statistics row."""
    # An input not given is left out (the timeline keeps what was entered).
    data = {k: v for k, v in (data or {}).items() if v is not None}
    case = transition(
        workflow=CASE_FLOW, actor=actor, obj_or_pk=case_id, action=action, note=note, data=data
    )
    case = Case.objects.select_related("community", "item", "version").get(pk=cast(Case, case).pk)
    if visit is not None:
        purpose, reason, window = visit
        _visit(case, actor, purpose=purpose, reason=reason, window=window)
    return case


# -- one service per transition (the pages and the API call these) ------------------------------


@transaction.atomic
def case_accept(*, actor: Actor, case_id: int, note: str = "") -> Case:
    """受理 an online application (the worker must be qualified for the item)."""
    case = _act(actor=actor, case_id=case_id, action="accept", note=note)
    case_stats_bump(case, accepted=1)
    return case


@transaction.atomic
def case_decline(*, actor: Actor, case_id: int, reason: Any, note: str = "") -> Case:
    """不予受理 an online application, with the reason the applicant sees."""
    return _act(actor=actor, case_id=case_id, action="decline", note=note, data={"reason": reason})


@transaction.atomic
def case_start(*, actor: Actor, case_id: int, note: str = "") -> Case:
    """开始办理 an accepted case."""
    return _act(actor=actor, case_id=case_id, action="start", note=note)


@transaction.atomic
def case_forward(
    *,
    actor: Actor,
    case_id: int,
    department: Any = None,
    department_days: Any = None,
    note: str = "",
) -> Case:
    """转办部门: the department (default the item's) and its working days (default
    the promised days), which must end by the case's own deadline."""
    data = {"department": department, "department_days": department_days}
    return _act(actor=actor, case_id=case_id, action="forward", note=note, data=data)


@transaction.atomic
def case_request_supplement(*, actor: Actor, case_id: int, reason: Any, note: str = "") -> Case:
    """要求补正: the clock stops until the applicant supplies."""
    data = {"reason": reason}
    return _act(actor=actor, case_id=case_id, action="request_supplement", note=note, data=data)


@transaction.atomic
def case_supply(
    *,
    actor: Actor,
    case_id: int,
    supplied: Any = None,
    in_person: bool = False,
    visit_reason: str = "",
    window: Window | None = None,
    note: str = "",
) -> Case:
    """补正完成: the materials supplied (names from the case's checklist); the
    clock runs again. ``in_person`` records the applicant's visit to the window."""
    visit = (
        (VisitPurpose.SUPPLEMENT, visit_reason or "到窗口补交材料", window) if in_person else None
    )
    data = {"supplied": supplied, "in_person": in_person}
    return _act(actor=actor, case_id=case_id, action="supply", note=note, data=data, visit=visit)


@transaction.atomic
def case_suspend(*, actor: Actor, case_id: int, reason: Any, note: str = "") -> Case:
    """挂起: the clock stops until the case is resumed."""
    return _act(actor=actor, case_id=case_id, action="suspend", note=note, data={"reason": reason})


@transaction.atomic
def case_resume(*, actor: Actor, case_id: int, note: str = "") -> Case:
    """恢复办理: the deadline moves by the working days the case was suspended."""
    return _act(actor=actor, case_id=case_id, action="resume", note=note)


@transaction.atomic
def case_complete(
    *, actor: Actor, case_id: int, outcome: Any, reason: Any = None, note: str = ""
) -> Case:
    """办结 with an outcome (准予办理 needs every material; 不予办理 a reason)."""
    data = {"outcome": outcome, "reason": reason}
    case = _act(actor=actor, case_id=case_id, action="complete", note=note, data=data)
    case_stats_bump(
        case,
        completed=1,
        on_time=0 if case.overdue else 1,
        overdue=1 if case.overdue else 0,
        one_trip=1 if case.one_trip else 0,
    )
    notify.case_completed_sms(case)
    return case


@transaction.atomic
def case_deliver(
    *,
    actor: Actor,
    case_id: int,
    method: Any,
    visit_reason: str = "",
    window: Window | None = None,
    note: str = "",
) -> Case:
    """送达 the result (``DELIVERY_METHODS``); 窗口领取 records the pickup visit."""
    at_window = method == "window"
    visit = (VisitPurpose.PICKUP, visit_reason or "窗口领取结果", window) if at_window else None
    data = {"method": method}
    case = _act(actor=actor, case_id=case_id, action="deliver", note=note, data=data, visit=visit)
    if at_window and case.visit_count == 2:
        # The pickup made this case a second trip: it no longer counts as one.
        case_stats_bump(case, one_trip=-1)
    return case


@transaction.atomic
def case_withdraw(*, actor: Actor, case_id: int, reason: Any, note: str = "") -> Case:
    """申请人撤回, with the reason."""
    data = {"reason": reason}
    return _act(actor=actor, case_id=case_id, action="withdraw", note=note, data=data)


@dataclass(frozen=True)
class CaseAction:
    """How the pages and the API reach a transition's service: the inputs it
    takes besides the note, whether it can record a visit at a window, and
    whether it is the case's next step in the usual course (``primary``: the
    case page shows it first, the others under 更多操作)."""

    service: Callable[..., Case]
    fields: tuple[str, ...] = ()
    visit: bool = False
    primary: bool = False


CASE_ACTIONS: dict[str, CaseAction] = {
    "accept": CaseAction(case_accept, primary=True),
    "decline": CaseAction(case_decline, ("reason",)),
    "start": CaseAction(case_start, primary=True),
    "forward": CaseAction(case_forward, ("department", "department_days")),
    "request_supplement": CaseAction(case_request_supplement, ("reason",)),
    "supply": CaseAction(case_supply, ("supplied", "in_person"), visit=True, primary=True),
    "suspend": CaseAction(case_suspend, ("reason",)),
    "resume": CaseAction(case_resume, primary=True),
    "complete": CaseAction(case_complete, ("outcome", "reason"), primary=True),
    "deliver": CaseAction(case_deliver, ("method",), visit=True, primary=True),
    "withdraw": CaseAction(case_withdraw, ("reason",)),
}


# -- 好差评 and rectification ------------------------------------------------------------------
