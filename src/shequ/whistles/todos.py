"""Whistles' and pairing's lines on the workbench.

A department liaison: whistles to report in (报到) and to resolve, and the
督办 notices not yet read. The raising side: results to evaluate; the street:
whistles handed back (退回) to reassign. Alerts for everyone who sees
whistles: report-in or resolution overdue, whistles under escalation.
Pairing: the last full quarter's ratings still due, agreements "on paper
only". Each provider counts in one query and lists in one more.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone

from shequ.core.registry import ToDo, ToDoItem, ToDoProvider
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.whistles.checks import last_full_quarter, quarter_of
from shequ.whistles.models import (
    AgreementState,
    EscalationNotice,
    PairingAgreement,
    QuarterRating,
    Whistle,
    WhistleState,
    WhistleUrgency,
)
from shequ.whistles.scope import agreement_q, is_liaison, liaison_bodies
from shequ.whistles.whistle.selectors import whistle_scope_q

HANDLING = (WhistleState.REPORTED, WhistleState.HANDLING)
OPEN = (WhistleState.RAISED, *HANDLING, WhistleState.DISPUTED)


def _list_url(**params: object) -> str:
    return f"{reverse('whistles:list')}?{urlencode(params)}"


def _day(value):
    return timezone.localdate(value) if value is not None else None


def _scoped(actor: Actor):
    return Whistle.objects.filter(whistle_scope_q(actor))


def _lead_q(actor: Actor) -> Q:
    """A liaison's own whistles: those its departments lead."""
    return Q(lead_department_id__in=sorted(liaison_bodies(actor).department_ids))


def _whistle_lines(actor: Actor) -> list[ToDo]:
    now = timezone.now()
    held = actor.permissions
    lead = _lead_q(actor) if is_liaison(actor) else Q(pk__in=[])
    to_report = lead & Q(status=WhistleState.RAISED)
    to_resolve = lead & Q(status__in=HANDLING)
    late_report = Q(status=WhistleState.RAISED, report_in_due__lt=now)
    late_resolve = Q(status__in=HANDLING, resolve_due__lt=now)
    escalated = Q(status__in=OPEN, escalation__gt=0)
    row = (
        _scoped(actor)
        .filter(status__in=(*OPEN, WhistleState.RESOLVED))
        .aggregate(
            to_report=Count("pk", filter=to_report, distinct=True),
            to_report_urgent=Count(
                "pk", filter=to_report & Q(urgency=WhistleUrgency.URGENT), distinct=True
            ),
            to_report_due=Min("report_in_due", filter=to_report),
            to_resolve=Count("pk", filter=to_resolve, distinct=True),
            to_resolve_due=Min("resolve_due", filter=to_resolve),
            to_evaluate=Count("pk", filter=Q(status=WhistleState.RESOLVED), distinct=True),
            disputed=Count("pk", filter=Q(status=WhistleState.DISPUTED), distinct=True),
            disputed_due=Min("reassign_due", filter=Q(status=WhistleState.DISPUTED)),
            late_report=Count("pk", filter=late_report, distinct=True),
            late_report_due=Min("report_in_due", filter=late_report),
            late_resolve=Count("pk", filter=late_resolve, distinct=True),
            late_resolve_due=Min("resolve_due", filter=late_resolve),
            escalated=Count("pk", filter=escalated, distinct=True),
        )
    )
    lines = []
    if "whistle.report_in" in held:
        lines.append(
            ToDo(
                "吹哨待报到"
                + (f"（紧急{row['to_report_urgent']}件）" if row["to_report_urgent"] else ""),
                row["to_report"],
                _list_url(status=WhistleState.RAISED),
                "urgent" if row["to_report_urgent"] else "warning",
                due=_day(row["to_report_due"]),
            )
        )
    if "whistle.handle" in held:
        lines.append(
            ToDo(
                "吹哨处置中待办结",
                row["to_resolve"],
                _list_url(status=WhistleState.HANDLING),
                due=_day(row["to_resolve_due"]),
            )
        )
    if "whistle.evaluate" in held:
        lines.append(
            ToDo("吹哨已办结待评价", row["to_evaluate"], _list_url(status=WhistleState.RESOLVED))
        )
    if "whistle.reassign" in held:
        lines.append(
            ToDo(
                "吹哨被退回待改派",
                row["disputed"],
                _list_url(status=WhistleState.DISPUTED),
                "warning",
                due=_day(row["disputed_due"]),
            )
        )
    lines += [
        ToDo(
            "吹哨报到已超期",
            row["late_report"],
            _list_url(status=WhistleState.RAISED),
            "urgent",
            kind="alert",
            due=_day(row["late_report_due"]),
        ),
        ToDo(
            "吹哨办结已超期",
            row["late_resolve"],
            _list_url(status=WhistleState.HANDLING),
            "urgent",
            kind="alert",
            due=_day(row["late_resolve_due"]),
        ),
        ToDo("吹哨督办中", row["escalated"], _list_url(escalated=1), "urgent", kind="alert"),
    ]
    return lines


def _whistle_items(actor: Actor, limit: int) -> list[ToDoItem]:
    """A liaison's own open whistles; everyone else's overdue ones; nearest
    deadline (report-in while raised, resolution after) first."""
    now = timezone.now()
    qs = _scoped(actor).annotate(
        due=Case(
            When(status=WhistleState.RAISED, then=F("report_in_due")), default=F("resolve_due")
        )
    )
    if is_liaison(actor):
        qs = qs.filter(_lead_q(actor), status__in=(WhistleState.RAISED, *HANDLING))
    else:
        qs = qs.filter(status__in=(WhistleState.RAISED, *HANDLING), due__lt=now)
    rows = qs.only("pk", "number", "title", "urgency", "escalation").distinct()
    return [
        ToDoItem(
            f"吹哨 {w.number} {w.title}",
            reverse("whistles:whistle", args=[w.pk]),
            _day(w.due),
            "紧急" if w.urgency == WhistleUrgency.URGENT else ("督办" if w.escalation else ""),
        )
        for w in rows.order_by("due", "id")[:limit]
    ]


def _whistle_overdue_by_community(actor: Actor) -> Mapping[int, int]:
    now = timezone.now()
    late = Q(status=WhistleState.RAISED, report_in_due__lt=now) | Q(
        status__in=HANDLING, resolve_due__lt=now
    )
    rows = (
        _scoped(actor)
        .filter(late)
        .values("community_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return {r["community_id"]: r["n"] for r in rows}


def _notice_lines(actor: Actor) -> list[ToDo]:
    """Unread 督办 notices to the liaison's departments."""
    ids = sorted(liaison_bodies(actor).department_ids)
    count = EscalationNotice.objects.filter(department_id__in=ids, read_at__isnull=True).count()
    return [ToDo("督办通知未读", count, _list_url(escalated=1), "urgent")]


def _pairing_lines(actor: Actor) -> list[ToDo]:
    start, end = last_full_quarter(local_today())
    quarter = quarter_of(start)
    base = PairingAgreement.objects.filter(agreement_q(actor))
    rated = QuarterRating.objects.filter(agreement=OuterRef("pk"), quarter=quarter)
    due = Q(status=AgreementState.ACTIVE, starts_on__lte=end) & ~Q(Exists(rated))
    row = base.aggregate(
        due=Count("pk", filter=due),
        paper=Count("pk", filter=Q(status=AgreementState.ACTIVE, paper_only_since__isnull=False)),
    )
    url = reverse("whistles:pairing_list")
    lines = []
    if "pairing.rate" in actor.permissions:
        lines.append(ToDo(f"结对单位{quarter}季度评价待填", row["due"], url, "info"))
    lines.append(
        ToDo("结对共建仅面上", row["paper"], f"{url}?paper_only=on", "warning", kind="alert")
    )
    return lines


PROVIDERS = [
    ToDoProvider(
        "whistles",
        "whistle.view",
        _whistle_lines,
        items=_whistle_items,
        overdue_by_community=_whistle_overdue_by_community,
    ),
    ToDoProvider("whistles.notices", "whistle.report_in", _notice_lines),
    ToDoProvider("pairing", "pairing.view", _pairing_lines),
]
