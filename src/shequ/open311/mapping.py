"""How Shequ's appeals and cases look as GeoReport v2 services and requests
(docs/open311.md explains each choice).

Services: every appeal category is ``appeal.<category>`` (group 诉求); every
online-eligible service item a community of the district has adopted is
``item.<code>`` (group 政务服务). Requests: an appeal or a case, identified
by its own number. Status is ``open``/``closed`` with our state in Chinese in
``status_notes``. No personal data leaves: no names, phones or ID numbers;
phone and ID numbers typed into a description are masked; the content of a
举报 (report) and everything but the item and the state of a case are
withheld.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shequ.appeals.models import Appeal, AppealCategory, AppealKind, AppealState
from shequ.desk.models import Case, CaseState, ServiceItem

APPEAL_PREFIX = "appeal."
ITEM_PREFIX = "item."
GROUP_APPEAL = "诉求"
GROUP_ITEM = "政务服务"

APPEAL_CLOSED = frozenset({AppealState.CLOSED, AppealState.MERGED})
CASE_CLOSED = frozenset(
    {CaseState.COMPLETED, CaseState.DELIVERED, CaseState.WITHDRAWN, CaseState.NOT_ACCEPTED}
)

# Attribute codes of the service definitions (form fields of an item get
# ``form_`` + their name).
ATTR_COMMUNITY = "community"
ATTR_KIND = "kind"
ATTR_ID_NUMBER = "id_number"
ATTR_MATERIALS = "materials"
FORM_PREFIX = "form_"

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")


@dataclass(frozen=True)
class ServiceCode:
    """A parsed service_code: an appeal category or a service item's code."""

    kind: str  # "appeal" or "item"
    value: str

    def __str__(self) -> str:
        return (APPEAL_PREFIX if self.kind == "appeal" else ITEM_PREFIX) + self.value


def parse_service_code(code: str) -> ServiceCode | None:
    """``appeal.parking`` or ``item.YL-001``; None for anything else. An item
    code is not checked here (it needs the district's catalog)."""
    code = (code or "").strip()
    if code.startswith(APPEAL_PREFIX):
        category = code[len(APPEAL_PREFIX) :]
        return ServiceCode("appeal", category) if category in AppealCategory.values else None
    if code.startswith(ITEM_PREFIX) and len(code) > len(ITEM_PREFIX):
        return ServiceCode("item", code[len(ITEM_PREFIX) :])
    return None


def w3(moment: dt.datetime | None) -> str | None:
    """A w3 datetime with the Beijing offset: 2026-09-29T09:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def end_of_day(day: dt.date | None) -> str | None:
    """A working-day deadline as the last second of that day, Beijing time."""
    if day is None:
        return None
    moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return w3(moment)


def mask_text(text: str) -> str:
    """Mobile and ID numbers typed into free text, masked the house way."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(2), text or "")
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


# -- services --------------------------------------------------------------------------------


def appeal_services() -> list[dict[str, Any]]:
    kinds = "、".join(AppealKind.labels)
    return [
        {
            "service_code": APPEAL_PREFIX + value,
            "service_name": label,
            "description": f"向社区反映“{label}”方面的问题（{kinds}），由社区在规定工作日内分办。",
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join([label, GROUP_APPEAL, *AppealKind.labels]),
            "group": GROUP_APPEAL,
        }
        for value, label in AppealCategory.choices
    ]


def item_service(item: ServiceItem) -> dict[str, Any]:
    version = item.current_version
    days = version.promised_days if version else 0
    return {
        "service_code": ITEM_PREFIX + item.code,
        "service_name": item.name,
        "description": f"网上申请“{item.name}”，责任部门{item.department}，"
        f"社区受理后{days}个工作日内办结。",
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join([item.name, item.get_category_display(), item.department]),
        "group": GROUP_ITEM,
    }


def attribute(
    *,
    code: str,
    datatype: str,
    required: bool,
    order: int,
    description: str,
    datatype_description: str | None = None,
    values: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": datatype_description,
        "order": order,
        "description": description,
    }
    if values is not None:
        out["values"] = [{"key": key, "name": name} for key, name in values]
    return out


FORM_DATATYPES = {"number": "number", "date": "datetime", "choice": "singlevaluelist"}


# -- requests --------------------------------------------------------------------------------


def _appeal_address(appeal: Appeal) -> str:
    place = "".join(
        r.name for r in (appeal.community, appeal.compound, appeal.building) if r is not None
    )
    return (place + (" " + appeal.address if appeal.address else "")).strip()


def appeal_notice(appeal: Appeal) -> str:
    if appeal.status == AppealState.SUBMITTED:
        return f"{appeal.community.name}将于{appeal.triage_due:%Y-%m-%d}前（工作日）完成分办。"
    return ""


def appeal_request(appeal: Appeal, updated: dt.datetime | None = None) -> dict[str, Any]:
    state = AppealState(appeal.status)
    notes = state.label
    if state == AppealState.MERGED and appeal.duplicate_of_id:
        notes = f"{state.label}：与诉求{appeal.duplicate_of.number}重复，已合并办理"
    elif state == AppealState.CLOSED and appeal.result:
        notes = f"{state.label}：{mask_text(appeal.result)}"
    description = (
        "（举报内容不公开）" if appeal.kind == AppealKind.REPORT else mask_text(appeal.description)
    )
    if appeal.status in APPEAL_CLOSED:
        updated = appeal.closed_at or updated
    return {
        "service_request_id": appeal.number,
        "status": "closed" if appeal.status in APPEAL_CLOSED else "open",
        "status_notes": notes,
        "service_name": AppealCategory(appeal.category).label,
        "service_code": APPEAL_PREFIX + appeal.category,
        "description": description,
        "agency_responsible": appeal.community.name,
        "service_notice": appeal_notice(appeal) or None,
        "requested_datetime": w3(appeal.submitted_at),
        "updated_datetime": w3(updated or appeal.submitted_at),
        "expected_datetime": (
            end_of_day(appeal.triage_due) if appeal.status == AppealState.SUBMITTED else None
        ),
        "address": _appeal_address(appeal),
        "address_id": (appeal.building or appeal.compound or appeal.community).code,
        "zipcode": None,
        "lat": float(appeal.lat) if appeal.lat is not None else None,
        "long": float(appeal.long) if appeal.long is not None else None,
        "media_url": None,
    }


def case_notice(case: Case) -> str:
    if case.status == CaseState.SUBMITTED:
        return (
            f"{case.community.name}将审核申请；受理后承诺{case.version.promised_days}"
            "个工作日内办结，受理时可能需要到窗口核验材料原件。"
        )
    if case.due_date and case.status not in CASE_CLOSED:
        return f"承诺于{case.due_date:%Y-%m-%d}前（工作日）办结。"
    return ""


def case_request(case: Case, updated: dt.datetime | None = None) -> dict[str, Any]:
    state = CaseState(case.status)
    moments = [case.submitted_at, case.accepted_at, case.completed_at, case.delivered_at]
    latest = max([m for m in moments if m is not None] + ([updated] if updated else []))
    return {
        "service_request_id": case.receipt_no,
        "status": "closed" if case.status in CASE_CLOSED else "open",
        "status_notes": state.label,
        "service_name": case.item.name,
        "service_code": ITEM_PREFIX + case.item.code,
        "description": None,
        "agency_responsible": case.item.department,
        "service_notice": case_notice(case) or None,
        "requested_datetime": w3(case.submitted_at),
        "updated_datetime": w3(latest),
        "expected_datetime": (
            end_of_day(case.due_date) if case.status != CaseState.SUBMITTED else None
        ),
        "address": case.community.name,
        "address_id": case.community.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
