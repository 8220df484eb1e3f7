"""好差评 and rectification: the no-account lookup by receipt number and phone
digits (rate-limited), the review, and the 整改/回访 workflow.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from shequ.core import throttle
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.scope import Actor
from shequ.core.text import TOO_LONG_SHORT, clean_text
from shequ.core.workdays import add_workdays
from shequ.core.workflow import Transition, Workflow, by_region, transition
from shequ.desk import notify
from shequ.desk.cases.services.records import case_stats_bump
from shequ.desk.models import (
    DONE_STATES,
    Case,
    Notice,
    Rating,
    Rectification,
    RectificationState,
    Review,
)

RECTIFY_DAYS = 5  # working days the secretary has to rectify a bad review
LOOKUP_LOCK_MINUTES = 15
LOOKUP_MAX_FAILURES_PER_RECEIPT = 5
LOOKUP_MAX_FAILURES_PER_IP = 20


def _lookup_allowed(*, receipt_no: str, ip: str | None) -> bool:
    window = dt.timedelta(minutes=LOOKUP_LOCK_MINUTES)
    by_number = throttle.failures(
        action="case.lookup",
        limit=LOOKUP_MAX_FAILURES_PER_RECEIPT,
        window=window,
        changes__receipt_no=receipt_no[:32],
    )
    if not ip:
        return by_number.allowed
    by_ip = throttle.failures(
        action="case.lookup", limit=LOOKUP_MAX_FAILURES_PER_IP, window=window, ip=ip
    )
    return by_number.allowed and by_ip.allowed


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
    if not _lookup_allowed(receipt_no=receipt_no, ip=ip):
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
            record(
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
    record(
        actor=actor,
        action="rectification.open",
        obj=rect,
        region=review.case.community,
        changes={"receipt_no": review.case.receipt_no, "due_date": due.isoformat()},
    )
    return rect


def review_open(*, case: Case | None, reviewed: bool) -> bool:
    """Whether the applicant may rate ``case`` now: finished, not yet rated
    (the rule ``review_submit`` enforces; pages ask it to offer the form)."""
    return case is not None and case.status in DONE_STATES and not reviewed


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
    reviewed = Review.objects.filter(case=case).exists()
    if not review_open(case=case, reviewed=reviewed):
        if case.status not in DONE_STATES:
            raise Conflict("办件办结后才能评价。")
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
    record(
        actor=actor,
        action="review.submit",
        obj=review,
        event=Event("review", f"评价：{Rating(level).label}", note=comment),
        timeline=case,
        region=case.community,
        changes={"receipt_no": case.receipt_no, "rating": level},
    )
    case_stats_bump(case, rated=1, **{f"rating_{level}": 1})
    notify.case_reviewed(actor, review)
    if level <= Rating.DISSATISFIED:
        notify.rectification_opened(actor, _rectification_open(review, actor))
    return review


def _g_measures(rect: Rectification, actor: Actor, **data: Any) -> None:
    clean_text(
        data.get("measures"),
        field="measures",
        label="整改措施",
        max_length=2000,
        markup="allowed",
        too_long=TOO_LONG_SHORT,
    )


def _a_rectify(rect: Rectification, actor: Actor, **data: Any) -> list[str]:
    now = timezone.now()
    rect.measures = str(data["measures"]).strip()
    rect.rectified_at = now
    rect.rectified_by = actor.require_user()
    rect.overdue = timezone.localdate(now) > rect.due_date
    return ["measures", "rectified_at", "rectified_by", "overdue"]


def _a_follow_up(rect: Rectification, actor: Actor, **data: Any) -> list[str]:
    result = clean_text(
        data.get("result"),
        field="result",
        label="回访结果",
        max_length=1000,
        markup="allowed",
        too_long=TOO_LONG_SHORT,
    )
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


def _rect_act(
    *, actor: Actor, rectification_id: int, action: str, data: dict[str, Any]
) -> Rectification:
    rect = transition(
        workflow=RECTIFICATION_FLOW,
        actor=actor,
        obj_or_pk=rectification_id,
        action=action,
        note=str(data.get("measures") or data.get("result") or "")[:200],
        data=data,
    )
    return cast(Rectification, rect)


@transaction.atomic
def rectification_rectify(*, actor: Actor, rectification_id: int, measures: Any) -> Rectification:
    """完成整改 (the community secretary), with the measures taken."""
    data = {"measures": measures}
    return _rect_act(actor=actor, rectification_id=rectification_id, action="rectify", data=data)


@transaction.atomic
def rectification_follow_up(
    *, actor: Actor, rectification_id: int, result: Any, satisfied: Any = None
) -> Rectification:
    """回访: the call to the applicant, its result and whether they are satisfied."""
    data = {"result": result, "satisfied": satisfied}
    return _rect_act(actor=actor, rectification_id=rectification_id, action="follow_up", data=data)


# The page gets the action's name from the URL: the service it calls.
RECTIFICATION_ACTIONS: dict[str, Callable[..., Rectification]] = {
    "rectify": rectification_rectify,
    "follow_up": rectification_follow_up,
}
