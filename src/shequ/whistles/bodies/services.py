"""Departments, stationed units and liaison accounts (district admin)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import record
from shequ.core.models import Grant, User
from shequ.core.permissions import SEPARATED_ADMIN_ROLES, Role
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.selectors import district_of
from shequ.core.text import clean_text
from shequ.whistles.checks import (
    _choice,
    _masked,
    _user,
    clean_phone,
    phone_columns,
)
from shequ.whistles.models import (
    Department,
    DepartmentKind,
    Liaison,
    Unit,
    UnitKind,
)

# -- departments and units (district admin) -----------------------------------------------


def _department_fields(
    *, name: Any, kind: Any, head_name: Any, phone: Any, active: bool
) -> tuple[dict[str, Any], str]:
    phone_clean = clean_phone(phone)
    return {
        "name": clean_text(name, field="name", label="部门名称", max_length=80),
        "kind": _choice(kind, DepartmentKind, field="kind", label="部门类别"),
        "head_name": clean_text(
            head_name, field="head_name", label="负责人", max_length=40, required=False
        ),
        "active": bool(active),
        **phone_columns(phone_clean),
    }, phone_clean


@transaction.atomic
def department_create(
    *, actor: Actor, name: str, kind: str, head_name: str = "", phone: str = "", active: bool = True
) -> Department:
    """新增职能部门。"""
    actor.require("department.manage")
    district = district_of(actor=actor)
    fields, phone_clean = _department_fields(
        name=name, kind=kind, head_name=head_name, phone=phone, active=active
    )
    if Department.objects.filter(district=district, name=fields["name"]).exists():
        raise Conflict(f"本区已有“{fields['name']}”。", field="name")
    try:
        with transaction.atomic():
            department = Department.objects.create(district=district, **fields)
    except IntegrityError:
        raise Conflict(f"本区已有“{fields['name']}”。", field="name") from None
    record(
        actor=actor,
        action="department.create",
        obj=department,
        region=district,
        changes={
            "name": department.name,
            "kind": department.kind,
            "head_name": department.head_name,
            "phone": _masked(phone_clean),
            "active": department.active,
        },
    )
    return department


@transaction.atomic
def department_update(
    *,
    actor: Actor,
    department: Department,
    name: str,
    kind: str,
    head_name: str = "",
    phone: str = "",
    active: bool = True,
) -> Department:
    """修改职能部门（名称、类别、负责人、电话、启用）。"""
    actor.require("department.manage")
    district = district_of(actor=actor)
    department = Department.objects.select_for_update().get(pk=department.pk)
    if department.district_id != district.pk:
        raise NotFound("没有找到该部门。")
    fields, phone_clean = _department_fields(
        name=name, kind=kind, head_name=head_name, phone=phone, active=active
    )
    clash = Department.objects.filter(district=district, name=fields["name"]).exclude(
        pk=department.pk
    )
    if clash.exists():
        raise Conflict(f"本区已有“{fields['name']}”。", field="name")
    before = {
        "name": department.name,
        "kind": department.kind,
        "head_name": department.head_name,
        "phone": department.phone_masked,
        "active": department.active,
    }
    for key, value in fields.items():
        setattr(department, key, value)
    department.save(update_fields=list(fields))
    after = {**{k: fields[k] for k in ("name", "kind", "head_name", "active")}}
    after["phone"] = _masked(phone_clean)
    record(
        actor=actor,
        action="department.update",
        obj=department,
        region=district,
        changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    return department


def _unit_fields(
    *, name: Any, kind: Any, address: Any, contact: Any, active: bool
) -> dict[str, Any]:
    return {
        "name": clean_text(name, field="name", label="单位名称", max_length=80),
        "kind": _choice(kind, UnitKind, field="kind", label="单位类别"),
        "address": clean_text(
            address, field="address", label="地址", max_length=200, required=False
        ),
        "contact": clean_text(
            contact, field="contact", label="联系人", max_length=40, required=False
        ),
        "active": bool(active),
    }


@transaction.atomic
def unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    address: str = "",
    contact: str = "",
    active: bool = True,
) -> Unit:
    """新增驻区单位。"""
    actor.require("department.manage")
    district = district_of(actor=actor)
    fields = _unit_fields(name=name, kind=kind, address=address, contact=contact, active=active)
    if Unit.objects.filter(district=district, name=fields["name"]).exists():
        raise Conflict(f"本区已有“{fields['name']}”。", field="name")
    try:
        with transaction.atomic():
            unit = Unit.objects.create(district=district, **fields)
    except IntegrityError:
        raise Conflict(f"本区已有“{fields['name']}”。", field="name") from None
    record(
        actor=actor,
        action="unit.create",
        obj=unit,
        region=district,
        changes={**fields, "contact": mask_name(fields["contact"])},
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    kind: str,
    address: str = "",
    contact: str = "",
    active: bool = True,
) -> Unit:
    """修改驻区单位。"""
    actor.require("department.manage")
    district = district_of(actor=actor)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.district_id != district.pk:
        raise NotFound("没有找到该单位。")
    fields = _unit_fields(name=name, kind=kind, address=address, contact=contact, active=active)
    if Unit.objects.filter(district=district, name=fields["name"]).exclude(pk=unit.pk).exists():
        raise Conflict(f"本区已有“{fields['name']}”。", field="name")
    before = {k: getattr(unit, k) for k in fields}
    for key, value in fields.items():
        setattr(unit, key, value)
    unit.save(update_fields=list(fields))
    changes = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
    if "contact" in changes:
        changes["contact"] = [mask_name(str(before["contact"])), mask_name(fields["contact"])]
    record(actor=actor, action="unit.update", obj=unit, region=district, changes=changes)
    return unit


@transaction.atomic
def liaison_grant(
    *,
    actor: Actor,
    user: User,
    department: Department | None = None,
    unit: Unit | None = None,
) -> Liaison:
    """授予联络员：账号取得“职能部门联络员/驻区单位联络员”（区级授权），并登记它联络的部门或单位。"""
    actor.require("department.manage")
    district = district_of(actor=actor)
    if (department is None) == (unit is None):
        raise ValidationError("请选择一个职能部门或一个驻区单位。", field="body")
    body: Department | Unit = department if department is not None else unit  # type: ignore[assignment]
    if body.district_id != district.pk:
        raise NotFound("没有找到该部门或单位。")
    if not body.active:
        raise ValidationError(f"“{body.name}”已停用，不能授予联络员。", field="body")
    if user.pk == actor.require_user().pk:
        raise PermissionDenied("不能给您本人授权。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("该账号已停用，不能授权。", field="username")
    if Grant.objects.filter(user=user, role__in=SEPARATED_ADMIN_ROLES).exists():
        raise ValidationError("系统、安全、审计管理员账号不能兼任联络员。", field="username")
    role = Role.DEPARTMENT_LIAISON if department is not None else Role.UNIT_LIAISON
    existing = Liaison.objects.filter(user=user, department=department, unit=unit).exists()
    if existing:
        raise Conflict(f"{user}已是“{body.name}”的联络员。", field="username")
    grant, granted = Grant.objects.get_or_create(
        user=user, role=role, region=district, defaults={"created_by": _user(actor)}
    )
    liaison = Liaison.objects.create(
        user=user, district=district, department=department, unit=unit, created_by=_user(actor)
    )
    record(
        actor=actor,
        action="liaison.grant",
        obj=liaison,
        region=district,
        changes={
            "user": user.username,
            "role": Role(role).label,
            "body": body.name,
            "grant": grant.pk,
            "grant_created": granted,
        },
    )
    return liaison


@transaction.atomic
def liaison_revoke(*, actor: Actor, liaison: Liaison) -> None:
    """收回联络员；该账号不再联络任何同类部门/单位时，一并收回其联络员角色。"""
    actor.require("department.manage")
    district = district_of(actor=actor)
    liaison = (
        Liaison.objects.select_for_update(of=("self",))
        .select_related("user", "department", "unit")
        .get(pk=liaison.pk)
    )
    if liaison.district_id != district.pk:
        raise NotFound("没有找到该联络员。")
    role = Role.DEPARTMENT_LIAISON if liaison.department_id else Role.UNIT_LIAISON
    record(
        actor=actor,
        action="liaison.revoke",
        obj=liaison,
        region=district,
        changes={"user": liaison.user.username, "body": liaison.body.name},
    )
    user = liaison.user
    liaison.delete()
    kind = (
        {"department__isnull": False}
        if role == Role.DEPARTMENT_LIAISON
        else {"unit__isnull": False}
    )
    if not Liaison.objects.filter(user=user, district=district, **kind).exists():
        Grant.objects.filter(user=user, role=role, region=district).delete()
