"""Reads of departments, stationed units and liaisons, and the communities a
pairing or whistle may name, within the actor's district.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from shequ.core import selectors as core_selectors
from shequ.core.errors import NotFound
from shequ.core.models import Region, User
from shequ.core.scope import Actor
from shequ.whistles.models import (
    Department,
    Liaison,
    Unit,
)
from shequ.whistles.scope import is_liaison


def department_list(*, actor: Actor, active_only: bool = False) -> QuerySet[Department]:
    actor.require("department.manage")
    qs = Department.objects.filter(district_id=actor.require_district_id())
    if active_only:
        qs = qs.filter(active=True)
    return qs.annotate(liaison_count=Count("liaisons")).order_by("kind", "name")


def department_get(*, actor: Actor, department_id: int) -> Department:
    found = department_list(actor=actor).filter(pk=department_id).first()
    if found is None:
        raise NotFound("没有找到该部门。")
    return found


def unit_list(*, actor: Actor, active_only: bool = False) -> QuerySet[Unit]:
    actor.require("department.manage")
    qs = Unit.objects.filter(district_id=actor.require_district_id())
    if active_only:
        qs = qs.filter(active=True)
    return qs.annotate(liaison_count=Count("liaisons")).order_by("kind", "name")


def unit_get(*, actor: Actor, unit_id: int) -> Unit:
    found = unit_list(actor=actor).filter(pk=unit_id).first()
    if found is None:
        raise NotFound("没有找到该单位。")
    return found


def liaison_list(*, actor: Actor) -> QuerySet[Liaison]:
    actor.require("department.manage")
    return (
        Liaison.objects.filter(district_id=actor.require_district_id())
        .select_related("user", "department", "unit")
        .order_by("department__name", "unit__name", "user__username")
    )


def liaison_get(*, actor: Actor, liaison_id: int) -> Liaison:
    found = liaison_list(actor=actor).filter(pk=liaison_id).first()
    if found is None:
        raise NotFound("没有找到该联络员。")
    return found


def liaison_candidate(*, actor: Actor, username: str) -> User:
    """The account a district admin makes a liaison (opened by the system admin)."""
    actor.require("department.manage")
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    if user is None:
        raise NotFound(f"没有账号“{username}”，请先请系统管理员开设账号。")
    return user


def partner_choices(*, actor: Actor) -> tuple[list[Unit], list[Department]]:
    """Active units and departments of the actor's district (the agreement form)."""
    actor.require("pairing.manage")
    district_id = actor.require_district_id()
    units = list(Unit.objects.filter(district_id=district_id, active=True).order_by("name"))
    departments = list(
        Department.objects.filter(district_id=district_id, active=True).order_by("name")
    )
    return units, departments


def partner_get(
    *, actor: Actor, unit_id: int | None, department_id: int | None
) -> tuple[Unit | None, Department | None]:
    units, departments = partner_choices(actor=actor)
    unit = next((u for u in units if u.pk == unit_id), None) if unit_id else None
    department = (
        next((d for d in departments if d.pk == department_id), None) if department_id else None
    )
    if (unit_id and unit is None) or (department_id and department is None):
        raise NotFound("没有找到该结对方，或它已停用。")
    return unit, department


def communities(*, actor: Actor) -> QuerySet[Region]:
    """Communities the actor may sign agreements for or whistle in (a liaison: none)."""
    if is_liaison(actor):
        return Region.objects.none()
    return core_selectors.communities(actor=actor)


def community_get(*, actor: Actor, community_id: int) -> Region:
    not_found = "没有找到该社区，或它不在您的管辖范围内。"
    if is_liaison(actor):
        raise NotFound(not_found)
    return core_selectors.community_get(actor=actor, community_id=community_id, not_found=not_found)
