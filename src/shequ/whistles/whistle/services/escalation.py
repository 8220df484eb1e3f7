"""督办: the ``shequ tick`` escalation of overdue whistles, and the notices it
writes to the department head (read by the department's liaisons, shown to
the street and the district).

A whistle escalates one level at a time: to the street (level 1) once its
report-in or resolution deadline has passed, to the district (level 2) once
it is overdue by one more such limit. A disputed whistle the street has not
reassigned by its deadline goes straight to the district. Each escalation is
a timeline event, an audit record and an ``EscalationNotice`` in the same
transaction; running the job again writes nothing more until the next
threshold passes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shequ.core.errors import NotFound
from shequ.core.history import Event, record
from shequ.core.scope import Actor
from shequ.whistles.models import EscalationNotice, NoticeKind, Whistle, WhistleState
from shequ.whistles.scope import is_liaison, liaison_bodies
from shequ.whistles.whistle import notify
from shequ.whistles.whistle.services.flow import OPEN_STATES

LEVEL_LABELS = {1: "街道督办", 2: "区级督办"}


def _overdue_level(whistle: Whistle, now: dt.datetime) -> tuple[int, str]:
    """The escalation level the whistle deserves now, and why: level 1 once a
    deadline has passed, level 2 once it is overdue by one more such limit."""
    if whistle.status == WhistleState.RAISED:
        due, start, kind = whistle.report_in_due, whistle.addressed_at, NoticeKind.REPORT_IN
    elif whistle.status in (WhistleState.REPORTED, WhistleState.HANDLING):
        due, start, kind = whistle.resolve_due, whistle.addressed_at, NoticeKind.RESOLVE
    else:
        return 0, ""
    if now <= due:
        return 0, kind
    limit = max(due - start, dt.timedelta(hours=1))
    return (2 if now > due + limit else 1), kind


def _notice_text(whistle: Whistle, kind: str, level: int) -> str:
    label = LEVEL_LABELS[level]
    what = NoticeKind(kind).label
    if kind == NoticeKind.REASSIGN:
        due = timezone.localtime(whistle.reassign_due).strftime("%m-%d %H:%M")
        return (
            f"【{label}】吹哨事项 {whistle.number}“{whistle.title}”被退回后，"
            f"{whistle.street.name}未在改派期限（{due}）前改派，请区级督促改派。"
        )
    department = whistle.lead_department
    due_at = whistle.report_in_due if kind == NoticeKind.REPORT_IN else whistle.resolve_due
    due = timezone.localtime(due_at).strftime("%m-%d %H:%M")
    head = f"负责人{department.head_name}" if department.head_name else "负责人"
    return (
        f"【{label}】{department.name}{head}：吹哨事项 {whistle.number}“{whistle.title}”"
        f"（{whistle.community.name}）{what}（期限 {due}），请督促尽快办理。"
    )


def _escalate(whistle: Whistle, actor: Actor, *, level: int, kind: str, now: dt.datetime) -> None:
    """Raise the whistle to ``level`` with its timeline event, audit record and notice."""
    before = whistle.escalation
    whistle.escalation = level
    whistle.escalated_at = now
    whistle.save(update_fields=["escalation", "escalated_at"])
    label = LEVEL_LABELS[level]
    text = _notice_text(whistle, kind, level)
    department = None if kind == NoticeKind.REASSIGN else whistle.lead_department
    notice, _ = EscalationNotice.objects.get_or_create(
        whistle=whistle,
        kind=kind,
        level=level,
        addressed_at=whistle.addressed_at,
        defaults={
            "district_id": whistle.district_id,
            "community_id": whistle.community_id,
            "department": department,
            "text": text,
            "created_at": now,
        },
    )
    notice_to = f"{department.name}负责人{department.head_name}".strip() if department else "区级"
    record(
        actor=actor,
        action="whistle.escalate",
        obj=whistle,
        event=Event(
            "escalate",
            label,
            note=NoticeKind(kind).label,
            data={"level": level, "notice_to": notice_to, "notice": notice.pk},
        ),
        region=whistle.community,
        changes={"escalation": [before, level], "notice": notice.pk, "kind": kind},
        message=f"{NoticeKind(kind).label}，{label}",
    )
    notify.whistle_escalated(actor, whistle, label=label)


@transaction.atomic
def whistles_escalate() -> int:
    """督办 overdue whistles (see the module's docstring); returns how many
    escalations it made."""
    actor = Actor.for_command("tick")
    now = timezone.now()
    done = 0
    overdue = (
        Whistle.objects.select_for_update(of=("self",))
        .select_related("lead_department", "community", "street")
        .filter(status__in=OPEN_STATES, escalation__lt=2, report_in_due__lt=now)
        .order_by("pk")
    )
    for whistle in overdue:
        target, kind = _overdue_level(whistle, now)
        while whistle.escalation < target:
            _escalate(whistle, actor, level=whistle.escalation + 1, kind=kind, now=now)
            done += 1
    # A disputed whistle the street did not reassign in time: to the district,
    # once per dispute (the notice of this addressing round marks it done).
    late = (
        Whistle.objects.select_for_update(of=("self",))
        .select_related("lead_department", "community", "street")
        .filter(status=WhistleState.DISPUTED, reassign_due__lt=now)
        .exclude(
            Exists(
                EscalationNotice.objects.filter(
                    whistle=OuterRef("pk"),
                    kind=NoticeKind.REASSIGN,
                    addressed_at=OuterRef("addressed_at"),
                )
            )
        )
        .order_by("pk")
    )
    for whistle in late:
        _escalate(whistle, actor, level=2, kind=NoticeKind.REASSIGN, now=now)
        done += 1
    return done


# -- reading notices ---------------------------------------------------------------------------


@transaction.atomic
def escalation_notice_read(*, actor: Actor, notice_id: int) -> EscalationNotice:
    """A liaison of the noticed department marks the notice read (idempotent)."""
    actor.require("whistle.view")
    ids = liaison_bodies(actor).department_ids if is_liaison(actor) else frozenset()
    notice = (
        EscalationNotice.objects.select_for_update()
        .filter(pk=notice_id, department_id__in=sorted(ids))
        .first()
    )
    if notice is None:
        raise NotFound("督办通知不存在，或不是发给您所在部门的。")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.read_by = actor.require_user()
        notice.save(update_fields=["read_at", "read_by"])
        record(
            actor=actor,
            action="whistle.notice_read",
            obj=notice,
            region=notice.community,
            changes={"whistle": notice.whistle_id, "level": notice.level},
        )
    return notice
