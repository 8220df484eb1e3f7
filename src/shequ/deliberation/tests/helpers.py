"""Test data for deliberation: a catalog item adopted by the community and
owners of the test compound with accounts and floor areas."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shequ.core.models import Region
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.deliberation.models import ConsultationItem
from shequ.deliberation.services import catalog_adopt, consultation_item_create
from shequ.residents.models import Resident
from shequ.residents.tests.helpers import resident


def catalog_item(district: Region, community: Region, *, code: str = "HJ-01", rule: str = "majority",
                 level: str = "compound", forms: tuple[str, ...] = ("council", "joint", "online"),
                 admin: Actor | None = None) -> ConsultationItem:  # fmt: skip
    """环境改造 / 加装电梯, adopted by ``community``."""
    admin = admin or Actor.for_user(user_with(Role.DISTRICT_ADMIN, district))
    item = consultation_item_create(
        actor=admin, district=district, code=code, category="环境改造", name="加装电梯",
        forms=list(forms), participants=["resident_reps", "property"], vote_rule=rule, level=level,
        legal_basis="《关于加强城乡社区协商的意见》",
    )  # fmt: skip
    catalog_adopt(
        actor=Actor.for_user(user_with(Role.COMMUNITY_SECRETARY, community)), community=community
    )
    return item


@dataclass
class Owner:
    resident: Resident
    actor: Actor


def owners(unit: Region, areas: list[str], *, start: int = 100) -> list[Owner]:
    """One household per area (rooms 1xx) with a resident who has an account."""
    out = []
    for n, area in enumerate(areas):
        r = resident(unit, name=f"业主{n + 1}", seq=start + n, room=str(start + n),
                     phone=f"1390000{start + n:04d}")  # fmt: skip
        r.household.floor_area = Decimal(area)
        r.household.save(update_fields=["floor_area"])
        r.user = user_with(
            Role.RESIDENT, Region.objects.get(pk=unit.community_id), f"owner{start + n}"
        )
        r.save(update_fields=["user"])
        out.append(Owner(r, Actor.for_user(r.user)))
    return out
