"""The actor: who is acting, under which grant, over which regions.

Every view, API endpoint and service receives an ``Actor``. Selectors call
``actor.scope_q(...)`` to filter rows; nothing else re-implements scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from django.db.models import Q, QuerySet

from shequ.core.errors import PermissionDenied
from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.permissions import PERMISSIONS, Role, role_permissions

SESSION_GRANT_KEY = "shequ_active_grant"


@dataclass
class Actor:
    user: User | None
    grant: Grant | None
    ip: str | None = None
    grants: list[Grant] = field(default_factory=list)
    # Set for work done by a command (``shequ demo``, ``shequ tick``…) rather
    # than a person: the audit trail names the command instead of "anonymous".
    system: str = ""

    @classmethod
    def anonymous(cls, ip: str | None = None) -> Actor:
        return cls(user=None, grant=None, ip=ip)

    @classmethod
    def for_command(cls, command: str) -> Actor:
        return cls(user=None, grant=None, system=command)

    @classmethod
    def for_user(cls, user: User, *, grant_id: int | None = None, ip: str | None = None) -> Actor:
        grants = (
            list(Grant.objects.filter(user=user).select_related("region").order_by("id"))
            if user.is_authenticated and user.is_active
            else []
        )
        active = next((g for g in grants if g.id == grant_id), grants[0] if grants else None)
        return cls(user=user, grant=active, ip=ip, grants=grants)

    # -- who -----------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    def require_user(self) -> User:
        """The signed-in person acting; refuses an anonymous or command actor."""
        if self.user is None or not self.user.is_authenticated:
            raise PermissionDenied("请先登录。")
        return self.user

    @property
    def role(self) -> str | None:
        return self.grant.role if self.grant else None

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def region(self) -> Region | None:
        return self.grant.region if self.grant else None

    @property
    def permissions(self) -> frozenset[str]:
        return role_permissions(self.role) if self.role else frozenset()

    def can(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(f"您没有“{PERMISSIONS[permission]}”的权限。")

    # -- where ---------------------------------------------------------------

    @property
    def district_id(self) -> int | None:
        """The district the active grant lies in (a district grant: itself)."""
        return self.region.district_id if self.region is not None else None

    def require_district_id(self) -> int:
        """The active grant's district, refusing an actor who has none."""
        district_id = self.district_id
        if district_id is None:
            raise PermissionDenied("当前角色不属于任何区。")
        return district_id

    def covers(self, region: Region) -> bool:
        """Whether ``region`` lies in the active grant's subtree."""
        if self.region is None:
            return False
        anc = self.region.ancestor_field
        if anc is None:  # a unit grant covers that unit alone
            return region.pk == self.region.pk
        return getattr(region, f"{anc}_id") == self.region.pk

    def require_region(self, region: Region) -> None:
        if not self.covers(region):
            raise PermissionDenied("该区划不在您的管辖范围内。")

    def regions(self) -> QuerySet[Region]:
        """The active grant's subtree, itself included."""
        if self.region is None:
            return Region.objects.none()
        anc = self.region.ancestor_field
        if anc is None:
            return Region.objects.filter(pk=self.region.pk)
        return Region.objects.filter(**{anc: self.region})

    @cached_property
    def community_ids(self) -> list[int]:
        """Communities the active grant reaches (for a building head, its one)."""
        if self.region is None:
            return []
        if self.region.level >= RegionLevel.COMMUNITY:
            # A region at or below community level always carries its community.
            return [cast(int, self.region.community_id)]
        return list(self.regions().filter(level=RegionLevel.COMMUNITY).values_list("id", flat=True))

    def scope_q(self, *, community: str = "community", region: str | None = None) -> Q:
        """A filter for rows that carry their community (and, below it, a region).

        ``community`` names the row's community foreign key; ``region`` names
        the row's most specific region (e.g. a household's unit), needed only
        when a grant sits below the community (building head). Without it such
        a grant matches nothing: a building head must never see the whole
        community because a selector forgot to say where its rows live.
        """
        if self.region is None:
            return Q(pk__in=[])
        level = self.region.level
        if level < RegionLevel.COMMUNITY:
            anc = self.region.ancestor_field
            return Q(**{f"{community}__{anc}": self.region.pk})
        if level == RegionLevel.COMMUNITY:
            return Q(**{f"{community}_id": self.region.pk})
        if region is None:
            return Q(pk__in=[])
        anc = self.region.ancestor_field
        if anc is None:
            return Q(**{f"{region}_id": self.region.pk})
        return Q(**{f"{region}__{anc}": self.region.pk})
