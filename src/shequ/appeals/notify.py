"""Who hears of an appeal's steps (通知), called by the services inside their
transaction: the community's triage workers of a new appeal nobody owns
yet, and of a reopened one; the new owner of a hand-over."""

from __future__ import annotations

from django.urls import reverse

from shequ.appeals.models import Appeal
from shequ.core.models.workbench import NotificationLevel
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, staff_covering
from shequ.core.words import gist


def _subject(appeal: Appeal) -> Subject:
    return Subject.of(appeal, reverse("appeals:detail", args=[appeal.pk]))


def appeal_waiting(actor: Actor, appeal: Appeal) -> None:
    """A new appeal nobody owns yet: every worker who triages hears of it."""
    if appeal.owner_id is not None:
        return
    subject = _subject(appeal)
    notify(
        actor=actor,
        recipients=staff_covering(subject=subject, permission="appeal.triage"),
        subject=subject,
        kind="appeal.submitted",
        title=f"居民诉求待分办：{appeal.number} {gist(appeal.description, 24)}",
        level=NotificationLevel.WARNING,
    )


def appeal_reopened(actor: Actor, appeal: Appeal) -> None:
    """The resident was not satisfied: the owner (or every triage worker)."""
    subject = _subject(appeal)
    recipients = (
        [appeal.owner_id]
        if appeal.owner_id
        else staff_covering(subject=subject, permission="appeal.triage")
    )
    notify(
        actor=actor,
        recipients=recipients,
        subject=subject,
        kind="appeal.reopened",
        title=f"居民重新打开诉求：{appeal.number} {gist(appeal.description, 24)}",
        level=NotificationLevel.WARNING,
    )


def appeal_handed_over(actor: Actor, appeal: Appeal) -> None:
    notify(
        actor=actor,
        recipients=[appeal.owner_id] if appeal.owner_id else [],
        subject=_subject(appeal),
        kind="appeal.handed_over",
        title=f"诉求移交给您首接负责：{appeal.number} {gist(appeal.description, 24)}",
    )
