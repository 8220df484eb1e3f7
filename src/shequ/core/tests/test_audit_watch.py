"""审计链每日校验: the daily tick job seals and verifies the whole chain once
a day, and a tampered record alerts every audit and security admin, once a day."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shequ.core.audit import audit_log
from shequ.core.audit_chain import seal_pending
from shequ.core.models import AuditBlock, AuditRecord, AuditSeal, Notification, OutboxMessage
from shequ.core.services import audit_watch
from shequ.core.services.audit_watch import AuditChainBroken, audit_chain_daily_check
from shequ.core.tests.factories import actor_for
from shequ.core.tests.test_audit_chain import _behind_the_apps_back

CLOCK_START = "2026-09-29"
NOW = timedelta(0)


@pytest.fixture
def sealed(people, clock):
    """Five records written yesterday, sealed in blocks of two."""
    clock.set("2026-09-28", hour=15)
    actor = actor_for(people.worker)
    records = [
        audit_log(actor=actor, action="resident.change", obj=people.worker, changes={"n": i})
        for i in range(5)
    ]
    seal_pending(batch=2, settle=NOW)
    clock.set("2026-09-29", hour=0, minute=1)
    return records


def _outcomes() -> list[tuple[str, str]]:
    return list(
        AuditRecord.objects.filter(
            action__in=("audit.chain_verified", "audit.chain_broken")
        ).values_list("action", "message")
    )


def test_an_untouched_chain_is_verified_once_a_day_and_nobody_is_notified(sealed, clock):
    # when: the first tick of the day runs the job
    result = audit_chain_daily_check()
    # then: the whole chain was recomputed and the day's outcome recorded
    summary = "审计链完整：已校验 5 条记录、3 个区块；待封存 0 条"
    assert result == summary
    [outcome] = AuditRecord.objects.filter(action="audit.chain_verified")
    assert (outcome.username, outcome.success, outcome.message) == ("系统:tick", True, summary)
    assert outcome.changes == {
        "checked": 5,
        "blocks": 3,
        "unsealed": 0,
        "last_block_hash": AuditBlock.objects.get(seq=3).hash,
    }
    assert Notification.objects.count() == OutboxMessage.objects.count() == 0
    # when: ticks run again the same day, they leave the chain alone
    clock.advance(hours=12)
    assert audit_chain_daily_check() == "今日已校验（审计链完整）"
    assert _outcomes() == [("audit.chain_verified", summary)]
    # when: the next day comes, it verifies again (yesterday's outcome record included)
    clock.set("2026-09-30", hour=0, minute=1)
    assert audit_chain_daily_check() == "审计链完整：已校验 6 条记录、4 个区块；待封存 0 条"
    assert len(_outcomes()) == 2


def test_a_tampered_record_alerts_the_audit_and_security_admins_once_a_day(sealed, people, clock):
    # given: a DBA rewrote a sealed record behind the app's back
    target = sealed[2]
    _behind_the_apps_back(
        "UPDATE core_auditrecord SET message = %s WHERE id = %s", ["改过了", target.pk]
    )
    reason = f"审计记录 #{target.pk} 的内容与封存时不一致：该记录被篡改。"
    # when: the daily check runs
    with pytest.raises(AuditChainBroken) as error:
        audit_chain_daily_check()
    # then: it fails the tick, having recorded the fault ...
    assert str(error.value) == f"审计链校验失败：{reason}（已通知 2 人）"
    [broken] = AuditRecord.objects.filter(action="audit.chain_broken")
    assert (broken.username, broken.message) == ("系统:tick", reason)
    assert broken.changes == {
        "first_bad_record_id": target.pk,
        "checked": 2,
        "blocks": 1,
        "reason": reason,
    }
    # ... and notified the audit admin (to the record) and the security admin, urgently
    notes = Notification.objects.order_by("recipient__username")
    assert [(n.recipient, n.kind, n.level, n.url, n.body) for n in notes] == [
        (
            people.audit_admin,
            "audit.chain_broken",
            "urgent",
            reverse("core:audit_detail", args=[target.pk]),
            reason,
        ),
        (
            people.security_admin,
            "audit.chain_broken",
            "urgent",
            reverse("core:notifications"),
            reason,
        ),
    ]
    assert {n.title for n in notes} == {"审计链每日校验发现问题：审计记录可能被篡改或删除"}
    assert sorted(OutboxMessage.objects.values_list("recipient__username", "channel")) == [
        ("audit_admin", "wechat"),
        ("security_admin", "wechat"),
    ]
    # when: the tick runs again that day: no second alert
    clock.advance(minutes=1)
    assert audit_chain_daily_check() == "今日已校验（发现问题，已告警）"
    assert (Notification.objects.count(), len(_outcomes())) == (2, 1)
    # when: the next day it is still broken: alerted again
    clock.set("2026-09-30", hour=0, minute=1)
    with pytest.raises(AuditChainBroken):
        audit_chain_daily_check()
    assert (Notification.objects.count(), len(_outcomes())) == (4, 2)


def test_a_deactivated_admin_is_not_alerted(sealed, people):
    people.security_admin.is_active = False
    people.security_admin.save(update_fields=["is_active"])
    _behind_the_apps_back(
        "DELETE FROM core_auditrecord WHERE id = %s", [sealed[0].pk]
    )  # (its seal left behind)
    with pytest.raises(AuditChainBroken, match="已被删除（第 1 号区块）。（已通知 1 人）"):
        audit_chain_daily_check()
    assert list(Notification.objects.values_list("recipient", flat=True)) == [people.audit_admin.pk]


def test_it_seals_what_is_pending_before_verifying(people, clock):
    # given: records nobody has sealed yet (written a minute ago)
    actor = actor_for(people.worker)
    for _ in range(3):
        audit_log(actor=actor, action="resident.change", obj=people.worker)
    clock.advance(minutes=1)
    # when / then: the check seals them and verifies them
    assert audit_chain_daily_check() == "审计链完整：已校验 3 条记录、1 个区块；待封存 0 条"
    assert AuditSeal.objects.count() == 3


def test_a_check_that_lost_the_race_writes_nothing(sealed, monkeypatch):
    # given: another tick records the day's outcome while this one verifies
    real_verify = audit_watch.verify

    def verify_while_another_tick_finishes():
        result = real_verify()
        monkeypatch.setattr(audit_watch, "verify", real_verify)
        assert audit_chain_daily_check().startswith("审计链完整")  # the other tick
        return result

    monkeypatch.setattr(audit_watch, "verify", verify_while_another_tick_finishes)
    # when: this one comes to write
    assert audit_chain_daily_check() == "今日已校验（另一次定时任务刚刚完成）"
    # then: one outcome for the day, not two
    assert len(_outcomes()) == 1


def test_shequ_tick_reports_a_broken_chain_and_runs_the_other_jobs(sealed):
    _behind_the_apps_back(
        "UPDATE core_auditrecord SET username = %s WHERE id = %s", ["someone", sealed[4].pk]
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as error:
        call_command("tick", stdout=out, stderr=err)
    assert error.value.returncode == 1
    assert err.getvalue().strip() == (
        "✗ audit_chain_daily_check: AuditChainBroken: 审计链校验失败："
        f"审计记录 #{sealed[4].pk} 的内容与封存时不一致：该记录被篡改。（已通知 2 人）"
    )
    assert "✓ seal_pending" in out.getvalue() and "✓ outbox_deliver" in out.getvalue()
    assert Notification.objects.filter(kind="audit.chain_broken").count() == 2
