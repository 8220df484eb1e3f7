"""Core endpoints: who am I, regions in scope, region upkeep, grants.

Each write endpoint calls the same service as the page; a refused write
answers ``{"detail": "…"}`` with its 4xx status and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shequ.core import selectors
from shequ.core.api_auth import require
from shequ.core.api_schema import Id, choice, listed, refusals
from shequ.core.audit import audit_refused
from shequ.core.errors import DomainError, NotFound
from shequ.core.models import RegionLevel
from shequ.core.permissions import Role
from shequ.core.services import accounts as account_services
from shequ.core.services import regions as region_services

router = Router(tags=["平台"])

Level = choice(RegionLevel.values, "区划层级应为1到6（区、街道、社区、小区、楼栋、单元）。")
RoleFilter = choice(Role.values, "请选择有效的角色。")


def _call(request: HttpRequest, action: str, service: Callable[..., Any], obj=None, **kwargs):
    """Run one service; a refusal is audited and re-raised (the shared
    handler turns it into its status and Chinese ``detail``)."""
    try:
        return service(actor=request.actor, **kwargs)
    except DomainError as error:
        audit_refused(actor=request.actor, action=action, message=error.message, obj=obj)
        raise


class GrantOut(Schema):
    id: int
    role: str
    role_label: str
    region_id: int
    region_name: str


class MeOut(Schema):
    username: str
    full_name: str
    active_grant: GrantOut | None
    grants: list[GrantOut]
    permissions: list[str]


def _grant(g) -> GrantOut:
    return GrantOut(
        id=g.id,
        role=g.role,
        role_label=g.get_role_display(),
        region_id=g.region_id,
        region_name=g.region.name,
    )


@router.get("/me", response={200: MeOut, **refusals()}, summary="当前用户与授权")
def me(request: HttpRequest):
    actor = request.actor
    return MeOut(
        username=actor.user.username,
        full_name=actor.user.full_name,
        active_grant=_grant(actor.grant) if actor.grant else None,
        grants=[_grant(g) for g in actor.grants],
        permissions=sorted(actor.permissions),
    )


# -- regions ---------------------------------------------------------------------


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    level_label: str
    parent_id: int | None
    residents: int
    households: int
    population_served: int | None = None
    households_served: int | None = None


def _region_out(r) -> RegionOut:
    return RegionOut(
        id=r.id,
        code=r.code,
        name=r.name,
        level=r.level,
        level_label=r.level_label,
        parent_id=r.parent_id,
        residents=r.n_residents,
        households=r.n_households,
        population_served=r.population_served,
        households_served=r.households_served,
    )


@router.get(
    "/regions", response={200: list[RegionOut], **refusals(404)}, summary="管辖范围内的区划"
)
def regions(request: HttpRequest, level: Level = None, parent_id: Id | None = None):
    actor = require(request, "region.view")
    parent = selectors.region_get(actor=actor, region_id=parent_id) if parent_id else None
    rows = selectors.region_list(actor=actor, level=level, parent=parent)
    if parent_id and parent is None:
        rows = rows.none()
    return [_region_out(r) for r in rows[:5000]]


@router.get("/regions/{region_id}", response={200: RegionOut, **refusals(404)}, summary="区划详情")
def region_detail(request: HttpRequest, region_id: int):
    actor = require(request, "region.view")
    return _region_out(selectors.region_detail(actor=actor, region_id=region_id))


class RegionIn(Schema):
    parent_id: int
    name: str
    code: str
    population_served: int | None = None
    households_served: int | None = None


@router.post(
    "/regions", response={201: RegionOut, **refusals(400, 404, 409)}, summary="新增下级区划"
)
def region_create(request: HttpRequest, payload: RegionIn):
    require(request, "region.manage")
    parent = selectors.region_lookup(region_id=payload.parent_id)
    region = _call(
        request,
        "region.create",
        region_services.region_create,
        obj=parent,
        parent=parent,
        name=payload.name,
        code=payload.code,
        population_served=payload.population_served,
        households_served=payload.households_served,
    )
    return Status(
        201, _region_out(selectors.region_detail(actor=request.actor, region_id=region.pk))
    )


class RegionMoveIn(Schema):
    new_parent_id: int
    new_code: str | None = None


@router.post(
    "/regions/{region_id}/move",
    response={200: RegionOut, **refusals(400, 404, 409)},
    summary="迁移区划（含全部下级）",
)
def region_move(request: HttpRequest, region_id: int, payload: RegionMoveIn):
    require(request, "region.manage")
    region = selectors.region_lookup(region_id=region_id)
    try:
        new_parent = selectors.region_lookup(region_id=payload.new_parent_id)
    except NotFound as error:
        raise NotFound("新上级区划不存在。") from error
    moved = _call(
        request,
        "region.move",
        region_services.region_move,
        obj=region,
        region=region,
        new_parent=new_parent,
        new_code=payload.new_code,
    )
    return _region_out(selectors.region_detail(actor=request.actor, region_id=moved.pk))


# -- grants ------------------------------------------------------------------------


class GrantRowOut(Schema):
    id: int
    username: str
    role: str
    role_label: str
    region_id: int
    region_code: str
    region_name: str


def _grant_row(g) -> GrantRowOut:
    return GrantRowOut(
        id=g.id,
        username=selectors.grant_display_username(g),
        role=g.role,
        role_label=g.get_role_display(),
        region_id=g.region_id,
        region_code=g.region.code,
        region_name=g.region.name,
    )


@router.get("/grants", response={200: list[GrantRowOut], **refusals()}, summary="管辖范围内的授权")
def grants(request: HttpRequest, role: RoleFilter = None, q: str = ""):
    actor = require(request, "grant.manage")
    rows = selectors.grant_list(actor=actor, q=q, role=role or "")
    return [_grant_row(g) for g in rows[:5000]]


class GrantIn(Schema):
    username: str
    role: str = Field(json_schema_extra=listed(Role.values))
    region_id: int


@router.post("/grants", response={201: GrantRowOut, **refusals(400, 404, 409)}, summary="授予角色")
def grant_create(request: HttpRequest, payload: GrantIn):
    require(request, "grant.manage")
    user = selectors.user_lookup_by_username(username=payload.username)
    if user is None:
        raise NotFound("没有这个账号。")
    region = selectors.region_lookup(region_id=payload.region_id)
    grant = _call(
        request,
        "grant.create",
        account_services.grant_create,
        obj=user,
        user=user,
        role=payload.role,
        region=region,
    )
    return Status(201, _grant_row(grant))


@router.delete("/grants/{grant_id}", response={204: None, **refusals(404, 409)}, summary="收回授权")
def grant_revoke(request: HttpRequest, grant_id: int):
    require(request, "grant.manage")
    grant = selectors.grant_lookup(grant_id=grant_id)
    _call(request, "grant.revoke", account_services.grant_revoke, obj=grant, grant=grant)
    return Status(204, None)
