"""Input checks of an intake: the applicant, the materials checklist, the item's
extra fields, the adopted item and the worker's qualification.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.idcard import parse_id_number
from shequ.core.models import Region
from shequ.core.pii import blind_index, encrypt
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.desk.catalog.selectors import can_accept
from shequ.desk.models import (
    Category,
    CommunityItem,
    ServiceItem,
    ServiceItemVersion,
)
from shequ.residents.services import clean_phone

# -- applicant and input checks -----------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str


def applicant_columns(applicant: Applicant) -> dict[str, Any]:
    """Validated, encrypted columns of the applicant (Case and Notice share them)."""
    name = clean_text(
        applicant.name, field="applicant_name", label="申请人姓名", max_length=40, markup="allowed"
    )
    id_number = parse_id_number(applicant.id_number)
    phone = clean_phone(applicant.phone)
    if not phone:
        raise ValidationError("请填写申请人手机号，用于查询办件和评价。", field="phone")
    return {
        "applicant_name": name,
        "id_number_enc": encrypt(id_number.value),
        "id_number_index": blind_index(id_number.value, purpose="id_number"),
        "id_number_tail": id_number.value[-4:],
        "phone_enc": encrypt(phone),
        "phone_head": phone[:3],
        "phone_tail": phone[-4:],
    }


def checklist(version: ServiceItemVersion, provided: Iterable[str]) -> list[dict]:
    """The version's materials with ``provided`` set from the ticked names.
    A name the version does not list means the form was tampered with."""
    names = [m["name"] for m in version.materials]
    ticked = {str(p) for p in provided}
    unknown = ticked - set(names)
    if unknown:
        raise ValidationError(
            "材料清单与事项不符（" + "、".join(sorted(unknown))[:60] + "），请刷新页面后重新勾选。",
            field="materials",
        )
    return [
        {
            "name": m["name"],
            "original_or_copy": m.get("original_or_copy", ""),
            "key": bool(m.get("key")),
            "provided": m["name"] in ticked,
        }
        for m in version.materials
    ]


def clean_form_data(version: ServiceItemVersion, data: Any) -> dict[str, Any]:
    """The item's extra fields as filled in: required ones present, numbers
    numbers, dates ISO dates, choices among the options; unknown keys refused."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("补充填报内容格式不正确。", field="form_data")
    fields = {f["name"]: f for f in version.form_fields}
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError(
            "填报项与事项不符：" + "、".join(sorted(map(str, unknown)))[:60], field="form_data"
        )
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, spec in fields.items():
        raw = data.get(name)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if spec.get("required"):
                problems.append(f"请填写“{name}”")
            continue
        kind = spec.get("type")
        if kind == "number":
            try:
                number = float(value)
            except ValueError:
                problems.append(f"“{name}”应为数字")
                continue
            out[name] = int(number) if number.is_integer() else number
        elif kind == "date":
            try:
                out[name] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                problems.append(f"“{name}”应为日期（如 2026-10-01）")
        elif kind == "choice":
            if value not in spec.get("options", []):
                problems.append(f"“{name}”只能选择：" + "、".join(spec.get("options", [])))
            else:
                out[name] = value
        else:
            if len(value) > 500:
                problems.append(f"“{name}”不能超过500字")
            else:
                out[name] = value
    if problems:
        raise ValidationError("；".join(problems) + "。", field="form_data", details=problems)
    return out


def _adopted_item(community: Region, item: ServiceItem) -> ServiceItemVersion:
    if item.district_id != community.district_id:
        raise ValidationError("该事项不在本区的事项清单中。", field="item")
    if item.retired_at is not None or item.current_version_id is None:
        raise ValidationError(f"“{item.name}”已停用，不能受理。", field="item")
    if not CommunityItem.objects.filter(community=community, item=item, active=True).exists():
        raise ValidationError(f"本社区未认领“{item.name}”，不能受理。", field="item")
    # The version rides along when the caller loaded it (select_related).
    cached = ServiceItem.current_version.is_cached(item)
    if cached and item.current_version is not None:
        return item.current_version
    return ServiceItemVersion.objects.get(pk=item.current_version_id)


def _require_qualified(
    actor: Actor, item: ServiceItem, community: Region, *, adoption_checked: bool = False
) -> None:
    user = actor.require_user()
    if not can_accept(user, item, community, check_adoption=not adoption_checked):
        raise PermissionDenied(
            f"您没有受理“{Category(item.category).label}”类事项的资格，请由持有该类资格的全科社工受理。"
        )
