"""Receipt numbers: ``<community code><yyyymmdd><5-digit sequence>``.

``2103020010012026100100001`` is the first receipt of 站前社区 (210302001001)
on 2026-10-01. The sequence restarts every day per community and is taken
from ``ReceiptCounter`` under a row lock, so concurrent writers never share a
number. Call it inside the service's transaction: the lock is held to that
transaction's commit, and a rolled-back service gives its number back.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shequ.core.models import ReceiptCounter, Region, RegionLevel

SEQ_DIGITS = 5  # a community issues far fewer than 100,000 receipts a day;
# past that the number simply grows a digit and stays unique.


def _next_seq_postgresql(community: Region, day: date) -> int:
    table = ReceiptCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (district_id, community_id, day, last) VALUES (%s, %s, %s, 1) "  # noqa: S608 - table name from model meta
            f"ON CONFLICT (community_id, day, district_id) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [community.district_id, community.pk, day],
        )
        return cursor.fetchone()[0]


def _next_seq_portable(community: Region, day: date) -> int:
    counter, _ = ReceiptCounter.objects.get_or_create(
        community_id=community.pk, day=day, district_id=community.district_id
    )
    ReceiptCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return ReceiptCounter.objects.filter(pk=counter.pk).values_list("last", flat=True).get()


def receipt_next(*, community: Region, day: date | None = None) -> str:
    """The next receipt number of ``community`` for ``day`` (today, Beijing time,
    by default)."""
    if community.level != RegionLevel.COMMUNITY:
        raise ValueError(f"receipt numbers belong to a community, not to {community!r}")
    day = day or timezone.localdate()
    # No savepoint of its own: a failure here fails the caller's whole
    # transaction anyway, and a savepoint costs two round trips per number.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            seq = _next_seq_postgresql(community, day)
        else:
            seq = _next_seq_portable(community, day)
    return f"{community.code}{day:%Y%m%d}{seq:0{SEQ_DIGITS}d}"
