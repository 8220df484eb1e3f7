"""The SM3 audit chain: sealing, verification, tamper detection, append-only
triggers, and `shequ tick` / `shequ audit` that run them."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shequ.core import tick
from shequ.core.audit import audit_log
from shequ.core.audit_chain import (
    GENESIS,
    block_hash,
    canonical_record,
    seal_pending,
    seal_status,
    verify,
)
from shequ.core.models import AuditBlock, AuditRecord, AuditSeal
from shequ.core.tests.factories import actor_for

NOW = timedelta(0)


def _records(people, n: int) -> list[AuditRecord]:
    actor = actor_for(people.worker)
    return [
        audit_log(
            actor=actor,
            action="resident.change",
            obj=people.worker,
            changes={"phone": ["138****5678", "139****0000"], "n": i},
        )
        for i in range(n)
    ]


def _behind_the_apps_back(sql: str, params: list) -> None:
    """What a DBA could do: switch the triggers off, then write. The test's
    transaction rolls the DDL back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ("core_auditrecord", "core_auditseal"):
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        else:
            # ALTER TABLE refuses while this transaction's deferred FK checks are pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("core_auditrecord", "core_auditseal"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def test_verify_passes_on_an_untouched_database(people):
    # given: 12 records sealed in blocks of 5
    _records(people, 12)
    assert seal_pending(batch=5, settle=NOW) == 12
    # then: three blocks chained from the genesis hash, every record checked
    blocks = list(AuditBlock.objects.order_by("seq"))
    assert [(b.seq, b.record_count) for b in blocks] == [(1, 5), (2, 5), (3, 2)]
    assert blocks[0].prev_hash == GENESIS
    assert blocks[1].prev_hash == blocks[0].hash and blocks[2].prev_hash == blocks[1].hash
    result = verify()
    assert (
        result.ok,
        result.checked,
        result.blocks,
        result.unsealed,
        result.first_bad_record_id,
        result.last_block_hash,
    ) == (True, 12, 3, 0, None, blocks[2].hash)


def test_sealing_is_idempotent_and_waits_for_recent_records(people):
    # given: three records written just now
    records = _records(people, 3)
    # when: a tick seals with the default settle time
    # then: nothing yet (their transactions may have siblings still committing)
    assert seal_pending() == 0
    # when: sealed with no settle time, twice
    assert seal_pending(settle=NOW) == 3
    assert seal_pending(settle=NOW) == 0
    assert AuditSeal.objects.filter(record__in=records).count() == 3
    assert AuditBlock.objects.count() == 1


def test_chain_hash_formula(people):
    # given: two sealed records
    first, second = _records(people, 2)
    seal_pending(settle=NOW)
    # then: each chain hash is SM3(previous ‖ canonical record), the block hash
    # SM3(prev block ‖ first|last|count|last chain hash)
    from shequ.core.pii import sm3_hex

    rows = {
        r["id"]: r
        for r in AuditRecord.objects.values(
            "id",
            "at",
            "user_id",
            "username",
            "role",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "region_id",
            "changes",
            "ip",
            "success",
            "message",
        )
    }
    h1 = sm3_hex(GENESIS.encode() + canonical_record(rows[first.pk]))
    h2 = sm3_hex(h1.encode() + canonical_record(rows[second.pk]))
    assert AuditSeal.objects.get(pk=first.pk).chain_hash == h1
    assert AuditSeal.objects.get(pk=second.pk).chain_hash == h2
    block = AuditBlock.objects.get()
    assert block.hash == block_hash(GENESIS, first.pk, second.pk, 2, h2)
    assert b'"changes":{"n":0,"phone":["138****5678","139****0000"]}' in canonical_record(
        rows[first.pk]
    )


def test_an_update_behind_the_apps_back_is_named(people):
    # given: 8 sealed records
    records = _records(people, 8)
    seal_pending(batch=3, settle=NOW)
    target = records[4]
    # when: a DBA edits record #5's message with the triggers off
    _behind_the_apps_back(
        "UPDATE core_auditrecord SET message = %s WHERE id = %s", ["改过了", target.pk]
    )
    # then: verify names exactly that record
    result = verify()
    assert (result.ok, result.first_bad_record_id, result.checked) == (False, target.pk, 4)
    assert result.reason == f"审计记录 #{target.pk} 的内容与封存时不一致：该记录被篡改。"
    # and: the record page's seal check says the same
    assert seal_status(AuditRecord.objects.get(pk=target.pk)).intact is False
    assert seal_status(records[3]).intact is True


def test_a_deleted_record_is_detected(people):
    records = _records(people, 6)
    seal_pending(batch=10, settle=NOW)
    # when: record #3 is deleted, its seal left behind
    _behind_the_apps_back("DELETE FROM core_auditrecord WHERE id = %s", [records[2].pk])
    result = verify()
    assert (result.ok, result.first_bad_record_id) == (False, records[2].pk)
    assert result.reason == f"审计记录 #{records[2].pk} 已被删除（第 1 号区块）。"


def test_a_record_deleted_with_its_seal_is_detected(people):
    records = _records(people, 6)
    seal_pending(batch=10, settle=NOW)
    # when: record #3 and its seal are both deleted
    _behind_the_apps_back("DELETE FROM core_auditseal WHERE record_id = %s", [records[2].pk])
    _behind_the_apps_back("DELETE FROM core_auditrecord WHERE id = %s", [records[2].pk])
    # then: the next record no longer chains, and the block count says why
    result = verify()
    assert (result.ok, result.first_bad_record_id) == (False, records[3].pk)
    assert result.reason == f"审计记录 #{records[3].pk} 之前的记录连同其封存被删除（第 1 号区块）。"


def test_the_last_record_deleted_with_its_seal_is_detected(people):
    records = _records(people, 4)
    seal_pending(batch=10, settle=NOW)
    _behind_the_apps_back("DELETE FROM core_auditseal WHERE record_id = %s", [records[3].pk])
    _behind_the_apps_back("DELETE FROM core_auditrecord WHERE id = %s", [records[3].pk])
    result = verify()
    assert (result.ok, result.first_bad_record_id) == (False, records[2].pk)
    assert result.reason == "第 1 号区块应有 4 条记录，实有 3 条：末尾的记录连同其封存被删除。"


def test_a_late_commit_with_a_lower_id_is_sealed_not_skipped(people):
    # given: three records; the middle one's transaction committed late (it was
    # not yet visible, i.e. too recent, when the first tick ran)
    now = timezone.now()
    old = now - timedelta(minutes=5)
    r1, r2, r3 = (
        AuditRecord.objects.create(at=at, action="test.late", username="w")
        for at in (old, now, old)
    )
    # when: the first tick seals what has settled
    assert seal_pending() == 2
    assert set(AuditSeal.objects.values_list("record_id", flat=True)) == {r1.pk, r3.pk}
    # when: a later tick runs (the late record has settled too)
    assert seal_pending(settle=NOW) == 1
    # then: it went into block 2 although its id is below block 1's last id
    assert AuditSeal.objects.get(pk=r2.pk).block.seq == 2
    assert verify().ok is True


def test_the_trigger_refuses_an_orm_update(people):
    record = _records(people, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(message="改")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).delete()
    assert AuditRecord.objects.get(pk=record.pk).message == ""


def test_the_trigger_refuses_changes_to_seals_and_blocks(people):
    _records(people, 2)
    seal_pending(settle=NOW)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditSeal.objects.update(chain_hash=GENESIS)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditBlock.objects.update(hash=GENESIS)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditblock")
    assert verify().ok is True


def test_the_model_refuses_save_and_delete(people):
    record = _records(people, 1)[0]
    record.message = "改"
    with pytest.raises(TypeError, match="只能追加"):
        record.save()
    with pytest.raises(TypeError, match="只能追加"):
        record.delete()


def test_audit_verify_command(people):
    # given: a sealed, untouched chain
    records = _records(people, 3)
    call_command("audit", "seal")  # too recent for the default settle time
    seal_pending(settle=NOW)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("OK 审计链完整：已校验 3 条记录、1 个区块；待封存 0 条。")
    # when: one record is changed behind the app's back
    _behind_the_apps_back(
        "UPDATE core_auditrecord SET username = %s WHERE id = %s", ["someone", records[1].pk]
    )
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    # then: it exits 1 and names the record
    assert error.value.returncode == 1
    assert f"第一条有问题的记录：#{records[1].pk}" in err.getvalue()


def test_audit_seal_command(people):
    AuditRecord.objects.create(at=timezone.now() - timedelta(minutes=1), action="test.seal")
    out = StringIO()
    call_command("audit", "seal", stdout=out)
    assert out.getvalue().strip() == "已封存 1 条审计记录。"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sealers_never_fork_the_chain(people):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time; the race is a PostgreSQL test")
    # given: 40 settled records
    old = timezone.now() - timedelta(minutes=1)
    AuditRecord.objects.bulk_create([AuditRecord(at=old, action="test.race") for _ in range(40)])
    barrier = threading.Barrier(4)
    sealed: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            barrier.wait(5)
            sealed.append(seal_pending(batch=7))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    # when: four ticks seal at once
    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # then: every record sealed exactly once, block numbers 1..n without a fork
    assert errors == []
    assert sum(sealed) == 40
    assert AuditSeal.objects.count() == 40
    seqs = list(AuditBlock.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify().ok is True


# -- shequ tick ------------------------------------------------------------------------------


def test_tick_runs_every_job_in_order(people):
    AuditRecord.objects.create(at=timezone.now() - timedelta(minutes=1), action="test.tick")
    out = StringIO()
    call_command("tick", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "✓ seal_pending",
        "✓ region_stats_rebuild",
        "✓ case_stats_rebuild",
        "✓ station_months_rebuild",
        "✓ pairing_flags_refresh",
        "✓ whistles_escalate",
        "✓ outcome_tasks_flag_overdue",
        "✓ members_remind_probation",
        "✓ residents_erase_expired",
        "✓ users_disable_dormant",
        "✓ outbox_deliver",
        "✓ idempotency_keys_expire",
        "✓ audit_chain_daily_check",
    ]
    assert lines[0].startswith("✓ seal_pending: 1 (")
    assert AuditSeal.objects.count() == 1
    # idempotent: a second run seals nothing more
    out = StringIO()
    call_command("tick", "--only", "seal_pending", stdout=out)
    assert out.getvalue().startswith("✓ seal_pending: 0 (")


def test_tick_only_unknown_job():
    with pytest.raises(CommandError, match="没有名为“nope”的定时任务"):
        call_command("tick", "--only", "nope")


def test_a_failing_job_fails_the_tick_but_the_others_run(db, monkeypatch):
    monkeypatch.setattr(
        tick,
        "TICK_JOBS",
        [
            "shequ.core.tests.test_audit_chain.broken_job",
            *tick.TICK_JOBS,
        ],
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as error:
        call_command("tick", stdout=out, stderr=err)
    assert error.value.returncode == 1
    assert err.getvalue().strip() == "✗ broken_job: RuntimeError: 坏了"
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [
        "✓ seal_pending",
        "✓ region_stats_rebuild",
        "✓ case_stats_rebuild",
        "✓ station_months_rebuild",
        "✓ pairing_flags_refresh",
        "✓ whistles_escalate",
        "✓ outcome_tasks_flag_overdue",
        "✓ members_remind_probation",
        "✓ residents_erase_expired",
        "✓ users_disable_dormant",
        "✓ outbox_deliver",
        "✓ idempotency_keys_expire",
        "✓ audit_chain_daily_check",
    ]


def broken_job() -> None:
    raise RuntimeError("坏了")
