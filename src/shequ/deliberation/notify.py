"""Who hears of deliberation's steps (通知), called by the services inside
their transaction: the community's reviewers of a topic waiting for review;
the proposer of the review's result; the invitees of a meeting's notice;
the residents who proposed, co-signed or voted of every status change of
their outcome; the meeting's organisers of an objection, and the resident
of its answer."""

from __future__ import annotations

from django.urls import reverse

from shequ.core.models.workbench import NotificationLevel
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, staff_covering
from shequ.deliberation.models import (
    Invitee,
    Meeting,
    Objection,
    Outcome,
    Topic,
    TopicState,
)
from shequ.deliberation.selectors import took_part

MINE = "deliberation:mine"


def topic_waiting(actor: Actor, topic: Topic) -> None:
    subject = Subject.of(topic, reverse("deliberation:topic", args=[topic.pk]))
    notify(actor=actor, recipients=staff_covering(subject=subject, permission="deliberation.review"),
           subject=subject, kind="topic.review", level=NotificationLevel.WARNING,
           title=f"议题待审核：{topic.number} {topic.title}")  # fmt: skip


def topic_reviewed(actor: Actor, topic: Topic) -> None:
    if topic.proposer_id is None:
        return
    outcome = TopicState(topic.status).label
    notify(actor=actor, recipients=[topic.proposer_id], subject=Subject.of(topic, reverse(MINE)),
           kind="topic.reviewed", title=f"您提出的议题“{topic.title}”{outcome}", body=topic.reason)  # fmt: skip


def meeting_noticed(actor: Actor, meeting: Meeting) -> None:
    users = Invitee.objects.filter(meeting=meeting, user__isnull=False).values_list(
        "user_id", flat=True
    )
    when = f"{meeting.starts_at:%m月%d日 %H:%M}"
    notify(actor=actor, recipients=list(users), subject=Subject.of(meeting, reverse(MINE)),
           kind="meeting.notice", title=f"协商会议通知：{meeting.title}（{when}，{meeting.place or '线上'}）",
           body=meeting.notice_text)  # fmt: skip


def outcome_changed(actor: Actor, outcome: Outcome, what: str) -> None:
    notify(actor=actor, recipients=took_part([outcome.topic_id])[outcome.topic_id], subject=Subject.of(outcome, reverse(MINE)),
           kind="outcome.status", title=f"协商成果“{outcome.title}”{what}")  # fmt: skip


def objection_raised(actor: Actor, objection: Objection, meeting_id: int) -> None:
    subject = Subject.of(objection, reverse("deliberation:meeting", args=[meeting_id]))
    notify(actor=actor, recipients=staff_covering(subject=subject, permission="deliberation.meet"),
           subject=subject, kind="objection.raise", level=NotificationLevel.WARNING,
           title=f"居民对协商结果提出异议：{objection.text[:30]}")  # fmt: skip


def objection_answered(actor: Actor, objection: Objection) -> None:
    if objection.user_id is None:
        return
    notify(actor=actor, recipients=[objection.user_id], subject=Subject.of(objection, reverse(MINE)),
           kind="objection.answer", title="社区已答复您对协商结果的异议", body=objection.answer)  # fmt: skip
