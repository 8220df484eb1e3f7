"""Resident and household counts rolled up the region tree (RegionStat).

A resident counts while they live here: one who has left (迁出) is not a
current resident, and their row (kept for the past's figures) is not counted.

Services call ``region_stats_bump`` in their transaction; ``shequ tick`` calls
``region_stats_rebuild`` to recompute every row from the register, so a
missed bump never outlives the next tick.
"""

from __future__ import annotations

from collections import defaultdict
from typing import cast

from django.db import transaction
from django.db.models import Count, F

from shequ.core.models import Region, RegionStat
from shequ.residents.models import Household, Resident

_ANCESTOR_COLUMNS = ("district_id", "street_id", "community_id", "compound_id", "building_id")


def _chain(unit: Region) -> list[int]:
    """The unit and its ancestors, district first: the fixed lock order."""
    ids = [getattr(unit, col) for col in _ANCESTOR_COLUMNS] + [unit.pk]
    return [i for i in dict.fromkeys(ids) if i is not None]


def region_stats_bump(*, unit: Region, residents: int = 0, households: int = 0) -> None:
    """Add to the counts of ``unit`` and every ancestor, inside the caller's
    transaction. Rows are updated one by one from the district down, so two
    writers always take the row locks in the same order."""
    if not residents and not households:
        return
    chain = _chain(unit)
    RegionStat.objects.bulk_create(
        [RegionStat(region_id=i, district_id=cast(int, unit.district_id)) for i in chain],
        ignore_conflicts=True,
    )
    for region_id in chain:
        RegionStat.objects.filter(region_id=region_id).update(
            residents=F("residents") + residents, households=F("households") + households
        )


@transaction.atomic
def region_stats_rebuild() -> int:
    """Recompute every RegionStat from the register. Returns the rows written."""
    per_unit_res = dict(
        Resident.objects.current()
        .values("household__unit_id")
        .annotate(n=Count("id"))
        .values_list("household__unit_id", "n")
    )
    per_unit_hh = dict(
        Household.objects.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    )
    residents: dict[int, int] = defaultdict(int)
    households: dict[int, int] = defaultdict(int)
    units = Region.objects.filter(pk__in=set(per_unit_res) | set(per_unit_hh)).only(
        "id", *_ANCESTOR_COLUMNS
    )
    for unit in units:
        for region_id in _chain(unit):
            residents[region_id] += per_unit_res.get(unit.pk, 0)
            households[region_id] += per_unit_hh.get(unit.pk, 0)
    all_ids = list(Region.objects.values_list("id", "district_id"))
    RegionStat.objects.all().delete()
    RegionStat.objects.bulk_create(
        [
            RegionStat(region_id=i, district_id=d, residents=residents[i], households=households[i])
            for i, d in all_ids
        ],
        batch_size=2000,
    )
    return len(all_ids)
