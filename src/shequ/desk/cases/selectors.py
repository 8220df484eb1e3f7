"""Reads of cases, notices, visits, reviews and rectifications, within the
actor's scope (``case.view``; the community's rows through ``scope_q``).

The lists that must stay fast at a million cases (a community's overdue and
near-deadline cases, a worker's open cases) filter on indexed columns only:
``(community, status, due_date)`` and ``(accepted_by, status, due_date)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from shequ.core.errors import NotFound
from shequ.core.models import Region, TimelineEvent
from shequ.core.pii import decrypt, mask_id_number
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.core.workflow import timeline_for
from shequ.desk.cases.deadlines import LEVEL_LABELS, level_on
from shequ.desk.models import (
    CLOCK_PAUSED,
    CLOCK_RUNNING,
    DONE_STATES,
    OPEN_STATES,
    Case,
    CaseState,
    Notice,
    Rectification,
    RectificationState,
    ServiceItem,
    Visit,
    Window,
)

LIST_FIELDS = (
    "id",
    "receipt_no",
    "status",
    "channel",
    "applicant_name",
    "phone_head",
    "phone_tail",
    "submitted_at",
    "accepted_on",
    "due_date",
    "warn70_on",
    "warn90_on",
    "due_uncertain",
    "paused_since",
    "overdue",
    "visit_count",
    "completed_on",
    "community__name",
    "item__name",
    "item__code",
    "accepted_by__full_name",
    "window__name",
)


def cases_in_scope(actor: Actor) -> QuerySet[Case]:
    """Every case the actor may read (the base of each case read, the
    workbench's and the resident page's included)."""
    actor.require("case.view")
    return Case.objects.filter(actor.scope_q(community="community"))


def rectifications_in_scope(actor: Actor) -> QuerySet[Rectification]:
    actor.require("case.view")
    return Rectification.objects.filter(actor.scope_q(community="community"))


def _light(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("community", "item", "accepted_by", "window").only(*LIST_FIELDS)


def case_level(case: Case, today: dt.date | None = None) -> str:
    """The warning level of a case now: "overdue"/"urgent"/"near"/"" while
    its clock runs; "paused" while it stands still; "" when finished."""
    if case.status in CLOCK_PAUSED:
        return "paused"
    if case.status not in CLOCK_RUNNING:
        return ""
    return level_on(
        due_date=case.due_date,
        warn70_on=case.warn70_on,
        warn90_on=case.warn90_on,
        today=today or local_today(),
    )


LEVEL_LABELS_ALL = LEVEL_LABELS | {"paused": "计时暂停"}


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""  # receipt number (prefix) or applicant name
    status: str = ""  # a CaseState, or "open" / "done"
    level: str = ""  # "overdue" / "urgent" / "near" (running clock only)
    community_id: int | None = None
    street_id: int | None = None
    item_id: int | None = None
    window_id: int | None = None  # 0 = no window
    worker_id: int | None = None  # 0 = no worker
    month: dt.date | None = None  # first day of the month of acceptance
    month_to: dt.date | None = None  # with ``month``: accepted from ``month`` to this month
    one_trip: bool | None = None  # completed with at most one visit / more
    rating: int | None = None  # reviewed with this level
    overdue: bool | None = None  # the frozen flag (on-time vs overdue completions)


def _level_q(level: str, today: dt.date) -> Q:
    running = Q(status__in=CLOCK_RUNNING)
    if level == "overdue":
        return running & Q(due_date__lt=today)
    if level == "urgent":
        return running & Q(due_date__gte=today, warn90_on__lte=today)
    if level == "near":
        return running & Q(due_date__gte=today, warn70_on__lte=today, warn90_on__gt=today)
    if level == "warned":  # near or urgent
        return running & Q(due_date__gte=today, warn70_on__lte=today)
    return Q()


def case_list(*, actor: Actor, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """Cases in scope, newest first; every statistic drills down to this list
    with the same keys it was counted by."""
    f = filters or CaseFilters()
    qs = cases_in_scope(actor)
    q = f.q.strip()
    if q:
        qs = qs.filter(receipt_no__startswith=q) if q.isdigit() else qs.filter(applicant_name=q)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif f.status == "done":
        qs = qs.filter(status__in=DONE_STATES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(_level_q(f.level, local_today()))
    if f.community_id is not None:
        qs = qs.filter(community_id=f.community_id)
    if f.street_id is not None:
        qs = qs.filter(community__street_id=f.street_id)
    if f.item_id is not None:
        qs = qs.filter(item_id=f.item_id)
    if f.window_id is not None:
        qs = qs.filter(window_id=f.window_id) if f.window_id else qs.filter(window__isnull=True)
    if f.worker_id is not None:
        qs = (
            qs.filter(accepted_by_id=f.worker_id)
            if f.worker_id
            else qs.filter(accepted_by__isnull=True)
        )
    if f.month is not None:
        qs = qs.filter(accepted_on__gte=f.month.replace(day=1))
    last = f.month_to or f.month
    if last is not None:
        nxt = (last.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        qs = qs.filter(accepted_on__lt=nxt)
    if f.one_trip is not None:
        qs = qs.filter(status__in=DONE_STATES)
        qs = qs.filter(visit_count__lte=1) if f.one_trip else qs.filter(visit_count__gt=1)
    if f.rating is not None:
        qs = qs.filter(review__rating=f.rating)
    if f.overdue is not None:
        qs = qs.filter(status__in=DONE_STATES, overdue=f.overdue)
    return _light(qs).order_by("-submitted_at", "-id")


def overdue_list(*, actor: Actor, community_id: int, level: str = "warned") -> QuerySet[Case]:
    """A community's cases past their deadline (``level="overdue"``) or near
    it (``"warned"``: 70 % or more of the time used), soonest deadline first."""
    today = local_today()
    qs = cases_in_scope(actor).filter(community_id=community_id)
    if level == "overdue":
        qs = qs.filter(status__in=CLOCK_RUNNING, due_date__lt=today)
    else:
        qs = qs.filter(status__in=CLOCK_RUNNING, warn70_on__lte=today)
    return _light(qs).order_by("due_date", "id")


def my_open_cases(*, actor: Actor) -> QuerySet[Case]:
    """The cases the actor accepted that are not finished, deadline first
    (paused ones last: their deadline moves when the clock restarts)."""
    user = actor.require_user()
    qs = cases_in_scope(actor).filter(accepted_by=user, status__in=[*CLOCK_RUNNING, *CLOCK_PAUSED])
    return _light(qs).order_by("due_date", "id")


def submitted_list(*, actor: Actor) -> QuerySet[Case]:
    """Online applications waiting for a worker to accept them, oldest first."""
    return _light(cases_in_scope(actor).filter(status=CaseState.SUBMITTED)).order_by(
        "submitted_at", "id"
    )


def case_get(*, actor: Actor, case_id: int) -> Case:
    case = (
        cases_in_scope(actor)
        .select_related(
            "community", "item", "version", "window", "accepted_by", "completed_by", "resident"
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("办件不存在，或不在您的管辖范围内。")
    return case


def applicant_masked_id(row: Case | Notice) -> str:
    """The applicant's ID number masked as on every page (110101********1234).
    A case or notice keeps only the last four digits in clear, so the number
    is decrypted and masked here at once: nothing unmasked leaves."""
    return mask_id_number(decrypt(row.id_number_enc))


def case_visits(*, case: Case) -> QuerySet[Visit]:
    """The case's visits (the caller loaded ``case`` through a scoped selector)."""
    return Visit.objects.filter(case=case).select_related("window", "worker").order_by("at", "id")


def case_timeline(*, case: Case) -> QuerySet[TimelineEvent]:
    return timeline_for(case)


def notice_get(*, actor: Actor, notice_id: int) -> Notice:
    actor.require("case.view")
    notice = (
        Notice.objects.filter(actor.scope_q(community="community"))
        .select_related(
            "community",
            "item__current_version",
            "version",
            "window",
            "issued_by",
            "reissued_from",
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise NotFound("告知单不存在，或不在您的管辖范围内。")
    return notice


def _notice_outdated_q() -> Q:
    """Open notices issued under a version that is no longer the item's current one."""
    return Q(case__isnull=True, reissued_as__isnull=True) & ~Q(version=F("item__current_version"))


def notice_list(
    *, actor: Actor, open_only: bool = True, outdated: bool = False
) -> QuerySet[Notice]:
    """One-time notices in scope, newest first: the open ones (the applicant
    has not come back) by default; ``outdated``: those to reissue."""
    actor.require("case.view")
    qs = Notice.objects.filter(actor.scope_q(community="community")).select_related(
        "community", "item", "version"
    )
    if outdated:
        qs = qs.filter(_notice_outdated_q())
    elif open_only:
        qs = qs.filter(case__isnull=True, reissued_as__isnull=True)
    return qs.order_by("-issued_at", "-id")


def rectification_list(*, actor: Actor, open_only: bool = True) -> QuerySet[Rectification]:
    qs = rectifications_in_scope(actor).select_related("community", "case", "case__item", "review")
    if open_only:
        qs = qs.exclude(status=RectificationState.CLOSED)
    return qs.order_by("due_date", "id")


def rectification_get(*, actor: Actor, rectification_id: int) -> Rectification:
    rect = (
        rectifications_in_scope(actor)
        .select_related("community", "case", "case__item", "review", "rectified_by", "followup_by")
        .filter(pk=rectification_id)
        .first()
    )
    if rect is None:
        raise NotFound("整改任务不存在，或不在您的管辖范围内。")
    return rect


def public_timeline(*, case: Case) -> list[dict]:
    """The case's history as an applicant sees it: what happened and when,
    without the names of staff."""
    return [
        {"at": e.at, "label": e.action_label, "note": e.note if e.action != "review" else ""}
        for e in timeline_for(case)
    ]


def intake_item(*, actor: Actor, item_id: int) -> ServiceItem | None:
    """The item of the actor's district with its current version, in one
    query: what intake needs and no more (the API's hot path)."""
    actor.require("case.accept")
    region = actor.region
    if region is None:
        return None
    return (
        ServiceItem.objects.select_related("current_version")
        .filter(pk=item_id, district_id=region.district_id)
        .first()
    )


def intake_window(*, actor: Actor, community: Region, window_id: int) -> Window | None:
    """A window of ``community`` (which the caller has checked is in scope)."""
    actor.require("case.accept")
    return Window.objects.filter(pk=window_id, community=community).first()
