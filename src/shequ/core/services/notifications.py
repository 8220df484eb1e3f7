"""Writes of notifications (通知) and the outbox (外发消息).

``notify`` is called by an app's service inside its own transaction (an
assignment, an escalation, a rating received, a hand-over, a reopen): the
notifications and their outbox rows commit with the write or not at all.
The outbox is sent by ``shequ tick`` (``core.outbox.outbox_deliver``),
never from inside the write.

Recipients are chosen by the caller (the department's liaisons, the
community's staff …) and filtered here once more: a person is notified only
if one of their grants covers the object's community, so a notification
never links to an object outside its reader's scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shequ.core import pii
from shequ.core.errors import NotFound
from shequ.core.history import record
from shequ.core.models import Grant, Notification, OutboxMessage, Region
from shequ.core.models.workbench import NotificationLevel, OutboxChannel
from shequ.core.permissions import roles_with
from shequ.core.scope import Actor


@dataclass(frozen=True)
class Subject:
    """What a notification is about: where it lives and where it is acted on."""

    url: str
    district_id: int
    community_id: int | None = None  # None: district-wide
    object_label: str = ""  # "whistles.whistle"
    object_id: int | None = None
    # Set when the object lives below its community (a compound's party
    # branch): grants on that region and on its ancestors cover it too.
    region_id: int | None = None

    @classmethod
    def of(cls, obj: Any, url: str) -> Subject:
        """A scoped row (it carries ``district_id`` and ``community_id``)."""
        return cls(
            url=url,
            district_id=obj.district_id,
            community_id=obj.community_id,
            object_label=obj._meta.label_lower,
            object_id=obj.pk,
        )


def _covering_q(subject: Subject) -> Q:
    """Grants whose region covers the subject's community (or, for a
    district-wide subject, lie in its district)."""
    if subject.community_id is None:
        return Q(region__district_id=subject.district_id)
    if subject.region_id is not None:
        row = Region.objects.filter(pk=subject.region_id).values(
            "district_id", "street_id", "community_id", "compound_id", "building_id"
        )
        ids = {subject.region_id, *(v for v in (row[0].values() if row else ()) if v)}
        return Q(region_id__in=sorted(ids))
    community = Region.objects.filter(pk=subject.community_id).values("street_id", "district_id")
    return (
        Q(region_id=subject.community_id)
        | Q(region_id__in=community.values("street_id"))
        | Q(region_id__in=community.values("district_id"))
    )


def staff_covering(*, subject: Subject, permission: str) -> list[int]:
    """The ids of the people whose grant covers ``subject`` with a role that
    holds ``permission`` (the community's workers, its street's officers …)."""
    return sorted(
        set(
            Grant.objects.filter(_covering_q(subject), role__in=roles_with(permission))
            .filter(user__is_active=True)
            .values_list("user_id", flat=True)
        )
    )


def notify(
    *,
    actor: Actor,
    recipients: Iterable[int],
    subject: Subject,
    kind: str,
    title: str,
    body: str = "",
    level: str = NotificationLevel.INFO,
    wechat: bool | None = None,
) -> list[Notification]:
    """Notify each of ``recipients`` (user ids) whose grant covers the
    subject, except the actor; urgent ones (or ``wechat=True``) also go out
    by 政务微信 through the outbox. Call inside the caller's transaction."""
    if level not in NotificationLevel.values:
        raise ValueError(f"unknown notification level {level!r}")
    wanted = set(recipients)
    if actor.user is not None:
        wanted.discard(actor.user.pk)
    if not wanted:
        return []
    allowed = set(
        Grant.objects.filter(
            _covering_q(subject), user_id__in=wanted, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=user_id,
            district_id=subject.district_id,
            community_id=subject.community_id,
            kind=kind,
            level=level,
            title=title[:200],
            body=body[:500],
            url=subject.url,
            object_label=subject.object_label,
            object_id=subject.object_id,
            created_at=now,
        )
        for user_id in sorted(allowed)
    ]
    Notification.objects.bulk_create(rows)
    if wechat if wechat is not None else level == NotificationLevel.URGENT:
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                district_id=subject.district_id,
                channel=OutboxChannel.WECHAT,
                recipient_id=user_id,
                text=f"【社区治理平台】{title}"[:500],
                kind=kind,
                next_attempt_at=now,
                created_at=now,
            )
            for user_id in sorted(allowed)
        )
    return rows


def sms_enqueue(*, district_id: int, phone: str, text: str, kind: str) -> OutboxMessage:
    """An SMS to a resident's phone (given in clear by the caller, which holds
    it encrypted), sent later by ``shequ tick``. Call inside the write."""
    now = timezone.now()
    return OutboxMessage.objects.create(
        district_id=district_id,
        channel=OutboxChannel.SMS,
        address_enc=pii.encrypt(phone),
        address_masked=pii.mask_phone(phone),
        text=f"【社区治理平台】{text}"[:500],
        kind=kind,
        next_attempt_at=now,
        created_at=now,
    )


def notification_read(*, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (again is a no-op)."""
    user = actor.require_user()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, recipient=user)
            .first()
        )
        if notification is None:
            raise NotFound("通知不存在，或不是发给您的。")
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            record(
                actor=actor,
                action="notification.read",
                obj=notification,
                changes={"kind": notification.kind},
            )
    return notification


def notifications_read_all(*, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    user = actor.require_user()
    with transaction.atomic():
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if count:
            record(actor=actor, action="notification.read_all", changes={"count": count})
    return count
