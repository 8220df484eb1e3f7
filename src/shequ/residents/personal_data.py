"""个人信息副本: what the platform holds about one resident (PIPL 第四十五条).

The person downloads their own (``resident.self``); the community secretary
produces the same copy for a person who asks at the window
(``resident.data_export``). The copy holds the register entry with the
person's own ID and phone numbers in full (audited as an unmask), the other
members of the household by masked name, every app's records of the person
(``core.registry`` history providers) and the further parts the apps hold
(``core.registry`` personal-data providers). It is the same whether read as
a page, a JSON file or an Excel workbook; each time it is produced is
audited.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from shequ.core import registry, xlsx
from shequ.core.errors import NotFound, ValidationError
from shequ.core.history import record
from shequ.core.pii import decrypt, mask_id_number, mask_name
from shequ.core.registry import HistoryEntry, PersonalData
from shequ.core.scope import Actor
from shequ.residents import selectors
from shequ.residents.models import Gender, LeaveReason, Relation, Resident, Tag
from shequ.residents.services import address_of

FORMATS = ("page", "json", "xlsx")
RECORDS_LIMIT = 1000


@dataclass(frozen=True)
class PersonalCopy:
    resident: Resident
    generated_at: dt.datetime
    entry: list[tuple[str, str]]  # (label, value): the register entry, own numbers in full
    household: list[tuple[str, str]]  # (masked name, relation) of the other current members
    records: list[HistoryEntry]
    parts: list[PersonalData]


def _entry(resident: Resident, id_number: str, phone: str) -> list[tuple[str, str]]:
    tags = "、".join(Tag(t.tag).label for t in resident.tag_rows.order_by("tag")) or "无"
    entry = [
        ("姓名", resident.name),
        ("性别", Gender(resident.gender).label),
        ("出生日期", resident.birth_date.isoformat()),
        ("身份证号", id_number),
        ("手机号", phone or "未登记"),
        ("与户主关系", Relation(resident.relation).label),
        ("所在社区", resident.community.name),
        ("住址", address_of(resident.household)),
        ("标签", tags),
        ("登记时间", f"{timezone.localtime(resident.created_at):%Y-%m-%d %H:%M}"),
    ]
    if resident.left_at is not None:
        reason = LeaveReason(resident.left_reason).label if resident.left_reason else ""
        entry.append(("迁出", f"{resident.left_at:%Y-%m-%d} {reason}".strip()))
    if resident.user is not None:
        entry.append(("居民账号", resident.user.username))
    return entry


def _household(resident: Resident) -> list[tuple[str, str]]:
    members = (
        Resident.objects.current()
        .filter(household_id=resident.household_id)
        .exclude(pk=resident.pk)
        .order_by("id")
        .values_list("name", "relation")
    )
    return [(mask_name(name), Relation(relation).label) for name, relation in members]


def _subject(actor: Actor, resident_id: int | None) -> tuple[Resident, str]:
    """The resident whose copy is asked for, and for whom ("self"/"staff")."""
    if resident_id is None:
        own = selectors.resident_self(actor=actor)
        if own is None:
            raise NotFound("您的账号尚未与居民档案关联，请携带身份证到所在社区综合服务窗口办理。")
        return own, "self"
    actor.require("resident.data_export")
    return selectors.resident_get(actor=actor, resident_id=resident_id), "staff"


@transaction.atomic
def personal_copy(*, actor: Actor, resident_id: int | None = None, fmt: str) -> PersonalCopy:
    """The copy of one resident's data: ``resident_id`` None is the actor's
    own entry. Audited twice: the copy (resident.data_export) and, since it
    shows the ID and phone numbers in full, an unmask."""
    if fmt not in FORMATS:
        raise ValidationError("格式只能是 page、json 或 xlsx。", field="format")
    resident, who = _subject(actor, resident_id)
    if resident.erased_at is not None:
        raise NotFound("该居民的个人信息已按保存期限删除，平台不再保存其个人信息。")
    resident = Resident.objects.select_related(
        "community", "user", "household__unit__compound", "household__unit__building"
    ).get(pk=resident.pk)
    id_number = decrypt(resident.id_number_enc)
    phone = decrypt(resident.phone_enc) if resident.phone_enc else ""
    copy = PersonalCopy(
        resident=resident,
        generated_at=timezone.now(),
        entry=_entry(resident, id_number, phone),
        household=_household(resident),
        records=registry.resident_history(
            actor, resident_id=resident.pk, user_id=resident.user_id, limit=RECORDS_LIMIT
        ),
        parts=registry.personal_data(resident_id=resident.pk, user_id=resident.user_id),
    )
    unit = resident.household.unit
    record(
        actor=actor,
        action="resident.data_export",
        obj=resident,
        region=unit,
        changes={
            "format": fmt,
            "for": who,
            "records": len(copy.records),
            "parts": [p.title for p in copy.parts],
        },
    )
    record(
        actor=actor,
        action="resident.unmask",
        obj=resident,
        region=unit,
        changes={
            "fields": ["id_number", "phone"] if phone else ["id_number"],
            "id_number": mask_id_number(id_number),
            "purpose": "个人信息副本（本人）" if who == "self" else "个人信息副本（代本人出具）",
        },
    )
    return copy


# -- the copy as a file ----------------------------------------------------------------------


def as_dict(copy: PersonalCopy) -> dict[str, Any]:
    return {
        "generated_at": copy.generated_at,
        "notice": "本文件为您在社区治理平台中的个人信息副本，请妥善保管。",
        "register": dict(copy.entry),
        "household": [{"姓名": name, "与户主关系": rel} for name, rel in copy.household],
        "records": [
            {"类别": e.kind, "事项": e.title, "状态": e.status, "时间": e.at} for e in copy.records
        ],
        "parts": [
            {"title": p.title, "rows": [dict(zip(p.columns, row, strict=False)) for row in p.rows]}
            for p in copy.parts
        ],
    }


def as_json(copy: PersonalCopy) -> bytes:
    return json.dumps(as_dict(copy), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "信息"
    name, n = clean, 2
    while name in used:
        name, n = f"{clean}{n}", n + 1
    used.add(name)
    return name


def as_xlsx(copy: PersonalCopy) -> bytes:
    book = xlsx.workbook()
    used: set[str] = set()
    xlsx.sheet_add(
        book, _sheet_title("居民档案", used), header=("项目", "内容"), rows=copy.entry,
        widths=(14, 48),
    )  # fmt: skip
    xlsx.sheet_add(
        book, _sheet_title("本户成员", used), header=("姓名", "与户主关系"), rows=copy.household
    )
    xlsx.sheet_add(
        book,
        _sheet_title("办事与诉求记录", used),
        header=("类别", "事项", "状态", "时间"),
        rows=[
            (e.kind, e.title, e.status, f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}")
            for e in copy.records
        ],
    )
    for part in copy.parts:
        xlsx.sheet_add(book, _sheet_title(part.title, used), header=part.columns, rows=part.rows)
    return xlsx.book_bytes(book)


def filename(copy: PersonalCopy, ext: str) -> str:
    return f"个人信息副本_{timezone.localtime(copy.generated_at):%Y%m%d}.{ext}"
