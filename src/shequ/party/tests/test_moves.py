"""A compound moved to another community takes its party structures along
(organisations re-parented, members, stations, building heads); what
happened there (visits) stays where it was made."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.core.services.regions import region_move
from shequ.party.models import (
    BuildingHead,
    HouseholdVisit,
    PartyMember,
    PartyOrg,
    Station,
    StationMonth,
)
from shequ.party.tests.helpers import member, party_orgs

pytestmark = pytest.mark.django_db


def test_a_moved_compound_takes_its_branch_members_station_and_heads(tree, people):
    orgs = party_orgs(tree)
    wang = member(tree.unit, orgs.group, name="王红", seq=51)
    li = member(tree.unit, orgs.community, name="李明", seq=52)  # of the committee, lives here
    station = Station.objects.create(
        district=tree.district, community=tree.community, compound=tree.compound,
        branch=orgs.branch, name="化机驿站", location_kind="public_room", address="3号楼",
        area=Decimal("60"), opened_on=dt.date(2025, 1, 1), created_at=timezone.now(),
    )  # fmt: skip
    StationMonth.objects.create(
        district=tree.district, community=tree.community, street=tree.street, station=station,
        month=dt.date(2026, 10, 1), published_minutes=1, open_minutes=1,
        activities_with_residents=0, hosted=0, functioning=False, reason="",
    )  # fmt: skip
    BuildingHead.objects.create(
        district=tree.district, community=tree.community, building=tree.building, kind="building",
        resident=wang.resident, term_start=dt.date(2026, 1, 1), created_at=timezone.now(),
    )  # fmt: skip
    visit = HouseholdVisit.objects.create(
        district=tree.district, community=tree.community, building=tree.building, unit=tree.unit,
        household=wang.resident.household, visited_on=dt.date(2026, 10, 8),
        created_at=timezone.now(),
    )  # fmt: skip

    region_move(actor=Actor.for_user(people.district_admin), region=tree.compound,
                new_parent=tree.other_community, new_code="210302001002009")  # fmt: skip

    new_committee = PartyOrg.objects.get(name="中共利民社区委员会")
    branch, group = PartyOrg.objects.get(pk=orgs.branch.pk), PartyOrg.objects.get(pk=orgs.group.pk)
    assert (branch.community_id, branch.parent_id) == (tree.other_community.pk, new_committee.pk)
    assert (group.community_id, group.parent_id) == (tree.other_community.pk, branch.pk)
    wang.refresh_from_db()
    li.refresh_from_db()
    assert (wang.community_id, wang.compound_id) == (tree.other_community.pk, tree.compound.pk)
    # 李明 stays in 站前社区's committee: his organisation did not move
    assert (li.community_id, li.org_id) == (tree.community.pk, orgs.community.pk)
    assert Station.objects.get().community_id == tree.other_community.pk
    assert StationMonth.objects.get().street_id == tree.other_community.street_id
    assert BuildingHead.objects.get().community_id == tree.other_community.pk
    visit.refresh_from_db()
    assert visit.community_id == tree.community.pk  # history stays where it was made
    record = AuditRecord.objects.filter(action="region.move").latest("id")
    assert record.changes["party_orgs"] == 2 and record.changes["party_members"] == 1
    assert PartyMember.objects.filter(community=tree.other_community).count() == 1
