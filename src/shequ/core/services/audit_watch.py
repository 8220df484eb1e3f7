"""审计链每日校验: once a day ``shequ tick`` seals what is pending and
recomputes the whole SM3 chain (``audit_chain.verify``); a broken chain
alerts every audit and security administrator.

The day's outcome is itself an audit record, and that record is the marker:
``audit.chain_verified`` (the chain was whole: how many records and blocks,
the latest block hash) or ``audit.chain_broken`` (the first bad record and
why). A tick that finds either written today does nothing, so the chain is
verified once a day (at the first tick after midnight, Beijing time) however
often tick runs, and a broken chain is reported once a day until it is
repaired or explained, not once a minute.

The verification is read-only and runs outside any transaction (it may take
a while on a large table, and a long transaction holds PostgreSQL's vacuum
back); only the outcome is written, in one short transaction that queues
concurrent ticks and looks at the marker again, so two ticks never both alert.
On a broken chain the job fails after the alert is committed: ``shequ tick``
exits 1 that day, for whatever watches its exit code.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from shequ.core.audit_chain import VerifyResult, seal_pending, verify
from shequ.core.history import record
from shequ.core.models import AuditRecord, Grant
from shequ.core.models.workbench import NotificationLevel
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify
from shequ.core.workdays import local_today

VERIFIED = "audit.chain_verified"
BROKEN = "audit.chain_broken"
ALERTED_ROLES = (Role.AUDIT_ADMIN, Role.SECURITY_ADMIN)
# pg_advisory_xact_lock key: "shequ-audit-watch" (the sealers use their own).
_WATCH_LOCK_KEY = 0x5E9A_0A0E


class AuditChainBroken(RuntimeError):
    """The day's verification failed (the alert is already sent)."""


def audit_chain_daily_check() -> str:
    """Seal, verify the whole chain once a day, alert on a fault. Returns what
    it did; raises ``AuditChainBroken`` the one time a day it finds a fault."""
    today = local_today()
    done = _checked(today)
    if done is not None:
        return f"今日已校验（{'发现问题，已告警' if done == BROKEN else '审计链完整'}）"
    seal_pending()
    result = verify()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WATCH_LOCK_KEY])
        # (SQLite: BEGIN IMMEDIATE already queues the second tick behind the first.)
        if _checked(today) is not None:
            return "今日已校验（另一次定时任务刚刚完成）"
        actor = Actor.for_command("tick")
        if result.ok:
            record(
                actor=actor,
                action=VERIFIED,
                changes={
                    "checked": result.checked,
                    "blocks": result.blocks,
                    "unsealed": result.unsealed,
                    "last_block_hash": result.last_block_hash,
                },
                message=_summary(result),
            )
            return _summary(result)
        record(
            actor=actor,
            action=BROKEN,
            changes={
                "first_bad_record_id": result.first_bad_record_id,
                "checked": result.checked,
                "blocks": result.blocks,
                "reason": result.reason,
            },
            message=result.reason,
        )
        alerted = _alert(actor, result)
    raise AuditChainBroken(f"审计链校验失败：{result.reason}（已通知 {alerted} 人）")


def _summary(result: VerifyResult) -> str:
    return (
        f"审计链完整：已校验 {result.checked} 条记录、{result.blocks} 个区块；"
        f"待封存 {result.unsealed} 条"
    )


def _checked(today: date) -> str | None:
    """The action of today's outcome record, if there is one."""
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    return (
        AuditRecord.objects.filter(action__in=(VERIFIED, BROKEN), at__gte=midnight)
        .order_by("-id")
        .values_list("action", flat=True)
        .first()
    )


def _alert(actor: Actor, result: VerifyResult) -> int:
    """An urgent notification (also by 政务微信) to each active audit and
    security administrator, in each district they hold the role in. Returns
    how many notifications."""
    audit_url = (
        reverse("core:audit_detail", args=[result.first_bad_record_id])
        if result.first_bad_record_id is not None
        else reverse("core:audit")
    )
    # The security admin cannot open audit records: the link goes to the bell.
    urls: dict[str, str] = {
        Role.AUDIT_ADMIN: audit_url,
        Role.SECURITY_ADMIN: reverse("core:notifications"),
    }
    wanted: dict[tuple[int, str], set[int]] = defaultdict(set)
    grants = Grant.objects.filter(role__in=ALERTED_ROLES, user__is_active=True)
    for user_id, role, district_id in grants.values_list("user_id", "role", "region__district_id"):
        if district_id is not None:
            wanted[(district_id, role)].add(user_id)
    sent = 0
    for (district_id, role), user_ids in sorted(wanted.items()):
        sent += len(
            notify(
                actor=actor,
                recipients=user_ids,
                subject=Subject(url=urls[role], district_id=district_id),
                kind=BROKEN,
                title="审计链每日校验发现问题：审计记录可能被篡改或删除",
                body=result.reason,
                level=NotificationLevel.URGENT,
            )
        )
    return sent
