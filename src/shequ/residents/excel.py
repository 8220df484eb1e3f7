"""Excel import and export of the resident register (openpyxl).

Import takes the sheet communities already keep (the downloadable template):
every row is checked first and the whole file is refused, with each bad row
and its reason in Chinese, if any row is wrong. A good file goes in within
one transaction: households as needed, residents in bulk (each row's numbers
encrypted on its own), one RegionStat bump per unit and one audit record.

Export writes the rows in scope with masked numbers through openpyxl's
write-only mode, so a large community never sits in memory as a workbook.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, connection, transaction

from shequ.core import xlsx
from shequ.core.errors import ValidationError
from shequ.core.history import record
from shequ.core.idcard import age_on, parse_id_number
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.xlsx import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE
from shequ.residents import selectors
from shequ.residents.masking import masked_id, masked_phone
from shequ.residents.models import (
    SENSITIVE_TAGS,
    Gender,
    Household,
    Relation,
    Resident,
    ResidentTag,
    Tag,
)
from shequ.residents.rollups import region_stats_bump
from shequ.residents.services import (
    clean_name,
    clean_phone,
    clean_room,
    duplicate_id_message,
    id_columns,
    phone_columns,
)

SHEET = "居民信息"
COLUMNS = ["小区", "楼栋", "单元", "门牌号", "姓名", "身份证号", "手机号", "与户主关系", "标签"]
OPTIONAL_COLUMNS = {"手机号", "标签"}
MAX_ROWS = 50_000
MAX_BYTES = 20 * 1024 * 1024
REFUSALS = xlsx.Refusals(
    not_xlsx="请上传 .xlsx 格式的 Excel 文件（Excel 2007 及以上版本）。",
    too_big="文件超过 20 MB，请分批导入。",
    unreadable="无法读取该文件：不是有效的 .xlsx 格式 Excel 文件。",
    no_sheet="找不到名为“{sheet}”的工作表（文件中的工作表：{names}）。请使用下载的模板。",
)

_RELATION_ALIASES = {
    "本人": Relation.HEAD,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
}
RELATION_BY_LABEL = {r.label: r.value for r in Relation} | _RELATION_ALIASES
TAG_BY_LABEL = {t.label: t.value for t in Tag}
# Derived from the birth date: accepted in the 标签 column and ignored.
DERIVED_TAG_LABELS = {"60+", "80+", "60岁以上", "80岁以上"}
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")


# -- template ---------------------------------------------------------------------


def import_template(*, actor: Actor) -> bytes:
    """The .xlsx to fill in: the 居民信息 sheet, the rules, and the units in scope."""
    wb = xlsx.workbook()
    ws = xlsx.sheet_add(wb, SHEET, header=COLUMNS, widths=(14, 10, 8, 10, 10, 22, 14, 12, 20))
    # Text format keeps 18-digit ID numbers whole (a number cell keeps 15 digits).
    for row in range(2, 2001):
        ws.cell(row=row, column=6).number_format = "@"
        ws.cell(row=row, column=7).number_format = "@"
    xlsx.sheet_add(
        wb,
        "填写说明",
        rows=(
            ["工作表名称须为“居民信息”，第一行为表头，从第二行起每行一位居民。"],
            ["小区、楼栋、单元须为本社区已有的区划（见“可选单元”工作表）。"],
            ["身份证号请按文本填写18位；性别和出生日期由身份证号自动得出。"],
            ["手机号可不填；填写时须为11位大陆手机号码。"],
            ["与户主关系可填：" + "、".join(Relation.labels) + "。每户只能有一位户主。"],
            [
                "标签可填（多个用逗号分隔）："
                + "、".join(Tag.labels)
                + "；60岁以上、80岁以上自动计算。"
            ],
            ["文件中任何一行有误时整份文件都不会导入，请按报告逐行改正后重新上传。"],
        ),
        widths=(90,),
    )
    xlsx.sheet_add(
        wb,
        "可选单元",
        header=["小区", "楼栋", "单元"],
        bold_header=False,
        rows=(
            [unit.compound.name, unit.building.name, unit.name]
            for unit in selectors.unit_choices(actor=actor)[:5000]
        ),
    )
    return xlsx.book_bytes(wb)


# -- import: reading and checking ---------------------------------------------------


@dataclass
class _Row:
    number: int
    unit: Region | None = None
    room: str = ""
    name: str = ""
    id_cols: dict[str, Any] = field(default_factory=dict)
    phone: str = ""
    relation: str = ""
    tags: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


@dataclass
class ResidentImportResult(xlsx.ImportResult):
    """Every imported row is a new resident (``created``); ``households`` were
    made on the way for doors not yet registered."""

    households: int = 0

    @property
    def residents(self) -> int:
        return self.created


class _Places:
    """Compounds, buildings and units of the actor's scope, looked up by name."""

    def __init__(self, actor: Actor):
        regions = list(
            actor.regions()
            .filter(level__in=[RegionLevel.COMPOUND, RegionLevel.BUILDING, RegionLevel.UNIT])
            .select_related("compound", "building")
        )
        self.compounds: dict[str, list[Region]] = defaultdict(list)
        self.children: dict[int, dict[str, Region]] = defaultdict(dict)
        for region in regions:
            if region.level == RegionLevel.COMPOUND:
                self.compounds[region.name].append(region)
            else:
                self.children[region.parent_id][region.name] = region

    @staticmethod
    def _child(children: dict[str, Region], name: str, suffixes: tuple[str, ...]) -> Region | None:
        for candidate in (name, *(name + s for s in suffixes)):
            if candidate in children:
                return children[candidate]
        return None

    def unit(self, compound: str, building: str, unit: str) -> Region:
        if not compound or not building or not unit:
            raise ValidationError("小区、楼栋、单元均须填写")
        found = self.compounds.get(compound, [])
        if not found:
            raise ValidationError(f"小区“{compound}”不存在或不在您的管辖范围内")
        if len(found) > 1:
            raise ValidationError(f"您的管辖范围内有多个名为“{compound}”的小区，请按社区分别导入")
        b = self._child(self.children[found[0].pk], building, ("号楼", "栋", "幢"))
        if b is None:
            raise ValidationError(f"小区“{compound}”下没有楼栋“{building}”")
        u = self._child(self.children[b.pk], unit, ("单元",))
        if u is None:
            raise ValidationError(f"{compound}{b.name}没有单元“{unit}”")
        return u


def _parse_row(
    row: _Row, cells: dict[str, str], actor: Actor, places: _Places, *, id_is_number: bool
) -> None:
    def check(fn, *args):
        try:
            return fn(*args)
        except ValidationError as error:
            row.errors.append(error.message.rstrip("。"))
            return None

    row.unit = check(places.unit, cells["小区"], cells["楼栋"], cells["单元"])
    row.room = check(clean_room, cells["门牌号"]) or ""
    row.name = check(clean_name, cells["姓名"]) or ""
    if id_is_number:
        # Excel keeps 15 significant digits: the number is already damaged.
        row.errors.append("身份证号须按文本格式填写（数字格式会丢失末尾几位）")
        parsed = None
    else:
        parsed = check(parse_id_number, cells["身份证号"])
    if parsed is not None:
        row.id_cols = id_columns(parsed)
    phone = check(clean_phone, cells.get("手机号", ""))
    row.phone = phone or ""
    relation = cells["与户主关系"]
    if not relation:
        row.errors.append("请填写与户主关系")
    elif relation not in RELATION_BY_LABEL:
        row.errors.append(f"与户主关系“{relation}”无法识别（可填：{'、'.join(Relation.labels)}）")
    else:
        row.relation = RELATION_BY_LABEL[relation]
    for label in filter(None, _TAG_SPLIT.split(cells.get("标签", ""))):
        if label in DERIVED_TAG_LABELS:
            continue
        tag = TAG_BY_LABEL.get(label)
        if tag is None:
            row.errors.append(f"标签“{label}”无法识别（可填：{'、'.join(Tag.labels)}）")
        elif tag in SENSITIVE_TAGS and not actor.can("resident.sensitive_tags"):
            row.errors.append(f"您没有设置敏感标签“{label}”的权限")
        else:
            row.tags.add(tag)


def _read_rows(actor: Actor, file: IO[bytes], filename: str) -> list[_Row]:
    rows: list[_Row] = []
    with xlsx.sheet_rows(
        file, sheet=SHEET, max_bytes=MAX_BYTES, refusals=REFUSALS, filename=filename
    ) as lines:
        names = xlsx.header_read(lines)
        missing = [c for c in COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]
        if not any(names):
            raise ValidationError("文件是空的：第一行应为表头（" + "、".join(COLUMNS) + "）。")
        if missing:
            raise ValidationError(
                f"缺少列：{'、'.join(missing)}。第一行表头应为：{'、'.join(COLUMNS)}。"
            )
        position = xlsx.positions(names, COLUMNS)
        places = _Places(actor)
        for number, values in enumerate(lines, start=2):
            cells = xlsx.row_cells(values, position)
            if not any(cells.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationError(f"一次最多导入 {MAX_ROWS} 行，请分批导入。")
            row = _Row(number=number)
            id_cell = values[position["身份证号"]] if position["身份证号"] < len(values) else None
            _parse_row(row, cells, actor, places, id_is_number=isinstance(id_cell, int | float))
            rows.append(row)
    if not rows:
        raise ValidationError("文件中没有居民数据：请从第二行起填写。")
    return rows


def _check_within_file(rows: list[_Row]) -> None:
    first_seen: dict[str, int] = {}
    heads: dict[tuple[int, str], int] = {}
    for row in rows:
        index = row.id_cols.get("id_number_index")
        if index:
            if index in first_seen:
                row.errors.append(f"身份证号与第 {first_seen[index]} 行重复")
            else:
                first_seen[index] = row.number
        if row.relation == Relation.HEAD and row.unit is not None and row.room:
            key = (row.unit.pk, row.room)
            if key in heads:
                row.errors.append(f"同一户有两位户主（第 {heads[key]} 行已填户主）")
            else:
                heads[key] = row.number


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_against_register(rows: list[_Row]) -> dict[tuple[int, str], int]:
    """Duplicates of registered residents and second heads; returns the
    existing households of the file's doors."""
    unit_ids = sorted({r.unit.pk for r in rows if r.unit is not None})
    community_ids = sorted({r.unit.community_id for r in rows if r.unit is not None})
    indexes = sorted({r.id_cols["id_number_index"] for r in rows if r.id_cols})
    registered: dict[tuple[int, str], str] = {}
    for chunk in _chunks(indexes):
        for community_id, index, name in Resident.objects.filter(
            community_id__in=community_ids, id_number_index__in=chunk
        ).values_list("community_id", "id_number_index", "name"):
            registered[(community_id, index)] = name
    households: dict[tuple[int, str], int] = {}
    for chunk in _chunks(unit_ids):
        for pk, unit_id, room in Household.objects.filter(unit_id__in=chunk).values_list(
            "id", "unit_id", "room"
        ):
            households[(unit_id, room)] = pk
    headed: set[int] = set()
    for chunk in _chunks(sorted(households.values())):
        headed.update(
            Resident.objects.current()
            .filter(household_id__in=chunk, relation=Relation.HEAD)
            .values_list("household_id", flat=True)
        )
    for row in rows:
        if row.unit is None:
            continue
        if row.id_cols:
            name = registered.get((row.unit.community_id, row.id_cols["id_number_index"]))
            if name is not None:
                row.errors.append(duplicate_id_message(name).rstrip("。"))
        if row.relation == Relation.HEAD and households.get((row.unit.pk, row.room)) in headed:
            row.errors.append(f"{row.unit.name}{row.room}室已登记户主")
    return households


def _reject(rows: list[_Row]) -> None:
    bad = [r for r in rows if r.errors]
    if bad:
        raise ValidationError(
            f"文件共 {len(rows)} 行数据，其中 {len(bad)} 行有误，未导入任何数据。"
            "请改正后重新上传。",
            details=[{"row": r.number, "reason": "；".join(r.errors) + "。"} for r in bad],
        )


# -- import: writing ------------------------------------------------------------------


def _copy_residents(residents: list[Resident]) -> None:
    """PostgreSQL: COPY instead of INSERT. Client-side binding of ~17 parameters
    a row (two of them bytea) makes a multi-row INSERT several times slower."""
    fields = [f for f in Resident._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(Resident._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # wrap_database_errors: a unique violation raised by COPY is an IntegrityError too.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN"  # noqa: S608 - names from model metadata
        ) as copy,
    ):
        for resident in residents:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(resident, True), connection) for f in fields]
            )
    # Read the new primary keys back through the unique (community, index) key.
    by_key = {(r.community_id, r.id_number_index): r for r in residents}
    community_ids = sorted({r.community_id for r in residents})
    for chunk in _chunks(sorted({r.id_number_index for r in residents}), 2000):
        for pk, community_id, index in Resident.objects.filter(
            community_id__in=community_ids, id_number_index__in=chunk
        ).values_list("id", "community_id", "id_number_index"):
            if (community_id, index) in by_key:
                by_key[(community_id, index)].pk = pk


def _insert_residents(residents: list[Resident]) -> None:
    if connection.vendor == "postgresql":
        _copy_residents(residents)
    else:
        Resident.objects.bulk_create(residents, batch_size=1000)


def _write(
    actor: Actor, rows: list[_Row], households: dict[tuple[int, str], int]
) -> ResidentImportResult:
    units = {r.unit.pk: r.unit for r in rows if r.unit is not None}
    new_doors = sorted({(r.unit.pk, r.room) for r in rows} - households.keys())
    created = Household.objects.bulk_create(
        [
            Household(
                district_id=units[u].district_id,
                community_id=units[u].community_id,
                building_id=units[u].building_id,
                unit_id=u,
                room=room,
            )
            for u, room in new_doors
        ],
        batch_size=1000,
    )
    for household in created:
        households[(household.unit_id, household.room)] = household.pk
    residents = [
        Resident(
            district_id=r.unit.district_id,
            community_id=r.unit.community_id,
            household_id=households[(r.unit.pk, r.room)],
            name=r.name,
            relation=r.relation,
            **r.id_cols,
            **phone_columns(r.phone),
        )
        for r in rows
    ]
    _insert_residents(residents)
    ResidentTag.objects.bulk_create(
        [
            ResidentTag(
                resident_id=res.pk,
                tag=tag,
                community_id=res.community_id,
                district_id=res.district_id,
            )
            for res, row in zip(residents, rows, strict=True)
            for tag in sorted(row.tags)
        ],
        batch_size=2000,
    )
    per_unit_residents: dict[int, int] = defaultdict(int)
    per_unit_households: dict[int, int] = defaultdict(int)
    for row in rows:
        per_unit_residents[row.unit.pk] += 1
    for unit_id, _room in new_doors:
        per_unit_households[unit_id] += 1
    for unit_id in sorted(units):
        region_stats_bump(
            unit=units[unit_id],
            residents=per_unit_residents[unit_id],
            households=per_unit_households[unit_id],
        )
    return ResidentImportResult(created=len(residents), households=len(created))


def resident_import(*, actor: Actor, file: IO[bytes], filename: str) -> ResidentImportResult:
    """导入居民：整份文件全部导入，或（任何一行有误时）一行也不导入。

    Raises ValidationError; for bad rows its ``details`` lists
    ``{"row": <Excel row number>, "reason": <Chinese reason>}``.
    """
    actor.require("resident.import")
    # Reading and encrypting happen before the transaction: on SQLite a write
    # transaction holds the database lock, and parsing needs none.
    rows = _read_rows(actor, file, filename)
    _check_within_file(rows)
    try:
        with transaction.atomic():
            households = _check_against_register(rows)
            _reject(rows)
            result = _write(actor, rows, households)
            record(
                actor=actor,
                action="resident.import",
                changes={
                    "file": filename[:200],
                    "count": result.residents,
                    "households": result.households,
                },
                message=f"导入 {result.residents} 位居民",
            )
    except IntegrityError:
        raise ValidationError(
            "导入期间有人登记了相同的身份证号或门牌，未导入任何数据，请重新上传。"
        ) from None
    return result


# -- export -------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "社区",
    "小区",
    "楼栋",
    "单元",
    "门牌号",
    "姓名",
    "性别",
    "年龄",
    "身份证号",
    "手机号",
    "与户主关系",
    "标签",
]


def resident_export(
    *,
    actor: Actor,
    q: str = "",
    building: Region | int | None = None,
    tag: str | None = None,
    status: str = "",
    today: dt.date | None = None,
) -> tuple[IO[bytes], int]:
    """导出居民（号码已脱敏）。Returns an open temporary file and the row count."""
    actor.require("resident.export")
    today = today or selectors.local_today()
    rows = selectors.resident_list(
        actor=actor, q=q, building=building, tag=tag, status=status, today=today
    )
    wb = xlsx.workbook(streaming=True)
    ws = xlsx.sheet_add(wb, SHEET, header=EXPORT_COLUMNS, bold_header=False)
    count = 0
    for r in rows.iterator(chunk_size=2000):
        unit = r.household.unit
        derived = selectors.age_tag(r.birth_date, today)
        tags = [selectors.AGE_TAG_LABELS[derived]] if derived else []
        tags += [t.get_tag_display() for t in r.visible_tags]
        xlsx.append(
            ws,
            [
                r.community.name,
                unit.compound.name,
                unit.building.name,
                unit.name,
                r.household.room,
                r.name,
                Gender(r.gender).label,
                age_on(r.birth_date, today),
                masked_id(r),
                masked_phone(r),
                Relation(r.relation).label,
                "，".join(tags),
            ],
        )
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    wb.save(out)
    out.seek(0)
    with transaction.atomic():
        record(
            actor=actor,
            action="resident.export",
            changes={
                "count": count,
                "q": "（号码）" if q and any(c.isdigit() for c in q) else q,
                "building": getattr(building, "pk", building),
                "tag": tag or "",
                "status": status,
            },
            message=f"导出 {count} 位居民（号码已脱敏）",
        )
    return out, count
