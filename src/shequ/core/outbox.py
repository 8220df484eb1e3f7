"""The outbox's delivery (外发消息): SMS and 政务微信 adapters, and the tick job
that sends what is due, with back-off.

An adapter is a class with ``send(message: Outgoing) -> None`` that raises
``DeliveryError`` when the gateway refuses or cannot be reached. Which class
serves a channel is a setting (``SHEQU_OUTBOX_CHANNELS``); the default logs
the message and succeeds, because no external service is reachable from the
政务外网 this runs in until an operator configures one (docs/operations.md).

Delivery is at least once: a message is leased (its next attempt moved
forward) in one short transaction, sent outside any transaction, and marked
in another. Two tick processes never send the same message at once; a
process killed between sending and marking sends it again after the lease.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from shequ.core import pii
from shequ.core.models import OutboxMessage
from shequ.core.models.workbench import OutboxState

logger = logging.getLogger("shequ.outbox")

MAX_ATTEMPTS = 6
BATCH = 200
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


class DeliveryError(Exception):
    """The gateway refused the message or could not be reached."""


@dataclass(frozen=True)
class Outgoing:
    """What an adapter sends: the channel, the address in clear (a phone) or
    the staff account, and the text."""

    id: int
    channel: str
    text: str
    phone: str = ""
    user_id: int | None = None


class Channel(Protocol):
    def send(self, message: Outgoing) -> None: ...


class LogChannel:
    """Writes the message to the ``shequ.outbox`` log and succeeds (the
    default until a gateway is configured)."""

    def send(self, message: Outgoing) -> None:
        to = pii.mask_phone(message.phone) if message.phone else f"user:{message.user_id}"
        logger.info("outbox %s #%s → %s: %s", message.channel, message.id, to, message.text)


@cache
def channel_for(name: str) -> Channel:
    paths = getattr(settings, "SHEQU_OUTBOX_CHANNELS", {})
    path = paths.get(name, "shequ.core.outbox.LogChannel")
    return import_string(path)()


def _lease(now) -> list[OutboxMessage]:
    """Claim the due messages: move their next attempt past the lease, so
    another process leaves them alone while this one sends."""
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:BATCH]
        )
        if due:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in due]).update(
                next_attempt_at=now + LEASE
            )
    return due


def _outgoing(message: OutboxMessage) -> Outgoing:
    phone = pii.decrypt(message.address_enc) if message.address_enc else ""
    return Outgoing(message.pk, message.channel, message.text, phone, message.recipient_id)


def outbox_deliver() -> dict[str, int]:
    """Send every due message once; a failure waits ``backoff(attempts)``,
    the ``MAX_ATTEMPTS``-th gives up (状态“发送失败”, kept for the record)."""
    now = timezone.now()
    sent = failed = retried = 0
    for message in _lease(now):
        try:
            channel_for(message.channel).send(_outgoing(message))
        except Exception as error:  # noqa: BLE001 - any adapter failure is a failed attempt
            attempts = message.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=attempts,
                status=OutboxState.FAILED if gave_up else OutboxState.PENDING,
                next_attempt_at=timezone.now() + backoff(attempts),
                last_error=f"{type(error).__name__}: {error}"[:300],
            )
            failed += gave_up
            retried += not gave_up
            continue
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=message.attempts + 1,
            status=OutboxState.SENT,
            sent_at=timezone.now(),
            last_error="",
        )
        sent += 1
    return {"sent": sent, "retry": retried, "failed": failed} if sent + failed + retried else {}
