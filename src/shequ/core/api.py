"""Core endpoints: who am I, regions in scope."""

from django.http import HttpRequest
from ninja import Router, Schema

from shequ.core import selectors
from shequ.core.api_auth import require

router = Router(tags=["平台"])


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
    return GrantOut(id=g.id, role=g.role, role_label=g.get_role_display(), region_id=g.region_id,
                    region_name=g.region.name)


@router.get("/me", response=MeOut, summary="当前用户与授权")
def me(request: HttpRequest):
    actor = request.actor
    return MeOut(
        username=actor.user.username,
        full_name=actor.user.full_name,
        active_grant=_grant(actor.grant) if actor.grant else None,
        grants=[_grant(g) for g in actor.grants],
        permissions=sorted(actor.permissions),
    )


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    level_label: str
    parent_id: int | None
    residents: int
    households: int


@router.get("/regions", response=list[RegionOut], summary="管辖范围内的区划")
def regions(request: HttpRequest, level: int | None = None, parent_id: int | None = None):
    actor = require(request, "region.view")
    parent = selectors.region_get(actor=actor, region_id=parent_id) if parent_id else None
    rows = selectors.region_list(actor=actor, level=level, parent=parent)
    if parent_id and parent is None:
        rows = rows.none()
    return [
        RegionOut(
            id=r.id, code=r.code, name=r.name, level=r.level, level_label=r.level_label,
            parent_id=r.parent_id,
            residents=getattr(getattr(r, "stat", None), "residents", 0),
            households=getattr(getattr(r, "stat", None), "households", 0),
        )
        for r in rows[:5000]
    ]
