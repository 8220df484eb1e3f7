"""Test data for the party module, written straight to the tables (the
services are what the tests examine): the four levels of organisations on
the test tree and members who are residents of the register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from shequ.core.models import Region, User
from shequ.core.permissions import Role
from shequ.core.tests.factories import user_with
from shequ.party.models import OrgKind, PartyMember, PartyOrg, Relation, Standing
from shequ.residents.models import Resident
from shequ.residents.tests.helpers import resident
from shequ.whistles.models import Unit


@dataclass
class Orgs:
    street: PartyOrg  # 站前街道党工委
    community: PartyOrg  # 站前社区党委
    branch: PartyOrg  # 化机小区党支部 (tree.compound)
    group: PartyOrg  # 1号楼党小组 (tree.building)
    other_branch: PartyOrg  # 利民小区党支部 (tree.other_community's compound)


def org(region: Region, kind: str, name: str, parent: PartyOrg | None = None) -> PartyOrg:
    return PartyOrg.objects.create(
        district_id=region.district_id,
        community_id=region.community_id,
        compound_id=region.compound_id,
        region=region,
        parent=parent,
        kind=kind,
        name=name,
        founded_on=dt.date(2020, 7, 1),
        created_at=timezone.now(),
    )


def party_orgs(tree) -> Orgs:
    street = org(tree.street, OrgKind.STREET_COMMITTEE, "中共站前街道工作委员会")
    community = org(tree.community, OrgKind.COMMUNITY_COMMITTEE, "中共站前社区委员会", street)
    branch = org(tree.compound, OrgKind.BRANCH, "中共化机小区支部委员会", community)
    group = org(tree.building, OrgKind.GROUP, "化机小区1号楼党小组", branch)
    other_community = org(
        tree.other_community, OrgKind.COMMUNITY_COMMITTEE, "中共利民社区委员会", street
    )
    other_compound = Region.objects.get(parent=tree.other_community)
    other_branch = org(other_compound, OrgKind.BRANCH, "中共利民小区支部委员会", other_community)
    return Orgs(street, community, branch, group, other_branch)


def member(
    unit: Region,
    party_org: PartyOrg,
    *,
    name: str = "党员甲",
    seq: int = 50,
    standing: str = Standing.FULL,
    relation: str = Relation.SELF_MANAGED,
    probation_ends_on: dt.date | None = None,
    joined_on: dt.date = dt.date(2000, 7, 1),
    room: str | None = None,
    phone: str = "",
) -> PartyMember:
    """A resident of ``unit`` (room 5xx by default) who is a member of ``party_org``."""
    person: Resident = resident(unit, name=name, seq=seq, room=room or str(500 + seq), phone=phone)
    now = timezone.now()
    if standing == Standing.PROBATIONARY and probation_ends_on is None:
        probation_ends_on = dt.date(2027, 6, 30)
    return PartyMember.objects.create(
        district_id=unit.district_id,
        community_id=unit.community_id,
        compound_id=unit.compound_id,
        resident=person,
        org=party_org,
        org_region_id=party_org.region_id,
        standing=standing,
        probation_ends_on=probation_ends_on,
        relation=relation,
        joined_on=joined_on,
        created_at=now,
        updated_at=now,
    )


def party_secretary(region: Region, username: str) -> User:
    """An account holding the party-secretary role on ``region``."""
    return user_with(Role.PARTY_SECRETARY, region, username)


def resident_account(person: Resident, username: str) -> User:
    """Give ``person`` a resident account of their community."""
    user = user_with(Role.RESIDENT, Region.objects.get(pk=person.community_id), username)
    person.user = user
    person.save(update_fields=["user"])
    return user


def in_service(person: PartyMember, unit: Unit) -> PartyMember:
    PartyMember.objects.filter(pk=person.pk).update(
        employer_unit=unit, employer_org_name=f"中共{unit.name}委员会", employer_name=unit.name
    )
    person.refresh_from_db()
    return person
