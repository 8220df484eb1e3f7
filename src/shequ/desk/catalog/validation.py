"""Checks of a catalog entry, shared by the forms, the API and the Excel import.

Materials and extra form fields are JSON lists a case will rely on, so they
are checked strictly: unknown keys, wrong types, duplicates and empty names
are each refused with a Chinese message that names the entry.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from shequ.core.errors import ValidationError
from shequ.desk.models import Category, ItemKind

ORIGINAL_OR_COPY = ("原件", "复印件", "原件和复印件")
FIELD_TYPES = {"text": "文本", "number": "数字", "date": "日期", "choice": "选项"}
MATERIAL_KEYS = {"name", "original_or_copy", "key", "template"}
FIELD_KEYS = {"name", "type", "required", "options"}
NAME_MAX = 60
TEMPLATE_MAX = 200
CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{1,31}")
MAX_DAYS = 365
MAX_FEE = Decimal("99999999.99")


def _fail(field: str, problems: list[str]) -> None:
    if problems:
        raise ValidationError(
            "；".join(problems) + "。", field=field, details=[{"reason": p} for p in problems]
        )


def _entry_name(
    raw: Any,
    *,
    position: str,
    label: str,
    keys: frozenset[str] | set[str],
    seen: set[str],
    problems: list[str],
) -> str | None:
    """The checks every named list entry shares: a mapping with known keys and
    a unique name of at most NAME_MAX characters. Returns the normalised name,
    or None when the entry cannot be read further."""
    if not isinstance(raw, dict):
        problems.append(f"{position}格式不正确")
        return None
    unknown = set(raw) - keys
    if unknown:
        problems.append(f"{position}含有未知字段：{'、'.join(sorted(map(str, unknown)))}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{position}缺少名称")
        return None
    name = " ".join(name.split())
    where = f"{label}“{name}”"
    if len(name) > NAME_MAX:
        problems.append(f"{where}名称超过{NAME_MAX}个字")
    if name in seen:
        problems.append(f"{where}重复")
    seen.add(name)
    return name


def clean_materials(value: Any) -> list[dict]:
    """[{name, original_or_copy, key, template}], at least one entry."""
    if not isinstance(value, list):
        raise ValidationError("申请材料应为列表。", field="materials")
    if not value:
        raise ValidationError("请至少列出一项申请材料。", field="materials")
    problems: list[str] = []
    out: list[dict] = []
    seen: set[str] = set()
    for i, raw in enumerate(value, 1):
        name = _entry_name(
            raw,
            position=f"第{i}项材料",
            label="材料",
            keys=MATERIAL_KEYS,
            seen=seen,
            problems=problems,
        )
        if name is None:
            continue
        where = f"材料“{name}”"
        form = raw.get("original_or_copy")
        if form not in ORIGINAL_OR_COPY:
            problems.append(f"{where}应注明“原件”“复印件”或“原件和复印件”")
        key = raw.get("key")
        if not isinstance(key, bool):
            problems.append(f"{where}应注明是否为关键材料")
        template = raw.get("template", "")
        if template is None:
            template = ""
        if not isinstance(template, str):
            problems.append(f"{where}的样表应为文字")
            template = ""
        elif len(template) > TEMPLATE_MAX:
            problems.append(f"{where}的样表说明超过{TEMPLATE_MAX}个字")
        out.append(
            {"name": name, "original_or_copy": form, "key": key, "template": template.strip()}
        )
    _fail("materials", problems)
    return out


def clean_form_fields(value: Any) -> list[dict]:
    """[{name, type, required, options}]; options only (and at least two) for choice."""
    if not isinstance(value, list):
        raise ValidationError("补充填报项应为列表。", field="form_fields")
    problems: list[str] = []
    out: list[dict] = []
    seen: set[str] = set()
    for i, raw in enumerate(value, 1):
        name = _entry_name(
            raw,
            position=f"第{i}个填报项",
            label="填报项",
            keys=FIELD_KEYS,
            seen=seen,
            problems=problems,
        )
        if name is None:
            continue
        where = f"填报项“{name}”"
        kind = raw.get("type")
        if kind not in FIELD_TYPES:
            problems.append(f"{where}的类型应为文本、数字、日期或选项")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            problems.append(f"{where}应注明是否必填")
        options = raw.get("options", [])
        if not isinstance(options, list) or not all(
            isinstance(o, str) and o.strip() for o in options
        ):
            problems.append(f"{where}的选项应为非空文字列表")
            options = []
        options = [o.strip() for o in options]
        if kind == "choice":
            if len(options) < 2:
                problems.append(f"{where}是选项类型，至少需要两个选项")
            elif len(set(options)) != len(options):
                problems.append(f"{where}的选项有重复")
        elif options:
            problems.append(f"{where}不是选项类型，不能设置选项")
        out.append({"name": name, "type": kind, "required": required, "options": options})
    _fail("form_fields", problems)
    return out


def clean_code(raw: str) -> str:
    code = (raw or "").strip()
    if not CODE_RE.fullmatch(code):
        raise ValidationError("事项编码应为2至32位字母、数字或连字符。", field="code")
    return code


def clean_category(raw: str) -> str:
    if raw in Category.values:
        return raw
    for choice in Category:
        if raw == choice.label:
            return choice.value
    raise ValidationError(
        f"类别应为：{'、'.join(Category.labels)}。",
        field="category",
    )


def clean_kind(raw: str) -> str:
    if raw in ItemKind.values:
        return raw
    for choice in ItemKind:
        if raw == choice.label:
            return choice.value
    raise ValidationError("办件类型应为即办件、承诺件或转办件。", field="kind")


def clean_days(legal: Any, promised: Any, kind: str) -> tuple[int, int]:
    """Legal and promised limits in working days: 0 ≤ promised ≤ legal ≤ 365;
    a 即办件 promises 0 days (on the spot), the others at least one."""
    try:
        legal_days, promised_days = int(legal), int(promised)
    except (TypeError, ValueError):
        raise ValidationError("时限应为整数个工作日。", field="promised_days") from None
    if not 0 <= legal_days <= MAX_DAYS:
        raise ValidationError(f"法定时限应在0至{MAX_DAYS}个工作日之间。", field="legal_days")
    if promised_days < 0:
        raise ValidationError("承诺时限不能为负数。", field="promised_days")
    if promised_days > legal_days:
        raise ValidationError(
            f"承诺时限（{promised_days}个工作日）不能超过法定时限（{legal_days}个工作日）。",
            field="promised_days",
        )
    if kind == ItemKind.IMMEDIATE and promised_days != 0:
        raise ValidationError("即办件当场办结，承诺时限应为0个工作日。", field="promised_days")
    if kind != ItemKind.IMMEDIATE and promised_days == 0:
        raise ValidationError("承诺件和转办件的承诺时限至少为1个工作日。", field="promised_days")
    return legal_days, promised_days


def clean_fee(raw: Any) -> Decimal:
    if isinstance(raw, Decimal | int | float):
        text = str(raw)
    else:
        text = str(raw or "").strip().removesuffix("元").strip()
    if text in {"", "免费", "不收费", "无"}:
        return Decimal("0.00")
    try:
        fee = Decimal(text).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError("收费标准应为金额（元）或“免费”。", field="fee") from None
    if fee < 0 or fee > MAX_FEE:
        raise ValidationError("收费标准应为不小于0的金额。", field="fee")
    return fee


# -- the plain-text formats of the forms and the Excel sheet ---------------------------


def materials_from_lines(text: str) -> list[dict]:
    """One material a line: ``名称|原件|关键`` (optionally ``|样表说明``)."""
    out: list[dict] = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or len(parts) > 4:
            raise ValidationError(f"申请材料第{n}行应写作“名称|原件|关键”。", field="materials")
        key = parts[2] if len(parts) > 2 else ""
        if key not in {"", "关键", "非关键"}:
            raise ValidationError(
                f"申请材料第{n}行第三栏应为“关键”“非关键”或留空。", field="materials"
            )
        out.append(
            {
                "name": parts[0],
                "original_or_copy": parts[1],
                "key": key == "关键",
                "template": parts[3] if len(parts) > 3 else "",
            }
        )
    return clean_materials(out)


def materials_to_lines(materials: list[dict]) -> str:
    lines = []
    for m in materials:
        parts = [m["name"], m["original_or_copy"], "关键" if m["key"] else "非关键"]
        if m.get("template"):
            parts.append(m["template"])
        lines.append("|".join(parts))
    return "\n".join(lines)


_TYPE_BY_LABEL = {label: code for code, label in FIELD_TYPES.items()}


def form_fields_from_lines(text: str) -> list[dict]:
    """One field a line: ``名称|类型|必填|选项1,选项2``."""
    out: list[dict] = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or len(parts) > 4:
            raise ValidationError(
                f"补充填报项第{n}行应写作“名称|类型|必填|选项1,选项2”。", field="form_fields"
            )
        required = parts[2] if len(parts) > 2 else ""
        if required not in {"", "必填", "选填"}:
            raise ValidationError(
                f"补充填报项第{n}行第三栏应为“必填”“选填”或留空。", field="form_fields"
            )
        options = re.split(r"[,，、]", parts[3]) if len(parts) > 3 and parts[3] else []
        out.append(
            {
                "name": parts[0],
                "type": _TYPE_BY_LABEL.get(parts[1], parts[1]),
                "required": required == "必填",
                "options": options,
            }
        )
    return clean_form_fields(out)


def form_fields_to_lines(fields: list[dict]) -> str:
    lines = []
    for f in fields:
        parts = [f["name"], FIELD_TYPES[f["type"]], "必填" if f["required"] else "选填"]
        if f["options"]:
            parts.append(",".join(f["options"]))
        lines.append("|".join(parts))
    return "\n".join(lines)


_SHEET_MATERIAL = re.compile(r"(.+?)（(原件和复印件|原件|复印件)(，关键材料)?）")


def material_to_sheet(m: dict) -> str:
    """户口簿（原件，关键材料） — the wording of the published catalog."""
    return f"{m['name']}（{m['original_or_copy']}{'，关键材料' if m['key'] else ''}）"


def materials_from_sheet(text: str) -> list[dict]:
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _SHEET_MATERIAL.fullmatch(line.replace("(", "（").replace(")", "）"))
        if match is None:
            raise ValidationError(
                f"申请材料“{line}”应写作“名称（原件/复印件/原件和复印件[，关键材料]）”",
                field="materials",
            )
        out.append(
            {
                "name": match.group(1),
                "original_or_copy": match.group(2),
                "key": bool(match.group(3)),
                "template": "",
            }
        )
    return clean_materials(out)
