"""Sealing audit records into SM3 hash-chained blocks, and verifying the chain.

The chain
    Records are chained in *seal order*: blocks by ``seq``, and inside a block
    by record id. For each record
        chain_hash = SM3(prev_chain_hash ‖ canonical(record))
    where ``prev_chain_hash`` is the previous record's chain hash (64 zeros
    for the very first record) and ``canonical`` is a stable JSON of every
    column of the record (``canonical_record``). A block stores
        hash = SM3(prev_block_hash ‖ first_id|last_id|count|last_chain_hash)
    (``prev_block_hash`` is 64 zeros for block 1), so rewriting any record
    means rewriting every later seal and block hash. Operators who want to
    guard against a DBA forging the whole tail keep the latest block hash that
    ``shequ audit verify`` prints somewhere else (a signed e-mail, a paper log).

Sealing never slows a write
    ``core.history.record`` (through ``audit_log``) only inserts a record. ``seal_pending`` runs from
    ``shequ tick`` (and ``shequ audit seal``).

Concurrency: two ticks never fork the chain
    A block's ``seq`` and a seal's record id are unique. Two sealers that
    read the same last block both try to insert ``seq + 1``: the second waits
    on the unique index, fails with IntegrityError once the first commits,
    rolls back and retries from the new last block.

Late commits: nothing is skipped
    On PostgreSQL an id is taken at INSERT but becomes visible at COMMIT, so a
    record with a lower id can appear after higher ids were sealed. Sealing
    therefore (1) only takes records older than ``SEAL_SETTLE``, which
    leaves ordinary transactions time to commit, and (2) selects *unsealed*
    records, not "ids above the last sealed one": a late record is sealed in
    the next block (seal order is block first, then id, so the chain stays
    well defined). To keep each tick cheap, records below the highest sealed id
    are only looked for within ``LATE_WINDOW`` of now (the ``at`` index);
    ``seal_pending(full_scan=True)`` (``shequ audit seal --full``) looks at the
    whole table, and ``verify`` reports any unsealed record below the highest
    sealed id. Ids themselves are not contiguous (a rolled-back transaction
    burns its id), so deletion is detected through the seals instead: a seal
    whose record is gone, or a block whose seal count differs from the count
    it recorded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from shequ.core import registry
from shequ.core.errors import ValidationError
from shequ.core.models import AuditBlock, AuditRecord, AuditSeal, Region
from shequ.core.pii import sm3_hex
from shequ.core.scope import Actor

GENESIS = "0" * 64
SEAL_SETTLE = timedelta(seconds=5)
LATE_WINDOW = timedelta(days=1)
RECORD_FIELDS = (
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
_CHUNK = 2000  # ids per IN (...) — well under SQLite's variable limit


def canonical_record(row: dict[str, Any]) -> bytes:
    """Every column of a record as compact JSON with sorted keys, ``at`` in
    UTC ISO 8601 with microseconds: the same bytes on SQLite and PostgreSQL."""
    doc = {name: row[name] for name in RECORD_FIELDS}
    doc["at"] = row["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev: str, row: dict[str, Any]) -> str:
    return sm3_hex(prev.encode() + canonical_record(row))


def block_hash(prev: str, first_id: int, last_id: int, count: int, last_chain: str) -> str:
    return sm3_hex(f"{prev}{first_id}|{last_id}|{count}|{last_chain}".encode())


def _last_chain_hash(block: AuditBlock | None) -> str:
    if block is None:
        return GENESIS
    return (
        AuditSeal.objects.filter(block=block)
        .order_by("-record_id")
        .values_list("chain_hash", flat=True)
        .first()
    ) or GENESIS


def block_chain(block: AuditBlock) -> tuple[str, list[tuple[int, str]]]:
    """The chain hash ``block`` continues from (its predecessor's last) and its
    seals (record id, chain hash) in chain order: what an export needs to give
    each record the hash it was chained to."""
    start = _last_chain_hash(AuditBlock.objects.filter(seq=block.seq - 1).first())
    seals = AuditSeal.objects.filter(block=block).order_by("record_id")
    return start, list(seals.values_list("record_id", "chain_hash"))


# pg_advisory_xact_lock key: "shequ-audit-seal". Sealers queue on it, so the
# chain never forks, even when no block exists yet to lock (the first seal).
_SEAL_LOCK_KEY = 0x5E9A_0A0D


def _seal_block(batch: int, settle: timedelta, full_scan: bool) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
    # (SQLite: BEGIN IMMEDIATE already lets one writer in at a time.)
    last = AuditBlock.objects.select_for_update().order_by("-seq").first()
    now = timezone.now()
    pending = AuditRecord.objects.filter(seal__isnull=True, at__lte=now - settle)
    max_sealed = AuditBlock.objects.aggregate(m=Max("last_record_id"))["m"]
    if max_sealed is not None and not full_scan:
        pending = pending.filter(Q(id__gt=max_sealed) | Q(at__gte=now - LATE_WINDOW))
    rows = list(pending.order_by("id").values(*RECORD_FIELDS)[:batch])
    if not rows:
        return 0
    chain = _last_chain_hash(last)
    seals: list[tuple[int, str]] = []
    for row in rows:
        chain = chain_hash(chain, row)
        seals.append((row["id"], chain))
    prev = last.hash if last else GENESIS
    first_id, last_id = rows[0]["id"], rows[-1]["id"]
    block = AuditBlock.objects.create(
        seq=(last.seq + 1) if last else 1,
        first_record_id=first_id,
        last_record_id=last_id,
        record_count=len(rows),
        prev_hash=prev,
        hash=block_hash(prev, first_id, last_id, len(rows), chain),
        sealed_at=now,
    )
    AuditSeal.objects.bulk_create(
        [AuditSeal(record_id=rid, block=block, chain_hash=h) for rid, h in seals],
        batch_size=1000,
    )
    return len(rows)


def seal_pending(
    batch: int = 5000, *, settle: timedelta = SEAL_SETTLE, full_scan: bool = False
) -> int:
    """Seal every pending record, ``batch`` per block. Returns how many.
    Idempotent: a second run right after seals nothing."""
    total = 0
    while True:
        for attempt in range(5):
            try:
                with transaction.atomic():
                    sealed = _seal_block(batch, settle, full_scan)
                break
            except IntegrityError:
                # Another sealer took this block number first: start again
                # from the block it wrote.
                if attempt == 4:
                    raise
        total += sealed
        if sealed < batch:
            return total


# -- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # records whose hash was recomputed and matched
    first_bad_record_id: int | None
    reason: str
    blocks: int = 0
    unsealed: int = 0  # records not sealed yet (new ones, or late commits)
    last_block_hash: str = GENESIS


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def verify() -> VerifyResult:
    """Recompute every seal and block hash, in chain order; stop at the first
    fault and name the record it concerns."""
    chain = GENESIS
    prev_block = GENESIS
    checked = 0
    blocks = 0

    def fail(record_id: int | None, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, record_id, reason, blocks, _unsealed(), prev_block)

    for block in AuditBlock.objects.order_by("seq").iterator(chunk_size=500):
        expected_seq = blocks + 1
        if block.seq != expected_seq:
            return fail(None, f"缺少第 {expected_seq} 号审计区块：区块被删除。")
        if block.prev_hash != prev_block:
            return fail(block.first_record_id, f"第 {block.seq} 号区块与前一区块的哈希链断开。")
        seals = list(
            AuditSeal.objects.filter(block=block)
            .order_by("record_id")
            .values_list("record_id", "chain_hash")
        )
        ids = [rid for rid, _ in seals]
        records: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(ids):
            records.update(
                (r["id"], r)
                for r in AuditRecord.objects.filter(id__in=chunk).values(*RECORD_FIELDS)
            )
        lost = len(seals) != block.record_count
        for rid, stored in seals:
            row = records.get(rid)
            if row is None:
                return fail(rid, f"审计记录 #{rid} 已被删除（第 {block.seq} 号区块）。")
            chain = chain_hash(chain, row)
            if chain != stored:
                if lost:
                    return fail(
                        rid,
                        f"审计记录 #{rid} 之前的记录连同其封存被删除（第 {block.seq} 号区块）。",
                    )
                return fail(rid, f"审计记录 #{rid} 的内容与封存时不一致：该记录被篡改。")
            checked += 1
        if lost:
            return fail(
                ids[-1] if ids else block.last_record_id,
                f"第 {block.seq} 号区块应有 {block.record_count} 条记录，实有 "
                f"{len(seals)} 条：末尾的记录连同其封存被删除。",
            )
        if ids and (ids[0] != block.first_record_id or ids[-1] != block.last_record_id):
            return fail(ids[0], f"第 {block.seq} 号区块的记录范围被改动。")
        expected = block_hash(
            block.prev_hash, block.first_record_id, block.last_record_id, block.record_count, chain
        )
        if expected != block.hash:
            return fail(block.last_record_id, f"第 {block.seq} 号区块的哈希不符：区块被改动。")
        prev_block = block.hash
        blocks += 1
    return VerifyResult(True, checked, None, "", blocks, _unsealed(), prev_block)


def _unsealed() -> int:
    return AuditRecord.objects.filter(seal__isnull=True).count()


# -- reads for the audit admin's page ------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    success: bool | None = None
    region_code: str = ""


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_search(*, actor: Actor, filters: AuditFilters) -> QuerySet[AuditRecord]:
    """Records in the actor's region (and those with no region: anonymous
    attempts), newest first, with their region and seal in the same query."""
    actor.require("audit.view")
    qs = AuditRecord.objects.filter(_scope(actor))
    f = filters
    if f.user:
        qs = qs.filter(username__icontains=f.user.strip())
    if f.action:
        qs = qs.filter(action__startswith=f.action.strip())
    if f.object_type:
        qs = qs.filter(object_type=f.object_type.strip())
    if f.object_id:
        qs = qs.filter(object_id=f.object_id.strip())
    if f.date_from:
        qs = qs.filter(at__gte=_local_midnight(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_local_midnight(f.date_to + timedelta(days=1)))
    if f.success is not None:
        qs = qs.filter(success=f.success)
    if f.region_code:
        region = actor.regions().filter(code=f.region_code.strip()).first()
        if region is None:
            raise ValidationError(
                f"区划代码“{f.region_code}”不存在或不在您的范围内。", field="region"
            )
        anc = region.ancestor_field
        qs = qs.filter(**{f"region__{anc}": region} if anc else {"region": region})
    return qs.select_related("region", "seal__block").order_by("-id")


def _scope(actor: Actor) -> Q:
    region: Region | None = actor.region
    if region is None:
        return Q(pk__in=[])
    anc = region.ancestor_field
    within = Q(**{f"region__{anc}": region}) if anc else Q(region=region)
    return within | Q(region__isnull=True)


def audit_page(
    *, actor: Actor, filters: AuditFilters, number: str | int | None, per_page: int
) -> Page[AuditRecord]:
    """One page of ``audit_search``, its objects named (``audit_name_objects``)."""
    page = Paginator(audit_search(actor=actor, filters=filters), per_page).get_page(number)
    audit_name_objects(page)
    return page


def audit_get(*, actor: Actor, record_id: int) -> AuditRecord | None:
    actor.require("audit.view")
    record = (
        AuditRecord.objects.filter(_scope(actor), pk=record_id)
        .select_related("region", "seal__block")
        .first()
    )
    if record is not None:
        audit_name_objects([record])
    return record


MISSING_OBJECT = "（已不存在）"


def audit_name_objects(records: Iterable[AuditRecord]) -> None:
    """Set each record's ``object_name``: the object as it is now, named by
    its app's namer (``registry.AUDIT_OBJECT_NAMES``), one query per object
    type among ``records``. An object of a type without a namer, or one that
    is gone (a revoked grant), keeps the name it was written with, unless
    its namer names it (the register's: a resident's name was written
    unmasked)."""
    rows = list(records)
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.object_type and row.object_id:
            wanted[row.object_type].add(row.object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        namer = registry.AUDIT_OBJECT_NAMES.get(object_type)
        if namer is not None:
            found = namer(sorted(ids))
            names.update(((object_type, pk), name) for pk, name in found.items())
    for row in rows:
        row.object_name = names.get((row.object_type, row.object_id), row.object_repr)


@dataclass(frozen=True)
class SealStatus:
    sealed: bool
    block_seq: int | None = None
    sealed_at: datetime | None = None
    chain_hash: str = ""
    intact: bool | None = None  # recomputed hash matches (None: not sealed yet)


def seal_status(record: AuditRecord) -> SealStatus:
    """Recheck one record against its seal and its predecessor in the chain."""
    seal = AuditSeal.objects.filter(record_id=record.pk).select_related("block").first()
    if seal is None:
        return SealStatus(sealed=False)
    block = seal.block
    prev = (
        AuditSeal.objects.filter(block=block, record_id__lt=record.pk)
        .order_by("-record_id")
        .values_list("chain_hash", flat=True)
        .first()
    )
    if prev is None:
        prev = _last_chain_hash(AuditBlock.objects.filter(seq=block.seq - 1).first())
    row = AuditRecord.objects.filter(pk=record.pk).values(*RECORD_FIELDS).first()
    intact = row is not None and chain_hash(prev, row) == seal.chain_hash
    return SealStatus(True, block.seq, block.sealed_at, seal.chain_hash, intact)
