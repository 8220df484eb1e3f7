"""导出审计记录: the audit admin takes the records of a date range off the
platform, as Excel or CSV, filtered like the audit list page.

Each row carries what an outside party needs to re-verify it without the
platform: the record's seal block (number, range, count, hashes), the chain
hash the record was chained to (``前一条链哈希``), its own chain hash, and
``校验原文``, the exact bytes that were hashed (``audit_chain.canonical_record``):

    SM3(前一条链哈希 ‖ 校验原文) == 链哈希

and, over the rows of one whole block,

    SM3(上一区块哈希 ‖ "首条|末条|条数|末条的链哈希") == 区块哈希.

Rows come in id order (which is chain order but for a late commit sealed in
a later block; see ``audit_chain``). The
readable columns beside ``校验原文`` are for people: times in Beijing time,
roles and actions by their Chinese names, people's text that starts like a
formula kept text (``core.xlsx``: a quote-prefixed cell in Excel, a leading
apostrophe in CSV). Large ranges stream: a write-only workbook written to a
temporary file, the CSV row by row.

A range is at most ``MAX_DAYS`` days; the export itself is audited
(``audit.export``, with its filter and row count) before the first row goes out.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import io
import itertools
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shequ.core import xlsx
from shequ.core.audit_chain import (
    RECORD_FIELDS,
    AuditFilters,
    audit_search,
    block_chain,
    canonical_record,
)
from shequ.core.errors import DomainError
from shequ.core.history import record
from shequ.core.models import AuditBlock, AuditRecord
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.workdays import local_today

MAX_DAYS = 366
XLSX_MAX_ROWS = 1_048_575  # Excel's rows per sheet, less the header
FORMATS = ("xlsx", "csv")
SHEET = "审计记录"

COLUMNS = (
    "编号",
    "时间",
    "账号",
    "角色",
    "操作",
    "操作名称",
    "对象类型",
    "对象编号",
    "对象",
    "区划",
    "变更内容",
    "IP",
    "结果",
    "说明",
    "区块序号",
    "区块首条编号",
    "区块末条编号",
    "区块记录数",
    "上一区块哈希",
    "区块哈希",
    "封存时间",
    "前一条链哈希",
    "链哈希",
    "校验原文",
)
WIDTHS = (9, 20, 16, 14, 24, 18, 18, 10, 24, 14, 40, 15, 8, 30,
          8, 12, 12, 10, 20, 20, 20, 20, 20, 60)  # fmt: skip


def export_range(filters: AuditFilters) -> AuditFilters:
    """``filters`` with both dates set: to today and back ``MAX_DAYS`` days
    when not given; refused when reversed or longer than ``MAX_DAYS``."""
    date_to = filters.date_to or local_today()
    date_from = filters.date_from or date_to - timedelta(days=MAX_DAYS - 1)
    if date_from > date_to:
        raise DomainError(
            f"起始日期 {date_from} 晚于截止日期 {date_to}，请重新选择。", field="date_from"
        )
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise DomainError(
            f"一次最多导出 {MAX_DAYS} 天的审计记录，所选 {date_from} 至 {date_to} 共 {days} 天，"
            "请缩小日期范围后分次导出。",
            field="date_from",
        )
    return dataclasses.replace(filters, date_from=date_from, date_to=date_to)


@dataclass(frozen=True)
class AuditExport:
    filters: AuditFilters  # with both dates set
    count: int
    rows: Iterator[list[Any]]  # the rows after the header, produced as read

    @property
    def filename_stem(self) -> str:
        f = self.filters
        return f"审计记录_{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}"


def audit_export(*, actor: Actor, filters: AuditFilters, fmt: str) -> AuditExport:
    """The records to export, audited as exported (``audit.export``)."""
    actor.require("audit.export")
    if fmt not in FORMATS:
        raise DomainError("导出格式只能是 xlsx 或 csv。", field="format")
    bounded = export_range(filters)
    records = _in_id_order(audit_search(actor=actor, filters=bounded))
    count = records.count()
    if fmt == "xlsx" and count > XLSX_MAX_ROWS:
        raise DomainError(
            f"所选范围有 {count} 条记录，超过 Excel 一张表的上限 {XLSX_MAX_ROWS} 行："
            "请缩小日期范围，或导出 CSV。",
            field="date_from",
        )
    with transaction.atomic():
        exported = record(
            actor=actor,
            action="audit.export",
            changes={"format": fmt, "count": count, "filters": _described(bounded)},
            message=f"导出 {bounded.date_from} 至 {bounded.date_to} 的审计记录 {count} 条",
        )
    # What was there when counted: not this export's own record, nor later ones.
    return AuditExport(bounded, count, _rows(records.filter(id__lt=exported.pk)))


def audit_export_xlsx(*, actor: Actor, filters: AuditFilters) -> tuple[IO[bytes], AuditExport]:
    """The export as a workbook in an open temporary file (at its start)."""
    export = audit_export(actor=actor, filters=filters, fmt="xlsx")
    book = xlsx.workbook(streaming=True)
    sheet = xlsx.sheet_add(book, SHEET, header=COLUMNS, widths=WIDTHS)
    for row in export.rows:
        xlsx.append(sheet, row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    book.save(out)
    out.seek(0)
    return out, export


def audit_export_csv(*, actor: Actor, filters: AuditFilters) -> tuple[Iterator[str], AuditExport]:
    """The export as CSV text, a line at a time (UTF-8 with a BOM, so a
    spreadsheet opens the Chinese right)."""
    export = audit_export(actor=actor, filters=filters, fmt="csv")

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff"
        for row in itertools.chain([COLUMNS], export.rows):
            writer.writerow([xlsx.csv_text(value) for value in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return lines(), export


# -- rows ----------------------------------------------------------------------------------


def _in_id_order(records: QuerySet[AuditRecord]) -> QuerySet[AuditRecord]:
    # Id order streams off the primary key (chain order, block then id, would
    # sort the whole range before the first row); the two differ only where a
    # late commit was sealed in a later block, and each row carries the hash
    # it was chained to anyway.
    return records.order_by("id")


def _described(f: AuditFilters) -> dict[str, Any]:
    """The filter as the audit record keeps it (only what was set)."""
    doc = {
        "date_from": f.date_from.isoformat() if f.date_from else "",
        "date_to": f.date_to.isoformat() if f.date_to else "",
        "user": f.user,
        "action": f.action,
        "object_type": f.object_type,
        "object_id": f.object_id,
        "success": f.success,
        "region": f.region_code,
    }
    return {k: v for k, v in doc.items() if v not in ("", None)}


class _Chain:
    """The chain hash each exported record was chained to, one block's seals
    in memory at a time (rows in id order meet the blocks in turn)."""

    def __init__(self) -> None:
        self.block_id: int | None = None
        self.start = ""
        self.ids: list[int] = []
        self.hashes: list[str] = []

    def before(self, block: AuditBlock, record_id: int) -> str:
        if block.pk != self.block_id:
            self.start, seals = block_chain(block)
            self.block_id = block.pk
            self.ids = [rid for rid, _ in seals]
            self.hashes = [h for _, h in seals]
        at = bisect.bisect_left(self.ids, record_id)
        return self.hashes[at - 1] if at else self.start


def _rows(records: QuerySet[AuditRecord]) -> Iterator[list[Any]]:
    chain = _Chain()
    roles = dict(Role.choices)
    zone = timezone.get_current_timezone()

    def _local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")

    for r in records.iterator(chunk_size=2000):
        seal = getattr(r, "seal", None)
        block = seal.block if seal is not None else None
        doc = {name: getattr(r, name) for name in RECORD_FIELDS}
        changes = json.dumps(r.changes, ensure_ascii=False, sort_keys=True) if r.changes else ""
        yield [
            r.pk,
            _local(r.at),
            r.username,
            roles.get(r.role, r.role),
            r.action,
            r.action_label,
            r.object_type,
            r.object_id,
            r.object_repr,
            r.region.name if r.region else "",
            changes,
            r.ip or "",
            "成功" if r.success else "被拒绝",
            r.message,
            *(
                (
                    block.seq,
                    block.first_record_id,
                    block.last_record_id,
                    block.record_count,
                    block.prev_hash,
                    block.hash,
                    _local(block.sealed_at),
                    chain.before(block, r.pk),
                    seal.chain_hash,
                )
                if block is not None and seal is not None
                else ("",) * 6 + ("待封存", "", "")
            ),
            canonical_record(doc).decode(),
        ]
