"""The register follows a moved region (``core.registry`` region-move hook):
households, residents and their tags take the new district, community and
building columns, and the resident counts of both ancestor chains are
recounted."""

from __future__ import annotations

from typing import cast

from django.db.models import Count, Q
from django.utils import timezone

from shequ.core.models import Region, RegionLevel, RegionStat
from shequ.core.registry import RegionMove
from shequ.core.services.regions import ANCESTOR_COLUMNS
from shequ.residents.models import Household, Resident, ResidentTag

OWN_TABLES = ("residents.household", "residents.resident", "residents.residenttag")


def register_follow_move(move: RegionMove) -> dict[str, int]:
    moved = _move_register(move)
    _restat(_chain(move.old_parent) | _chain(move.new_parent))
    return moved


def _move_register(move: RegionMove) -> dict[str, int]:
    """Bring the denormalised region columns of households, residents and
    resident tags in the moved subtree up to date, in bulk."""
    region, old_parent, new_parent = move.region, move.old_parent, move.new_parent
    household_set: dict[str, int | None] = {}
    person_set: dict[str, int | None] = {}
    if new_parent.district_id != old_parent.district_id:
        household_set["district_id"] = person_set["district_id"] = new_parent.district_id
    if region.level > RegionLevel.COMMUNITY and new_parent.community_id != old_parent.community_id:
        household_set["community_id"] = person_set["community_id"] = new_parent.community_id
    if region.level == RegionLevel.UNIT:
        household_set["building_id"] = new_parent.pk
    if not household_set:
        return {}
    anc = region.ancestor_field
    households = Household.objects.filter(
        **({f"unit__{anc}": region.pk} if anc else {"unit": region.pk})
    )
    moved = {"households": households.update(**household_set)}
    if person_set:
        people = Resident.objects.filter(household__in=households.values("pk"))
        moved["residents"] = people.update(**person_set)
        ResidentTag.objects.filter(resident__household__in=households.values("pk")).update(
            **{k: v for k, v in person_set.items() if k in {"community_id", "district_id"}}
        )
    return moved


def _chain(region: Region) -> set[int]:
    """``region`` and its ancestors."""
    ids = {getattr(region, f"{column}_id") for column in ANCESTOR_COLUMNS} | {region.pk}
    return {i for i in ids if i is not None}


def _restat(region_ids: set[int]) -> None:
    """Recount the subtrees of ``region_ids`` (the two ancestor chains a move
    touches) from the register: two aggregate queries and one bulk write."""
    regions = list(Region.objects.filter(pk__in=region_ids).only("id", "level", "district_id"))
    households = Household.objects.aggregate(
        **{
            f"r{r.pk}": Count("id", filter=Q(**{f"unit__{r.ancestor_field}": r.pk}))
            for r in regions
        }
    )
    residents = Resident.objects.current().aggregate(
        **{
            f"r{r.pk}": Count("id", filter=Q(**{f"household__unit__{r.ancestor_field}": r.pk}))
            for r in regions
        }
    )
    RegionStat.objects.bulk_create(
        [RegionStat(region_id=r.pk, district_id=cast(int, r.district_id)) for r in regions],
        ignore_conflicts=True,
    )
    now = timezone.now()
    RegionStat.objects.bulk_update(
        [
            RegionStat(
                region_id=r.pk,
                residents=residents[f"r{r.pk}"] or 0,
                households=households[f"r{r.pk}"] or 0,
                updated_at=now,
            )
            for r in regions
        ],
        ["residents", "households", "updated_at"],
    )
