"""Who sees which party rows. Used by selectors (filters) and services
(checks) alike, so a page and the write behind it agree.

- Organisations, stations and figures: anyone with ``party.view``, within the
  region subtree of the active grant (``region_q``).
- Member registers (``party.members``): a party secretary sees the members of
  the organisations in the subtree of the region the grant lies on (a compound
  branch's secretary: that branch and its groups); the community secretary
  the whole community. Nobody else sees a name, except a resident their own.
- Households (楼长制): a building head only those of the grant's building.
"""

from __future__ import annotations

from django.db.models import Q

from shequ.core.errors import PermissionDenied
from shequ.core.models import Region
from shequ.core.permissions import Role
from shequ.core.scope import Actor


def region_q(actor: Actor, field: str = "region") -> Q:
    """Rows whose region ``field`` lies in the active grant's subtree (any
    level: a street committee has no community, so ``scope_q`` cannot say)."""
    region = actor.region
    if region is None:
        return Q(pk__in=[])
    anc = region.ancestor_field
    if anc is None:
        return Q(**{f"{field}_id": region.pk})
    return Q(**{f"{field}__{anc}": region.pk})


def members_q(actor: Actor, prefix: str = "") -> Q:
    """Member rows (or rows whose ``prefix`` leads to one) the actor may name."""
    if not actor.can("party.members"):
        return Q(pk__in=[])
    if actor.role == Role.PARTY_SECRETARY:
        return region_q(actor, f"{prefix}org_region")
    return actor.scope_q(community=f"{prefix}community")


def covers_org_region(actor: Actor, region: Region) -> bool:
    """Whether an organisation on ``region`` is the actor's to keep: within
    the subtree of the grant (a party secretary, the community secretary)."""
    return actor.covers(region)


def require_org_region(actor: Actor, region: Region) -> None:
    if not covers_org_region(actor, region):
        raise PermissionDenied("该党组织不在您的管辖范围内。")


def households_q(actor: Actor, prefix: str = "") -> Q:
    """Households (or rows that carry one's ``unit``) in scope: a building
    head's building, staff's communities."""
    return actor.scope_q(community=f"{prefix}community", region=f"{prefix}unit")
