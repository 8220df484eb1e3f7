"""Who hears of a whistle's steps (通知), called by the services inside their
transaction: the lead department's liaisons when it is addressed to them
(raised, reassigned), escalated or evaluated; the street when it is handed
back; the raising side when it is resolved."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from shequ.core.models.workbench import NotificationLevel
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, staff_covering
from shequ.whistles.models import Liaison, Whistle, WhistleUrgency


def _subject_of(whistle: Whistle) -> Subject:
    return Subject.of(whistle, reverse("whistles:whistle", args=[whistle.pk]))


def _liaisons(department_ids: Iterable[int]) -> list[int]:
    return list(
        Liaison.objects.filter(department_id__in=sorted(set(department_ids))).values_list(
            "user_id", flat=True
        )
    )


def _name(whistle: Whistle) -> str:
    return f"{whistle.number}“{whistle.title}”"


def whistle_addressed(actor: Actor, whistle: Whistle, *, reassigned: bool = False) -> None:
    """A new whistle (or one reassigned) reached its lead department; the
    cooperating departments hear of it too."""
    urgent = whistle.urgency == WhistleUrgency.URGENT
    word = "改派" if reassigned else ("紧急吹哨" if urgent else "新吹哨")
    departments = [whistle.lead_department_id, *whistle.cooperating.values_list("pk", flat=True)]
    notify(
        actor=actor,
        recipients=_liaisons(departments),
        subject=_subject_of(whistle),
        kind="whistle.reassigned" if reassigned else "whistle.raised",
        title=f"{word}：{_name(whistle)}，请报到",
        body=f"{whistle.community.name} · 牵头部门 {whistle.lead_department.name}",
        level=NotificationLevel.URGENT if urgent else NotificationLevel.WARNING,
    )


def whistle_escalated(actor: Actor, whistle: Whistle, *, label: str) -> None:
    """督办: the lead department and the street (the district at level 2)."""
    subject = _subject_of(whistle)
    street = staff_covering(subject=subject, permission="whistle.reassign")
    district = (
        staff_covering(subject=subject, permission="department.manage")
        if whistle.escalation >= 2
        else []
    )
    notify(
        actor=actor,
        recipients=[*_liaisons([whistle.lead_department_id]), *street, *district],
        subject=subject,
        kind="whistle.escalated",
        title=f"【{label}】{_name(whistle)}",
        body=f"{whistle.community.name} · {whistle.lead_department.name}",
        level=NotificationLevel.URGENT,
    )


def whistle_disputed(actor: Actor, whistle: Whistle) -> None:
    """退回: the street must reassign."""
    subject = _subject_of(whistle)
    notify(
        actor=actor,
        recipients=staff_covering(subject=subject, permission="whistle.reassign"),
        subject=subject,
        kind="whistle.disputed",
        title=f"吹哨被退回待改派：{_name(whistle)}",
        body=whistle.dispute_reason[:200],
        level=NotificationLevel.WARNING,
    )


def whistle_resolved(actor: Actor, whistle: Whistle) -> None:
    """办结: the raising side evaluates."""
    subject = _subject_of(whistle)
    raised_by = [whistle.raised_by_id] if whistle.raised_by_id else []
    notify(
        actor=actor,
        recipients=[*staff_covering(subject=subject, permission="whistle.evaluate"), *raised_by],
        subject=subject,
        kind="whistle.resolved",
        title=f"吹哨已办结待评价：{_name(whistle)}",
        body=whistle.result[:200],
    )


def whistle_evaluated(actor: Actor, whistle: Whistle) -> None:
    """The rating received by the lead department."""
    notify(
        actor=actor,
        recipients=_liaisons([whistle.lead_department_id]),
        subject=_subject_of(whistle),
        kind="whistle.evaluated",
        title=f"吹哨评价：{_name(whistle)} {whistle.get_evaluation_display()}",
    )
