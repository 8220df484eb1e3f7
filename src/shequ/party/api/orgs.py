"""党组织 API: the organisations in scope, one with its committee (names
only to the party roles), founding one, and the district's "should set up a
branch" lists."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import choice, listed, refusals
from shequ.core.pii import mask_name
from shequ.party.models import OrgKind, PartyOrg
from shequ.party.selectors import orgs as selectors
from shequ.party.services import orgs as services

router = Router()

KindFilter = choice(OrgKind.values, "未知的党组织类别。")


class PartyOrgOut(Schema):
    id: int
    name: str
    kind: str = Field(description="类别代码：street_committee / community_committee / "
                      "general_branch / branch / group")  # fmt: skip
    kind_label: str
    region_id: int
    region: str
    parent_id: int | None
    founded_on: dt.date
    active: bool
    members: int = Field(description="在册党员数")


class PartyOrgSeatOut(Schema):
    role: str
    role_label: str
    name: str = Field(description="姓名（党务角色之外脱敏）")
    term_start: dt.date
    term_end: dt.date | None


class PartyOrgDetailOut(PartyOrgOut):
    committee: list[PartyOrgSeatOut] = Field(description="在任班子成员")


class PartyOrgFilters(Schema):
    kind: KindFilter = Field(None, description="类别")


class PartyOrgIn(Schema):
    region_id: int = Field(description="所在区划（街道、社区、小区或楼栋）")
    kind: str = Field(json_schema_extra=listed(OrgKind.values))
    name: str = Field(max_length=200)
    founded_on: dt.date


class EligibilityRowOut(Schema):
    region_id: int
    region: str
    full_members: int = Field(description="正式党员数（组织关系在本区的）")
    org_id: int | None = Field(description="党支部（低于门槛的支部）")


class EligibilityOut(Schema):
    threshold: int = Field(description="建支部所需正式党员数")
    should_found: list[EligibilityRowOut] = Field(description="应建未建党支部的小区")
    below_threshold: list[EligibilityRowOut] = Field(description="正式党员低于门槛的党支部")


def _org(o: PartyOrg) -> dict:
    return {
        "id": o.pk, "name": o.name, "kind": o.kind, "kind_label": OrgKind(o.kind).label,
        "region_id": o.region_id, "region": o.region.name, "parent_id": o.parent_id,
        "founded_on": o.founded_on, "active": o.active, "members": o.member_count,
    }  # fmt: skip


@router.get(
    "/orgs", response={200: list[PartyOrgOut], **refusals()}, summary="党组织列表（本辖区）"
)
@paginate(Pages)
def org_list(request: HttpRequest, filters: Query[PartyOrgFilters]):
    actor = require(request, "party.view")
    rows = selectors.org_list(actor=actor, kind=filters.kind or "")
    return mapped(rows, lambda o: PartyOrgOut(**_org(o)))


def _detail(request: HttpRequest, org_id: int) -> PartyOrgDetailOut:
    actor = request.actor  # type: ignore[attr-defined]
    org = selectors.org_get(actor=actor, org_id=org_id)
    names = actor.can("party.members")
    seats = [
        PartyOrgSeatOut(
            role=r.role,
            role_label=r.get_role_display(),
            name=r.member.resident.name if names else mask_name(r.member.resident.name),
            term_start=r.term_start,
            term_end=r.term_end,
        )  # fmt: skip
        for r in org.roles.all()
        if r.ended_on is None
    ]
    return PartyOrgDetailOut(**_org(org), committee=seats)


@router.get(
    "/orgs/{int:org_id}", response={200: PartyOrgDetailOut, **refusals(404)}, summary="党组织详情"
)
def org_detail(request: HttpRequest, org_id: int):
    require(request, "party.view")
    return _detail(request, org_id)


@router.post(
    "/orgs", response={201: PartyOrgDetailOut, **refusals(400, 404, 409)}, summary="成立党组织"
)
def org_create(request: HttpRequest, payload: PartyOrgIn):
    actor = require(request, "party.org")
    org = audited(
        request,
        "party_org.create",
        lambda: services.org_create(
            actor=actor,
            region_id=payload.region_id,
            kind=payload.kind,
            name=payload.name,
            founded_on=payload.founded_on,
        ),  # fmt: skip
    )
    return Status(201, _detail(request, org.pk))


@router.get(
    "/eligibility",
    response={200: EligibilityOut, **refusals()},
    summary="建支部提示（应建未建、低于门槛）",
)
def eligibility(request: HttpRequest):
    actor = require(request, "party.view")
    found = selectors.eligibility(actor=actor)

    def rows(items: list[selectors.EligibilityRow]) -> list[EligibilityRowOut]:
        return [
            EligibilityRowOut(
                region_id=r.region.pk,
                region=r.region.name,
                full_members=r.full_members,
                org_id=r.org.pk if r.org else None,
            )  # fmt: skip
            for r in items
        ]

    return EligibilityOut(
        threshold=found.threshold,
        should_found=rows(found.should_found),
        below_threshold=rows(found.below),
    )
