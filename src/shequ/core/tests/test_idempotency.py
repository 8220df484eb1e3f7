"""Idempotency-Key: one write per key, the stored answer replayed, a refused
request forgotten, keys expiring after 24 hours, and a race on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shequ.core.errors import ValidationError
from shequ.core.idempotency import fingerprint, idempotency_keys_expire, idempotent
from shequ.core.models import IdempotencyKey, ReceiptCounter
from shequ.core.numbering import receipt_next
from shequ.core.tick import TICK_JOBS, run_tick

DAY = dt.date(2026, 10, 8)


class Writer:
    """A ``run`` that writes (takes a receipt number) and counts its calls."""

    def __init__(self, community, status: int = 201, pause: float = 0.0) -> None:
        self.community = community
        self.status = status
        self.pause = pause
        self.calls = 0

    def __call__(self) -> tuple[int, dict]:
        self.calls += 1
        number = receipt_next(community=self.community, day=DAY)
        time.sleep(self.pause)
        return self.status, {"number": number}


def call(run, *, key: str | None = "k-1", body: dict | None = None, caller: str = "user:1"):
    return idempotent(caller=caller, scope="test.create", key=key, body=body or {"a": 1}, run=run)


def counter_last(community) -> int:
    row = ReceiptCounter.objects.filter(community=community, day=DAY).first()
    return row.last if row else 0


@pytest.mark.django_db
def test_without_a_key_every_call_runs(tree):
    run = Writer(tree.community)
    assert call(run, key=None) == (201, {"number": "2103020010012026100800001"})
    assert call(run, key=None) == (201, {"number": "2103020010012026100800002"})
    assert run.calls == 2
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_the_same_key_and_body_replays_the_first_answer(tree):
    run = Writer(tree.community)
    first = call(run, body={"a": 1, "b": [1, 2]})
    # the same body with its keys in another order is the same request
    second = call(run, body={"b": [1, 2], "a": 1})
    assert first == second == (201, {"number": "2103020010012026100800001"})
    assert run.calls == 1
    row = IdempotencyKey.objects.get()
    assert (row.caller, row.scope, row.key, row.status) == ("user:1", "test.create", "k-1", 201)
    assert row.fingerprint == fingerprint({"a": 1, "b": [1, 2]})
    assert len(row.fingerprint) == 64


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(tree):
    run = Writer(tree.community)
    call(run, body={"a": 1})
    with pytest.raises(ValidationError) as refused:
        call(run, body={"a": 2})
    assert refused.value.status == 422
    assert refused.value.message == "同一个 Idempotency-Key 不能用于不同的请求。"
    assert run.calls == 1


@pytest.mark.django_db
def test_keys_are_per_caller_and_scope(tree):
    run = Writer(tree.community)
    call(run, caller="user:1")
    call(run, caller="user:2")
    idempotent(caller="user:1", scope="other.create", key="k-1", body={"a": 1}, run=run)
    assert run.calls == 3
    assert IdempotencyKey.objects.count() == 3


@pytest.mark.django_db
def test_a_failed_run_leaves_no_key_and_no_write(tree):
    def failing() -> tuple[int, dict]:
        receipt_next(community=tree.community, day=DAY)
        raise ValidationError("材料不全。")

    with pytest.raises(ValidationError):
        call(failing)
    assert IdempotencyKey.objects.count() == 0
    assert counter_last(tree.community) == 0  # rolled back with the key
    # a fixed retry under the same key runs
    assert call(Writer(tree.community))[1] == {"number": "2103020010012026100800001"}


@pytest.mark.django_db
def test_a_4xx_answer_is_not_stored(tree):
    refusing = Writer(tree.community, status=422)
    assert call(refusing)[0] == 422
    assert IdempotencyKey.objects.count() == 0
    assert counter_last(tree.community) == 0
    ok = Writer(tree.community)
    assert call(ok) == (201, {"number": "2103020010012026100800001"})
    assert call(ok) == (201, {"number": "2103020010012026100800001"})
    assert ok.calls == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "Idempotency-Key 不能为空。"),
        ("   ", "Idempotency-Key 不能为空。"),
        ("x" * 129, "Idempotency-Key 不能超过128个字符。"),
        ("a\nb", "Idempotency-Key 只能由可见的英文字母、数字和符号组成。"),
        ("幂等", "Idempotency-Key 只能由可见的英文字母、数字和符号组成。"),
    ],
)
def test_bad_keys_are_refused_before_running(tree, key, message):
    run = Writer(tree.community)
    with pytest.raises(ValidationError) as refused:
        call(run, key=key)
    assert (refused.value.status, refused.value.message) == (422, message)
    assert run.calls == 0


@pytest.mark.django_db
def test_keys_expire_after_24_hours(tree, monkeypatch):
    start = timezone.now()
    run = Writer(tree.community)
    call(run, key="old")
    monkeypatch.setattr("django.utils.timezone.now", lambda: start + dt.timedelta(hours=23))
    call(run, key="young")
    call(run, key="old")
    assert run.calls == 2  # still within 24 h: replayed

    monkeypatch.setattr("django.utils.timezone.now", lambda: start + dt.timedelta(hours=25))
    # an expired key not yet swept by tick is a new request
    assert call(run, key="old") == (201, {"number": "2103020010012026100800003"})
    assert run.calls == 3
    assert IdempotencyKey.objects.filter(key="old").count() == 1

    monkeypatch.setattr("django.utils.timezone.now", lambda: start + dt.timedelta(hours=48))
    assert idempotency_keys_expire() == 1  # "young"; the renewed "old" is 23 h old
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["old"]
    assert idempotency_keys_expire() == 0


@pytest.mark.django_db
def test_tick_sweeps_old_keys(tree, monkeypatch):
    assert "shequ.core.idempotency.idempotency_keys_expire" in TICK_JOBS
    start = timezone.now()
    call(Writer(tree.community), key="old")
    monkeypatch.setattr("django.utils.timezone.now", lambda: start + dt.timedelta(hours=25))
    results = {r.name: r for r in run_tick(only="idempotency_keys_expire")}
    assert results["idempotency_keys_expire"].ok
    assert results["idempotency_keys_expire"].result == 1
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_write_once(tree):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time; the race is a PostgreSQL test")
    # given: two clients sending the same create with the same key together;
    # the first holds its transaction open a while after claiming the key
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []
    errors: list[Exception] = []
    runs = Writer(tree.community, pause=0.3)
    lock = threading.Lock()

    def client() -> None:
        try:
            barrier.wait(5)
            with transaction.atomic():
                answer = call(runs, key="same-moment")
            with lock:
                answers.append(answer)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)

    # then: one write, and both get the same answer
    assert errors == []
    assert runs.calls == 1
    assert answers == [(201, {"number": "2103020010012026100800001"})] * 2
    assert counter_last(tree.community) == 1
    assert IdempotencyKey.objects.filter(key="same-moment").count() == 1
