"""Receipt numbers: <community code><yyyymmdd><5-digit seq>, unique under concurrency."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from shequ.core.models import ReceiptCounter
from shequ.core.numbering import receipt_next


def test_numbers_count_up_per_community_and_day(tree):
    day = date(2026, 10, 8)
    # when: three receipts for 站前社区 and one for 利民社区 the same day
    numbers = [receipt_next(community=tree.community, day=day) for _ in range(3)]
    other = receipt_next(community=tree.other_community, day=day)
    # then: each community counts from 00001
    assert numbers == [
        "2103020010012026100800001",
        "2103020010012026100800002",
        "2103020010012026100800003",
    ]
    assert other == "2103020010022026100800001"
    # and: a new day starts again at 00001
    assert (
        receipt_next(community=tree.community, day=date(2026, 10, 9)) == "2103020010012026100900001"
    )
    assert ReceiptCounter.objects.get(community=tree.community, day=day).last == 3


def test_a_rolled_back_transaction_gives_its_number_back(tree):
    day = date(2026, 10, 8)
    receipt_next(community=tree.community, day=day)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert receipt_next(community=tree.community, day=day).endswith("00002")
        raise RuntimeError("service refused")
    assert receipt_next(community=tree.community, day=day).endswith("00002")


def test_only_communities_issue_numbers(tree):
    with pytest.raises(ValueError):
        receipt_next(community=tree.building, day=date(2026, 10, 8))


def test_default_day_is_today_in_beijing(tree, settings):
    from django.utils import timezone

    number = receipt_next(community=tree.community)
    assert number == f"{tree.community.code}{timezone.localdate():%Y%m%d}00001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_distinct_consecutive_numbers(tree):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time; the race is a PostgreSQL test")
    # given: 8 writers × 25 receipts for the same community and day
    day = date(2026, 10, 8)
    barrier = threading.Barrier(8)
    numbers: list[str] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def writer() -> None:
        try:
            barrier.wait(5)
            mine = []
            for _ in range(25):
                with transaction.atomic():
                    mine.append(receipt_next(community=tree.community, day=day))
            with lock:
                numbers.extend(mine)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # then: 200 distinct numbers, exactly 00001..00200
    assert errors == []
    assert len(numbers) == 200
    assert sorted(numbers) == [f"{tree.community.code}20261008{i:05d}" for i in range(1, 201)]
