"""Writes to the resident register: households and residents.

Every service checks the permission and the scope, writes in one
transaction, keeps RegionStat current and appends an audit record whose
changes hold masked personal data only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.audit import diff
from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.idcard import IdNumber, parse_id_number
from shequ.core.models import Region, RegionLevel
from shequ.core.pii import blind_index, decrypt, encrypt, mask_id_number, mask_name, mask_phone
from shequ.core.scope import Actor
from shequ.core.text import refuse_not_text
from shequ.residents.masking import masked_id, masked_phone
from shequ.residents.models import (
    SENSITIVE_TAGS,
    Household,
    Relation,
    Resident,
    ResidentTag,
    Tag,
)
from shequ.residents.rollups import region_stats_bump

PHONE_RE = re.compile(r"1[3-9]\d{9}")
ROOM_MAX = 20
NAME_MAX = 40


# -- validation shared with the Excel import ------------------------------------


def clean_room(raw: str) -> str:
    room = (raw or "").strip()
    if not room:
        raise ValidationError("请填写门牌号。", field="room")
    if len(room) > ROOM_MAX:
        raise ValidationError(f"门牌号最多{ROOM_MAX}个字符。", field="room")
    return room


def clean_name(raw: str) -> str:
    refuse_not_text(raw or "", field="name", label="姓名")
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationError("请填写姓名。", field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"姓名最多{NAME_MAX}个字符。", field="name")
    return name


def clean_phone(raw: str) -> str:
    """A mainland mobile number, or "" when none is given."""
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE_RE.fullmatch(phone):
        raise ValidationError("手机号应为11位大陆手机号码（1开头，第二位为3至9）。", field="phone")
    return phone


def clean_relation(raw: str) -> str:
    if raw not in Relation.values:
        raise ValidationError("与户主关系不正确。", field="relation")
    return raw


def clean_tags(actor: Actor, tags: Iterable[str]) -> set[str]:
    chosen = set(tags)
    unknown = chosen - set(Tag.values)
    if unknown:
        raise ValidationError(f"未知的标签：{'、'.join(sorted(unknown))}。", field="tags")
    if chosen & SENSITIVE_TAGS and not actor.can("resident.sensitive_tags"):
        raise PermissionDenied("您没有设置敏感标签（低保、残疾、特殊家庭）的权限。", field="tags")
    return chosen


def _tags_add(resident: Resident, tags: Iterable[str]) -> None:
    """Tag rows carry the resident's community and district (scope and shard keys)."""
    ResidentTag.objects.bulk_create(
        [
            ResidentTag(
                resident=resident,
                tag=t,
                community_id=resident.community_id,
                district_id=resident.district_id,
            )
            for t in sorted(tags)
        ]
    )


def duplicate_id_message(existing_name: str) -> str:
    return f"该身份证号已在本社区登记（居民：{mask_name(existing_name)}）。"


def id_columns(id_number: IdNumber) -> dict:
    """Encrypted, indexed and derived columns of an ID number."""
    value = id_number.value
    return {
        "id_number_enc": encrypt(value),
        "id_number_index": blind_index(value, purpose="id_number"),
        "id_number_tail": value[-4:],
        "id_region_code": id_number.region_code,
        "gender": id_number.gender,
        "birth_date": id_number.birth_date,
    }


def phone_columns(phone: str) -> dict:
    """Encrypted and indexed columns of a (clean) phone number."""
    if not phone:
        return {"phone_enc": None, "phone_index": "", "phone_head": "", "phone_tail": ""}
    return {
        "phone_enc": encrypt(phone),
        "phone_index": blind_index(phone, purpose="phone"),
        "phone_head": phone[:3],
        "phone_tail": phone[-4:],
    }


def address_of(household: Household) -> str:
    unit = household.unit
    compound = unit.compound.name if unit.compound_id else ""
    building = unit.building.name if unit.building_id else ""
    return f"{compound}{building}{unit.name}{household.room}室"


def _tag_labels(tags: Iterable[str]) -> list[str]:
    return sorted(Tag(t).label for t in tags)


# -- households -------------------------------------------------------------------


def _require_unit(actor: Actor, unit: Region) -> None:
    if unit.level != RegionLevel.UNIT:
        raise ValidationError("住户只能设在单元下，请选择单元。", field="unit")
    actor.require_region(unit)


def _unit_ancestors(unit: Region) -> tuple[int, int, int]:
    """A unit's district, community and building ids (a unit row carries all three)."""
    district_id, community_id, building_id = unit.district_id, unit.community_id, unit.building_id
    if district_id is None or community_id is None or building_id is None:
        raise ValidationError(f"“{unit.name}”缺少上级区划，请联系系统管理员。", field="unit")
    return district_id, community_id, building_id


def _household_new(*, actor: Actor, unit: Region, room: str) -> Household:
    district_id, community_id, building_id = _unit_ancestors(unit)
    household = Household(
        district_id=district_id,
        community_id=community_id,
        building_id=building_id,
        unit=unit,
        room=room,
    )
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        raise ValidationError(f"{unit.name}{room}室已有住户。", field="room") from None
    region_stats_bump(unit=unit, households=1)
    record(
        actor=actor,
        action="household.create",
        obj=household,
        region=unit,
        changes={"address": address_of(household)},
    )
    return household


@transaction.atomic
def household_create(*, actor: Actor, unit: Region, room: str) -> Household:
    """登记一户：在单元下新设门牌。"""
    actor.require("resident.create")
    _require_unit(actor, unit)
    room = clean_room(room)
    if Household.objects.filter(unit=unit, room=room).exists():
        raise ValidationError(f"{unit.name}{room}室已有住户。", field="room")
    return _household_new(actor=actor, unit=unit, room=room)


@transaction.atomic
def household_ensure(*, actor: Actor, unit: Region, room: str) -> Household:
    """The household at (unit, room), created when the door has none yet."""
    actor.require("resident.create")
    _require_unit(actor, unit)
    room = clean_room(room)
    existing = Household.objects.select_related("unit").filter(unit=unit, room=room).first()
    if existing is not None:
        return existing
    return _household_new(actor=actor, unit=unit, room=room)


@transaction.atomic
def household_move(*, actor: Actor, household: Household, unit: Region, room: str) -> Household:
    """迁移住户：整户搬到另一门牌，成员随户迁移。"""
    actor.require("resident.move")
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("unit__compound", "unit__building")
        .get(pk=household.pk)
    )
    actor.require_region(household.unit)
    _require_unit(actor, unit)
    room = clean_room(room)
    if household.unit_id == unit.pk and household.room == room:
        raise ValidationError("住户已在该门牌，无需迁移。", field="room")
    if Household.objects.filter(unit=unit, room=room).exclude(pk=household.pk).exists():
        raise ValidationError(f"{unit.name}{room}室已有住户，不能迁入。", field="room")
    old_unit, old_address = household.unit, address_of(household)
    # Members who left (迁出) move with the household's row but are not counted.
    members = Resident.objects.filter(household=household)
    if unit.community_id != household.community_id:
        clash = (
            Resident.objects.filter(
                community_id=unit.community_id,
                id_number_index__in=members.values("id_number_index"),
            )
            .values_list("name", flat=True)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                f"迁入社区已登记了本户成员的身份证号（居民：{mask_name(clash)}），不能迁移。"
            )
    household.unit = unit
    household.room = room
    household.district_id, household.community_id, household.building_id = _unit_ancestors(unit)
    household.save(update_fields=["unit", "room", "district", "community", "building"])
    count = members.current().count()
    members.update(community_id=unit.community_id, district_id=unit.district_id)
    ResidentTag.objects.filter(resident__household=household).update(
        community_id=unit.community_id, district_id=unit.district_id
    )
    region_stats_bump(unit=old_unit, residents=-count, households=-1)
    region_stats_bump(unit=unit, residents=count, households=1)
    new_unit = Region.objects.select_related("compound", "building").get(pk=unit.pk)
    household.unit = new_unit
    record(
        actor=actor,
        action="household.move",
        obj=household,
        region=new_unit,
        changes={"address": [old_address, address_of(household)], "members": count},
    )
    return household


# -- residents --------------------------------------------------------------------


def _check_head(
    household: Household,
    relation: str,
    *,
    exclude: int | None = None,
    advice: str = "一户只能有一位户主。",
) -> None:
    """One head per household among its current members: a head who has left
    (迁出) no longer counts, so another member can become head."""
    if relation != Relation.HEAD:
        return
    heads = Resident.objects.current().filter(household=household, relation=Relation.HEAD)
    if exclude is not None:
        heads = heads.exclude(pk=exclude)
    head = heads.values_list("name", flat=True).first()
    if head is not None:
        raise ValidationError(f"该户已有户主（{mask_name(head)}），{advice}", field="relation")


def _check_duplicate(community_id: int, index: str, *, exclude: int | None = None) -> None:
    others = Resident.objects.filter(community_id=community_id, id_number_index=index)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.values_list("name", "left_at").first()
    if other is not None:
        name, left_at = other
        message = duplicate_id_message(name)
        if left_at is not None:
            message += f"该居民已于{left_at:%Y-%m-%d}迁出，如已迁回，请撤销迁出。"
        raise ValidationError(message, field="id_number")


def _save_unique(resident: Resident, **kwargs) -> None:
    """Save; the unique constraint is the last word if two clerks race."""
    try:
        with transaction.atomic():
            resident.save(**kwargs)
    except IntegrityError:
        other = (
            Resident.objects.filter(
                community_id=resident.community_id, id_number_index=resident.id_number_index
            )
            .exclude(pk=resident.pk)
            .values_list("name", flat=True)
            .first()
        )
        raise ValidationError(duplicate_id_message(other or ""), field="id_number") from None


@transaction.atomic
def resident_create(
    *,
    actor: Actor,
    household: Household,
    name: str,
    id_number: str,
    phone: str = "",
    relation: str,
    tags: Iterable[str] = (),
) -> Resident:
    """登记居民：性别和出生日期由身份证号得出，号码加密存储。"""
    actor.require("resident.create")
    # Locking the household serialises "only one head" between two clerks.
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("unit__compound", "unit__building")
        .get(pk=household.pk)
    )
    actor.require_region(household.unit)
    name = clean_name(name)
    parsed = parse_id_number(id_number)
    phone = clean_phone(phone)
    relation = clean_relation(relation)
    chosen = clean_tags(actor, tags)
    _check_head(household, relation)
    id_cols = id_columns(parsed)
    _check_duplicate(household.community_id, id_cols["id_number_index"])
    resident = Resident(
        district_id=household.district_id,
        community_id=household.community_id,
        household=household,
        name=name,
        relation=relation,
        **id_cols,
        **phone_columns(phone),
    )
    _save_unique(resident)
    _tags_add(resident, chosen)
    region_stats_bump(unit=household.unit, residents=1)
    record(
        actor=actor,
        action="resident.create",
        obj=resident,
        region=household.unit,
        changes={
            "name": name,
            "id_number": mask_id_number(parsed.value),
            "phone": mask_phone(phone),
            "relation": Relation(relation).label,
            "tags": _tag_labels(chosen),
            "address": address_of(household),
        },
    )
    return resident


@transaction.atomic
def resident_register(
    *,
    actor: Actor,
    unit: Region,
    room: str,
    name: str,
    id_number: str,
    phone: str = "",
    relation: str,
    tags: Iterable[str] = (),
) -> Resident:
    """登记居民到某单元的门牌；该门牌尚无住户时一并建户。"""
    household = household_ensure(actor=actor, unit=unit, room=room)
    return resident_create(
        actor=actor,
        household=household,
        name=name,
        id_number=id_number,
        phone=phone,
        relation=relation,
        tags=tags,
    )


def erased_message(resident: Resident) -> str:
    erased = resident.erased_at
    day = f"于{timezone.localtime(erased):%Y-%m-%d}" if erased else ""
    return f"该居民的个人信息已{day}按保存期限删除。"


def require_current(resident: Resident) -> None:
    """Refuse a change to a resident who has left (迁出) or been erased."""
    if resident.erased_at is not None:
        raise Conflict(erased_message(resident))
    if resident.left_at is not None:
        raise Conflict(
            f"该居民已于{resident.left_at:%Y-%m-%d}迁出，不能修改；如已迁回，请先撤销迁出。"
        )


def _snapshot(resident: Resident, tags: set[str]) -> dict:
    """What the audit record compares: personal numbers masked."""
    return {
        "name": resident.name,
        "id_number": masked_id(resident),
        "phone": masked_phone(resident),
        "relation": Relation(resident.relation).label,
        "tags": _tag_labels(tags),
    }


@transaction.atomic
def resident_update(
    *,
    actor: Actor,
    resident: Resident,
    name: str | None = None,
    id_number: str | None = None,
    phone: str | None = None,
    relation: str | None = None,
    tags: Iterable[str] | None = None,
) -> Resident:
    """修改居民信息。None 表示该项不变；phone="" 表示清除手机号。

    Without resident.sensitive_tags an actor neither sees nor changes the
    sensitive tags: they are kept as they were.
    """
    actor.require("resident.change")
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .select_related("household__unit__compound", "household__unit__building")
        .get(pk=resident.pk)
    )
    actor.require_region(resident.household.unit)
    require_current(resident)
    current_tags = set(resident.tag_rows.values_list("tag", flat=True))
    before = _snapshot(resident, current_tags)
    fields: list[str] = []
    if name is not None and clean_name(name) != resident.name:
        resident.name = clean_name(name)
        fields.append("name")
    if id_number is not None and id_number.strip():
        cols = id_columns(parse_id_number(id_number))
        if cols["id_number_index"] != resident.id_number_index:
            _check_duplicate(resident.community_id, cols["id_number_index"], exclude=resident.pk)
            for key, value in cols.items():
                setattr(resident, key, value)
            fields += list(cols)
    if phone is not None:
        cols = phone_columns(clean_phone(phone))
        if cols["phone_index"] != resident.phone_index:
            for key, value in cols.items():
                setattr(resident, key, value)
            fields += list(cols)
    if relation is not None and clean_relation(relation) != resident.relation:
        _check_head(resident.household, relation, exclude=resident.pk)
        resident.relation = relation
        fields.append("relation")
    new_tags = current_tags
    if tags is not None:
        new_tags = clean_tags(actor, tags)
        if not actor.can("resident.sensitive_tags"):
            new_tags |= current_tags & SENSITIVE_TAGS
        removed, added = current_tags - new_tags, new_tags - current_tags
        if removed:
            ResidentTag.objects.filter(resident=resident, tag__in=removed).delete()
        if added:
            _tags_add(resident, added)
    if fields:
        fields.append("updated_at")
        _save_unique(resident, update_fields=fields)
    changes = diff(before, _snapshot(resident, new_tags))
    if changes:
        record(
            actor=actor,
            action="resident.update",
            obj=resident,
            region=resident.household.unit,
            changes=changes,
        )
    return resident


@transaction.atomic
def resident_unmask(*, actor: Actor, resident: Resident) -> tuple[str, str]:
    """查看完整身份证号和手机号。每次查看都写审计记录。"""
    actor.require("resident.unmask")
    resident = Resident.objects.select_related("household__unit").get(pk=resident.pk)
    actor.require_region(resident.household.unit)
    if resident.erased_at is not None:
        raise Conflict(erased_message(resident))
    id_number = decrypt(resident.id_number_enc)
    phone = decrypt(resident.phone_enc) if resident.phone_enc else ""
    record(
        actor=actor,
        action="resident.unmask",
        obj=resident,
        region=resident.household.unit,
        changes={
            "fields": ["id_number", "phone"] if phone else ["id_number"],
            "id_number": mask_id_number(id_number),
        },
    )
    return id_number, phone
