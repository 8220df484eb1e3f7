"""Import and export of the catalog as the sheet districts publish (openpyxl).

One row an item. Import checks every row first; one bad row refuses the whole
file, each bad row reported in Chinese. A good file goes in in one
transaction: new codes become items, changed rows a new version, unchanged
rows nothing. Templates of materials and extra form fields are not in the
sheet, so an imported row keeps those of the current version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from openpyxl.styles import Alignment

from shequ.core import xlsx
from shequ.core.errors import DomainError, ValidationError
from shequ.core.history import record
from shequ.core.models import Region
from shequ.core.scope import Actor
from shequ.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from shequ.core.xlsx import ImportResult
from shequ.desk.catalog import services
from shequ.desk.catalog import validation as v
from shequ.desk.models import Category, ItemKind, ServiceItem

SHEET = "公共服务事项清单"
COLUMNS = [
    "事项编码",
    "事项名称",
    "类别",
    "责任部门",
    "设定依据",
    "申请材料",
    "法定时限（工作日）",
    "承诺时限（工作日）",
    "办件类型",
    "收费标准",
    "可代办",
    "可网办",
]
MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
REFUSALS = xlsx.Refusals(
    too_big="文件超过10MB，请拆分后上传。",
    unreadable="无法读取该文件，请上传 .xlsx 格式的Excel文件。",
    no_sheet="文件中没有名为“{sheet}”的工作表。",
    field="file",
)
_YES = {"是": True, "否": False}


def _fee_text(fee: Any) -> str:
    return "免费" if not fee else f"{fee}元"


def catalog_export(*, actor: Actor, items: list[ServiceItem]) -> bytes:
    """The sheet of the given items (from selectors.item_list)."""
    actor.require("service_item.view")
    book = xlsx.workbook()
    sheet = xlsx.sheet_add(
        book,
        SHEET,
        header=COLUMNS,
        rows=(
            [
                item.code,
                cur.name,
                Category(cur.category).label,
                cur.department,
                cur.legal_basis,
                "\n".join(v.material_to_sheet(m) for m in cur.materials),
                cur.legal_days,
                cur.promised_days,
                ItemKind(cur.kind).label,
                _fee_text(cur.fee),
                "是" if cur.proxy_allowed else "否",
                "是" if cur.online_allowed else "否",
            ]
            for item in items
            if (cur := item.current_version) is not None
        ),
        widths=(14, 30, 10, 16, 40, 40),
    )
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return xlsx.book_bytes(book)


@dataclass
class _Row:
    number: int
    code: str = ""
    spec: services.ItemSpec | None = None
    errors: list[str] = field(default_factory=list)


def _parse(number: int, cells: dict[str, str]) -> _Row:
    row = _Row(number=number)
    try:
        row.code = v.clean_code(cells["事项编码"])
    except DomainError as error:
        row.errors.append(error.message.rstrip("。"))
    try:
        proxy = _YES.get(cells["可代办"])
        online = _YES.get(cells["可网办"])
        if proxy is None or online is None:
            raise ValidationError("“可代办”“可网办”应填“是”或“否”")
        row.spec = services.item_spec(
            name=cells["事项名称"],
            category=cells["类别"],
            department=cells["责任部门"],
            legal_basis=cells["设定依据"],
            materials=v.materials_from_sheet(cells["申请材料"]),
            legal_days=cells["法定时限（工作日）"],
            promised_days=cells["承诺时限（工作日）"],
            kind=cells["办件类型"],
            fee=cells["收费标准"],
            proxy_allowed=proxy,
            online_allowed=online,
        )
    except DomainError as error:
        row.errors.append(error.message.rstrip("。"))
    return row


def _read(file: IO[bytes]) -> list[_Row]:
    rows: list[_Row] = []
    with xlsx.sheet_rows(file, sheet=SHEET, max_bytes=MAX_BYTES, refusals=REFUSALS) as lines:
        header = xlsx.header_read(lines)
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ValidationError(f"表头缺少以下列：{'、'.join(missing)}。", field="file")
        where = xlsx.positions(header, COLUMNS)
        for number, values in enumerate(lines, 2):
            if not any(xlsx.cell_text(c) for c in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(f"一次最多导入{MAX_ROWS}项事项。", field="file")
            rows.append(_parse(number, xlsx.row_cells(values, where)))
    if not rows:
        raise ValidationError("文件中没有事项数据。", field="file")
    seen: dict[str, int] = {}
    for row in rows:
        if row.code and row.code in seen:
            row.errors.append(f"事项编码与第{seen[row.code]}行重复")
        seen.setdefault(row.code, row.number)
    return rows


def _keep_unsheeted(spec: services.ItemSpec, item: ServiceItem) -> services.ItemSpec:
    """Carry over what the sheet does not hold: material templates, form fields."""
    cur = item.current_version
    if cur is None:
        return spec
    templates = {m["name"]: m.get("template", "") for m in cur.materials}
    materials = [{**m, "template": templates.get(m["name"], "")} for m in spec.materials]
    data = spec.as_dict() | {"materials": materials, "form_fields": list(cur.form_fields)}
    return services.ItemSpec(**data)


def catalog_import(*, actor: Actor, district: Region, file: IO[bytes]) -> ImportResult:
    """导入事项清单：全部行无误才写入，否则一行也不写。"""
    actor.require("service_item.manage")
    actor.require_region(district)
    rows = _read(file)
    with transaction.atomic():
        existing = {
            i.code: i
            for i in ServiceItem.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .filter(district=district, code__in=[r.code for r in rows if r.code])
        }
        for row in rows:
            item = existing.get(row.code)
            if item is not None and item.retired_at is not None:
                row.errors.append(f"事项“{item.name}”已停用，不能导入修订")
        bad = [r for r in rows if r.errors]
        if bad:
            raise ValidationError(
                f"文件共 {len(rows)} 行事项，其中 {len(bad)} 行有误，未导入任何数据。"
                "请改正后重新上传。",
                details=[{"row": r.number, "reason": "；".join(r.errors) + "。"} for r in bad],
            )
        result = ImportResult()
        now = timezone.now()
        for row in rows:
            assert row.spec is not None  # noqa: S101 - rows without errors carry a spec
            item = existing.get(row.code)
            if item is None:
                services.item_write_new(
                    actor=actor, district=district, code=row.code, spec=row.spec, now=now
                )
                result.created += 1
            elif services.item_write_revision(
                actor=actor, item=item, spec=_keep_unsheeted(row.spec, item), now=now
            ):
                result.revised += 1
            else:
                result.unchanged += 1
        record(
            actor=actor,
            action="service_item.import",
            region=district,
            changes={
                "created": result.created,
                "revised": result.revised,
                "unchanged": result.unchanged,
            },
            message="导入公共服务事项清单",
        )
    return result
