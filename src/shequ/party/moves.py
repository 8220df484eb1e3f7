"""The party structures follow a moved region (``core.registry``
region-move hook). A compound, building or unit moved to another community
takes along what stands on it: its organisations (re-parented to the
organisation of the nearest level above in the new place), their committee
seats, linked bodies and members, its stations with their records, and its
building heads. What happened there — visits, transfers, 双报到 — stays with
the community it was made in, as cases and appeals do (core moves only
their district). A street moved to another district takes its 党工委."""

from __future__ import annotations

from django.db.models import Q

from shequ.core.models import Region, RegionLevel
from shequ.core.registry import RegionMove
from shequ.party.models import (
    BuildingHead,
    LinkedBody,
    OrgRole,
    PartyMember,
    PartyOrg,
    Station,
    StationActivity,
    StationDuty,
    StationHours,
    StationMonth,
    StationOpening,
    StationRoom,
)
from shequ.party.services.orgs import parent_org

_STATION_ROWS = (StationRoom, StationHours, StationDuty, StationOpening, StationActivity)


def _within(region: Region, field: str) -> Q:
    anc = region.ancestor_field
    return Q(**{f"{field}__{anc}": region.pk}) if anc else Q(**{f"{field}_id": region.pk})


def party_follow_move(move: RegionMove) -> dict[str, int]:
    region, old_parent, new_parent = move.region, move.old_parent, move.new_parent
    if region.level == RegionLevel.STREET:
        if new_parent.district_id == old_parent.district_id:
            return {}
        n = PartyOrg.objects.filter(region=region).update(district_id=new_parent.district_id)
        return {"party_orgs": n} if n else {}
    if region.level <= RegionLevel.COMMUNITY:
        return {}  # core moves the district of every row of a moved community
    moved: dict[str, int] = {}
    orgs = PartyOrg.objects.filter(_within(region, "region"))
    community_id = new_parent.community_id
    moved["party_orgs"] = orgs.update(community_id=community_id, district_id=new_parent.district_id)
    # Each organisation's compound and parent, from where it stands now.
    for org in orgs.select_related("region").order_by("region__level"):
        org.compound_id = org.region.compound_id
        org.parent = parent_org(org.region)
        org.save(update_fields=["compound", "parent"])
    at = {"community_id": community_id, "district_id": new_parent.district_id}
    moved["party_seats"] = OrgRole.objects.filter(org__in=orgs).update(**at)
    moved["party_bodies"] = LinkedBody.objects.filter(org__in=orgs).update(**at)
    moved["party_members"] = PartyMember.objects.filter(_within(region, "org_region")).update(**at)
    # Where a member lives is the register's: recount the compound of those
    # who live in the moved subtree.
    for member in (
        PartyMember.objects.filter(_within(region, "resident__household__unit"))
        .only("pk", "resident__household__unit__compound_id")
        .select_related("resident__household__unit")
    ):
        PartyMember.objects.filter(pk=member.pk).update(
            compound_id=member.resident.household.unit.compound_id
        )
    stations = Station.objects.filter(_within(region, "compound"))
    moved["party_stations"] = stations.update(**at)
    for model in _STATION_ROWS:
        model.objects.filter(station__in=stations).update(**at)
    StationMonth.objects.filter(station__in=stations).update(**at, street_id=new_parent.street_id)
    heads = BuildingHead.objects.filter(_within(region, "building"), ended_on__isnull=True)
    moved["party_heads"] = heads.update(**at)
    return {k: v for k, v in moved.items() if v}
