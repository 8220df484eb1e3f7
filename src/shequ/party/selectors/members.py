"""党员 reads. Only the party roles read the register (``members_q``); a
resident reads their own membership; nobody else sees a name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from shequ.core.errors import NotFound, ValidationError
from shequ.core.pii import blind_index
from shequ.core.scope import Actor
from shequ.party.models import MemberStatus, OrgRole, PartyMember, PartyOrg, Relation, Standing
from shequ.party.scope import members_q
from shequ.residents.models import Resident
from shequ.whistles.models import Unit

_ID_RE = re.compile(r"\d{17}[\dXx]")


@dataclass(frozen=True)
class MemberFilters:
    org_id: int | None = None
    standing: str = ""
    relation: str = ""
    status: str = MemberStatus.ACTIVE
    q: str = ""


def member_list(*, actor: Actor, filters: MemberFilters | None = None) -> QuerySet[PartyMember]:
    actor.require("party.members")
    f = filters or MemberFilters()
    rows = PartyMember.objects.filter(members_q(actor), district_id=actor.district_id)
    if f.status in MemberStatus.values:
        rows = rows.filter(status=f.status)
    if f.org_id is not None:
        rows = rows.filter(org_id=f.org_id)
    if f.standing in Standing.values:
        rows = rows.filter(standing=f.standing)
    if f.relation in Relation.values:
        rows = rows.filter(relation=f.relation)
    q = f.q.strip()
    if q:
        rows = rows.filter(resident__name__icontains=q)
    return rows.select_related("resident", "org", "compound").order_by("org__region__code", "id")


def member_get(*, actor: Actor, member_id: int) -> PartyMember:
    actor.require("party.members")
    member = (
        PartyMember.objects.filter(members_q(actor), pk=member_id)
        .select_related(
            "resident__household__unit__building", "org__region", "compound", "employer_unit"
        )
        .prefetch_related(
            Prefetch(
                "roles", queryset=OrgRole.objects.select_related("org").order_by("-term_start")
            )
        )
        .first()
    )
    if member is None:
        raise NotFound("党员不存在或不在您的管辖范围内。")
    return member


def my_membership(*, actor: Actor) -> PartyMember | None:
    """The membership of the resident signed in, or None."""
    actor.require("party.self")
    return (
        PartyMember.objects.filter(resident__user=actor.user, district_id=actor.district_id)
        .select_related("org", "compound", "employer_unit")
        .first()
    )


def resident_by_id_number(*, actor: Actor, id_number: str) -> Resident | None:
    """The resident of the actor's communities with this ID number (exact,
    through the blind index), for enrolling a member."""
    actor.require("party.member_manage")
    compact = re.sub(r"[\s-]", "", id_number or "")
    if not _ID_RE.fullmatch(compact):
        raise ValidationError("请输入18位身份证号。", field="id_number")
    return (
        Resident.objects.filter(
            community_id__in=actor.community_ids,
            id_number_index=blind_index(compact.upper(), purpose="id_number"),
        )
        .select_related("household__unit__building", "community")
        .first()
    )


def district_units(*, actor: Actor) -> QuerySet[Unit]:
    """The stationed units of the actor's district (an in-service member's employer)."""
    return Unit.objects.filter(district_id=actor.district_id, active=True).order_by("name")


def member_choices(*, actor: Actor, org: PartyOrg | None = None) -> QuerySet[PartyMember]:
    """Active members the actor may name in a form: of ``org`` and the
    organisations below it (a committee seat), or all in scope."""
    rows = PartyMember.objects.filter(members_q(actor), status=MemberStatus.ACTIVE)
    if org is not None:
        anc = org.region.ancestor_field
        rows = rows.filter(
            Q(**{f"org_region__{anc}": org.region_id}) if anc else Q(org_region_id=org.region_id)
        )
    return rows.select_related("resident").order_by("resident__name")[:500]
