"""协商目录 in Excel (openpyxl, through ``core.xlsx``): the sheet a district's
civil-affairs office keeps, one row an item, exported for the district or for
one community (its own items beside the district's, and which it adopted).

Import (the district's, ``deliberation.catalog``) checks every row first; one
bad row refuses the whole file, each bad row reported in Chinese. A good file
goes in in one transaction through the catalog services: new codes become
items, changed rows a new version, unchanged rows nothing. A community's own
items (本社区增补) are kept by that community and refused here, and whether a
community adopts an item is the community's act, so that column is not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import F, Q
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from shequ.core import xlsx
from shequ.core.errors import DomainError, ValidationError
from shequ.core.history import record
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from shequ.core.xlsx import ImportResult
from shequ.deliberation.models import (
    ConsultationAdoption,
    ConsultationItem,
    ConsultationItemVersion,
    MatterLevel,
    MeetingForm,
    Participant,
    VoteRule,
)
from shequ.deliberation.services.catalog import (
    consultation_item_create,
    consultation_item_revise,
    version_fields,
)

SHEET = "协商目录"
COLUMNS = [
    "序号",
    "条目编码",
    "门类",
    "协商事项",
    "协商内容",
    "协商形式",
    "参与主体",
    "表决规则",
    "事项层级",
    "依据",
    "版本",
    "来源",
]
ADOPTED = "本社区是否采用"  # the community sheet's last column
# 序号, 版本 and 来源 describe the row; an import needs the item's own columns.
REQUIRED = COLUMNS[1:10]
FROM_DISTRICT = "区级目录"
FROM_COMMUNITY = "本社区增补"
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_SHOWN = 20  # bad rows listed in a refusal
REFUSALS = xlsx.Refusals(
    too_big="文件超过5MB，请拆分后上传。",
    unreadable="无法读取该文件，请上传 .xlsx 格式的Excel文件。",
    no_sheet="文件中没有名为“{sheet}”的工作表（现有工作表：{names}）。",
    field="file",
)
# What a person may type between several forms or participants.
_SEPARATORS = re.compile(r"[、，,；;/\s]+")

_FORMS = {label: value for value, label in MeetingForm.choices}
_PARTICIPANTS = {label: value for value, label in Participant.choices}
_RULES = {label: value for value, label in VoteRule.choices}
_LEVELS = {label: value for value, label in MatterLevel.choices}


# -- export -----------------------------------------------------------------------------


def _choice_lists(sheet: Any, rows: int) -> None:
    """Drop-down lists for the single-choice columns, a little past the last row."""
    for letter, column, labels in (("H", "表决规则", _RULES), ("I", "事项层级", _LEVELS)):
        check = DataValidation(type="list", formula1=f'"{",".join(labels)}"', allow_blank=True)
        check.error, check.showErrorMessage = f"请从下拉列表中选择{column}。", True
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{rows + 200}")


def catalog_xlsx(*, district: Region, community: Region | None = None) -> bytes:
    """The district's catalog (its items in use); for ``community`` also the
    community's own items and, per row, whether the community adopted it.
    The caller checks that the reader may see this district or community."""
    if community is not None and (
        community.level != RegionLevel.COMMUNITY or community.district_id != district.pk
    ):
        raise ValidationError("请选择本区的社区。", field="community")
    items = (
        ConsultationItem.objects.filter(
            district=district, retired_at__isnull=True, current_version__isnull=False
        )
        .select_related("current_version")
        .order_by(F("community").asc(nulls_first=True), "code")
    )
    header = list(COLUMNS)
    adopted: set[int] = set()
    if community is None:
        items = items.filter(community__isnull=True)
    else:
        items = items.filter(Q(community__isnull=True) | Q(community=community))
        header.append(ADOPTED)
        adopted = set(
            ConsultationAdoption.objects.filter(community=community, active=True).values_list(
                "item_id", flat=True
            )
        )
    rows = []
    for n, item in enumerate(items, start=1):
        cur = item.current_version
        assert cur is not None  # noqa: S101 - filtered on above
        row: list[Any] = [
            n,
            item.code,
            cur.category,
            cur.name,
            cur.content,
            cur.forms_display,
            cur.participants_display,
            VoteRule(cur.vote_rule).label,
            MatterLevel(cur.level).label,
            cur.legal_basis,
            cur.number,
            FROM_COMMUNITY if item.is_local else FROM_DISTRICT,
        ]
        if community is not None:
            row.append("是" if item.is_local or item.pk in adopted else "否")
        rows.append(row)
    book = xlsx.workbook()
    sheet = xlsx.sheet_add(
        book, SHEET, header=header, rows=rows, widths=(6, 12, 12, 24, 48, 22, 30, 30, 10, 36)
    )
    for line in sheet.iter_rows(min_row=2):
        line[4].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    _choice_lists(sheet, len(rows) + 1)
    return xlsx.book_bytes(book)


# -- import -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    code: str = ""
    fields: dict[str, Any] | None = None  # as ``version_fields`` returns them
    errors: list[str] = field(default_factory=list)


def _labels(text: str, known: dict[str, str], *, column: str) -> list[str]:
    chosen = [part for part in _SEPARATORS.split(text) if part]
    if not chosen:
        raise ValidationError(f"“{column}”列不能为空")
    unknown = [part for part in chosen if part not in known]
    if unknown:
        raise ValidationError(
            f"“{column}”列的“{'、'.join(unknown)}”无法识别，应填：{'、'.join(known)}"
            "（多项用“、”分隔）"
        )
    return [known[part] for part in chosen]


def _label(text: str, known: dict[str, str], *, column: str) -> str:
    if not text:
        raise ValidationError(f"“{column}”列不能为空")
    if text not in known:
        raise ValidationError(f"“{column}”列的“{text}”无法识别，应填：{'、'.join(known)}之一")
    return known[text]


def _parse(number: int, cells: dict[str, str]) -> _Row:
    row = _Row(number=number)

    def check(step: Any) -> Any:
        try:
            return step()
        except DomainError as error:
            row.errors.append(error.message.rstrip("。"))
            return None

    row.code = check(lambda: clean_text(cells["条目编码"], field="code", label="条目编码",
                                        max_length=32, single_line=True)) or ""  # fmt: skip
    source = cells.get("来源", "")
    if source == FROM_COMMUNITY:
        row.errors.append("“本社区增补”的条目由所在社区维护，不能通过区级目录导入")
    elif source not in ("", FROM_DISTRICT):
        row.errors.append(f"“来源”列应填“{FROM_DISTRICT}”或留空")
    forms = check(lambda: _labels(cells["协商形式"], _FORMS, column="协商形式"))
    participants = check(lambda: _labels(cells["参与主体"], _PARTICIPANTS, column="参与主体"))
    rule = check(lambda: _label(cells["表决规则"], _RULES, column="表决规则"))
    level = check(lambda: _label(cells["事项层级"], _LEVELS, column="事项层级"))
    if None in (forms, participants, rule, level):
        return row
    # The catalog service's own checks and normal form, so that an unchanged
    # row compares equal to the version it was exported from.
    row.fields = check(lambda: version_fields({
        "category": cells["门类"], "name": cells["协商事项"], "content": cells["协商内容"],
        "forms": forms, "participants": participants, "vote_rule": rule, "level": level,
        "legal_basis": cells["依据"],
    }))  # fmt: skip
    return row


def _read(file: IO[bytes]) -> list[_Row]:
    rows: list[_Row] = []
    with xlsx.sheet_rows(file, sheet=SHEET, max_bytes=MAX_BYTES, refusals=REFUSALS) as lines:
        header = xlsx.header_read(lines)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ValidationError(f"表头缺少以下列：{'、'.join(missing)}。", field="file")
        where = xlsx.positions(header, COLUMNS)
        for number, values in enumerate(lines, 2):
            if not any(xlsx.cell_text(c) for c in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(f"一次最多导入{MAX_ROWS}个条目。", field="file")
            rows.append(_parse(number, xlsx.row_cells(values, where)))
    if not rows:
        raise ValidationError("文件中没有协商目录条目。", field="file")
    seen: dict[str, int] = {}
    for row in rows:
        if row.code and row.code in seen:
            row.errors.append(f"条目编码与第{seen[row.code]}行重复")
        seen.setdefault(row.code, row.number)
    return rows


def _unchanged(version: ConsultationItemVersion | None, fields: dict[str, Any]) -> bool:
    return version is not None and all(getattr(version, k) == v for k, v in fields.items())


def _refuse(rows: list[_Row], bad: list[_Row]) -> ValidationError:
    shown = "，以下列出前" + str(MAX_SHOWN) + "行" if len(bad) > MAX_SHOWN else ""
    return ValidationError(
        f"文件共{len(rows)}行条目，其中{len(bad)}行有误，未导入任何数据{shown}。请改正后重新上传。",
        field="file",
        details=[{"row": r.number, "reason": "；".join(r.errors) + "。"} for r in bad[:MAX_SHOWN]],
    )


@transaction.atomic
def catalog_import(*, actor: Actor, district: Region, file: IO[bytes] | None) -> ImportResult:
    """导入协商目录：全部行无误才写入，否则一行也不写。"""
    actor.require("deliberation.catalog")
    if district.level != RegionLevel.DISTRICT:
        raise ValidationError("协商目录由区级维护，请选择区。", field="district")
    actor.require_region(district)
    if file is None:
        raise ValidationError("请选择要导入的Excel文件（.xlsx）。", field="file")
    rows = _read(file)
    existing = {
        item.code: item
        for item in ConsultationItem.objects.select_for_update(of=("self",))
        .select_related("current_version", "community")
        .filter(district=district, code__in=[r.code for r in rows if r.code])
    }
    for row in rows:
        item = existing.get(row.code)
        if item is None:
            continue
        if item.community is not None:
            row.errors.append(f"条目编码 {row.code} 已被{item.community.name}的本社区增补条目使用")
        elif item.retired_at is not None:
            row.errors.append(f"条目“{item.name}”已停用，不能导入修订")
    bad = [r for r in rows if r.errors]
    if bad:
        raise _refuse(rows, bad)
    result = ImportResult()
    for row in rows:
        assert row.fields is not None  # noqa: S101 - rows without errors carry their fields
        item = existing.get(row.code)
        try:
            if item is None:
                consultation_item_create(
                    actor=actor, district=district, code=row.code, **row.fields
                )
                result.created += 1
            elif _unchanged(item.current_version, row.fields):
                result.unchanged += 1
            else:
                consultation_item_revise(actor=actor, item_id=item.pk, **row.fields)
                result.revised += 1
        except DomainError as error:
            # The services' last word (a code taken meanwhile): nothing of the file stays.
            row.errors.append(error.message.rstrip("。"))
            raise _refuse(rows, [row]) from None
    record(actor=actor, action="consultation.import", region=district,
           changes={"created": result.created, "revised": result.revised,
                    "unchanged": result.unchanged},
           message="导入协商目录")  # fmt: skip
    return result
