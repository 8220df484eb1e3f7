"""党组织 reads: the organisations in the actor's region subtree with their
member counts, one organisation with its committee and bodies, the choices
the forms offer, and the district's "should set up a branch" lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from shequ.core.errors import NotFound
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.party.models import (
    HELD_HERE,
    KINDS_BY_LEVEL,
    LinkedBody,
    MemberStatus,
    OrgKind,
    OrgRole,
    PartyMember,
    PartyOrg,
    Standing,
)
from shequ.party.scope import region_q
from shequ.party.services.common import rules_for

_ACTIVE = Q(members__status=MemberStatus.ACTIVE)


def org_list(*, actor: Actor, kind: str = "", active: bool = True) -> QuerySet[PartyOrg]:
    actor.require("party.view")
    rows = PartyOrg.objects.filter(region_q(actor), district_id=actor.district_id, active=active)
    if kind in OrgKind.values:
        rows = rows.filter(kind=kind)
    return (
        rows.select_related("region", "parent")
        .annotate(
            member_count=Count("members", filter=_ACTIVE),
            full_count=Count("members", filter=_ACTIVE & Q(members__standing=Standing.FULL)),
        )
        .order_by("region__code", "id")
    )


def org_get(*, actor: Actor, org_id: int) -> PartyOrg:
    actor.require("party.view")
    org = (
        PartyOrg.objects.filter(region_q(actor), pk=org_id, district_id=actor.district_id)
        .select_related("region", "parent")
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=OrgRole.objects.select_related("member__resident").order_by(
                    "ended_on", "role", "term_start"
                ),
            ),
            Prefetch("bodies", queryset=LinkedBody.objects.filter(active=True)),
            Prefetch("children", queryset=PartyOrg.objects.filter(active=True).order_by("name")),
        )
        .annotate(member_count=Count("members", filter=_ACTIVE))
        .first()
    )
    if org is None:
        raise NotFound("党组织不存在或不在您的管辖范围内。")
    return org


def member_orgs(*, actor: Actor) -> QuerySet[PartyOrg]:
    """The standing organisations the actor may enrol members into."""
    return (
        PartyOrg.objects.filter(
            region_q(actor),
            district_id=actor.district_id,
            active=True,
            kind__in=[
                OrgKind.COMMUNITY_COMMITTEE,
                OrgKind.GENERAL_BRANCH,
                OrgKind.BRANCH,
                OrgKind.GROUP,
            ],
        )  # fmt: skip
        .select_related("region")
        .order_by("region__code")
    )


def founding_regions(*, actor: Actor, level: int) -> QuerySet[Region]:
    """Regions of ``level`` in scope that have no standing organisation yet."""
    if level not in KINDS_BY_LEVEL:
        return Region.objects.none()
    taken = PartyOrg.objects.filter(active=True, district_id=actor.district_id).values("region_id")
    return (
        actor.regions()
        .filter(level=level)
        .exclude(pk__in=taken)
        .select_related("community", "compound")
        .order_by("code")[:500]
    )


@dataclass(frozen=True)
class EligibilityRow:
    region: Region
    full_members: int
    org: PartyOrg | None  # the branch, for a branch below the threshold


@dataclass(frozen=True)
class Eligibility:
    threshold: int
    should_found: list[EligibilityRow]  # compounds with enough members and no branch
    below: list[EligibilityRow]  # branches whose full members fell below the threshold


def eligibility(*, actor: Actor) -> Eligibility:
    """建支部提示 (党章第三十条): a compound where at least N full members whose
    membership is held here live and which has no branch should found one;
    a branch whose own full members (its groups' included) fell below N is
    flagged too. N is the district's threshold (default 3)."""
    actor.require("party.view")
    district_id = actor.require_district_id()
    threshold = rules_for(district_id).branch_threshold
    counted = PartyMember.objects.filter(
        district_id=district_id,
        status=MemberStatus.ACTIVE,
        standing=Standing.FULL,
        relation__in=HELD_HERE,
    )
    branches = {
        o.compound_id: o
        for o in PartyOrg.objects.filter(
            region_q(actor), district_id=district_id, kind=OrgKind.BRANCH, active=True
        ).select_related("region")
    }
    living = dict(
        counted.filter(region_q(actor, "compound"))
        .values_list("compound_id")
        .annotate(n=Count("id"))
        .values_list("compound_id", "n")
    )
    of_branch = dict(
        counted.filter(org_region__compound_id__in=list(branches))
        .values_list("org_region__compound_id")
        .annotate(n=Count("id"))
        .values_list("org_region__compound_id", "n")
    )
    missing = [cid for cid, n in living.items() if n >= threshold and cid not in branches]
    regions = Region.objects.in_bulk(missing)
    should = sorted(
        (EligibilityRow(regions[cid], living[cid], None) for cid in missing),
        key=lambda r: r.region.code,
    )
    below = sorted(
        (
            EligibilityRow(org.region, of_branch.get(cid, 0), org)
            for cid, org in branches.items()
            if of_branch.get(cid, 0) < threshold
        ),
        key=lambda r: r.region.code,
    )
    return Eligibility(threshold=threshold, should_found=should, below=below)


LEVEL_CHOICES = [
    (RegionLevel.STREET, "街道"),
    (RegionLevel.COMMUNITY, "社区"),
    (RegionLevel.COMPOUND, "小区"),
    (RegionLevel.BUILDING, "楼栋"),
]
