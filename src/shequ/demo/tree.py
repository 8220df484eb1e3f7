"""Creating a district's region tree in bulk, level by level.

Codes follow the Region model: district 6 digits, street +3, community +3,
compound +3, building +3, unit +2. Regions that already exist (by code) are
left untouched, so loading the same tree twice writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q

from shequ.core.models import Region, RegionLevel
from shequ.core.models.regions import ANCESTOR_FIELDS

_ANCESTORS = ("district_id", "street_id", "community_id", "compound_id", "building_id")


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    level: int
    parent: str | None  # the parent's code
    population_served: int | None = None
    households_served: int | None = None


def ensure_regions(specs: list[RegionSpec]) -> tuple[dict[str, Region], int]:
    """Create the regions of ``specs`` that do not exist yet.

    ``specs`` hold one district and its subtree. Returns every region by
    code and the number created. Each level is one batch of INSERTs plus
    one UPDATE that points the level's own ancestor column at the row itself.
    """
    root = next(s for s in specs if s.level == RegionLevel.DISTRICT)
    existing = {
        r.code: r for r in Region.objects.filter(Q(code=root.code) | Q(district__code=root.code))
    }
    by_level: dict[int, list[RegionSpec]] = defaultdict(list)
    for spec in specs:
        by_level[spec.level].append(spec)
    regions = dict(existing)
    created = 0
    for level in sorted(by_level):
        new = []
        for spec in by_level[level]:
            if spec.code in regions:
                continue
            parent = regions[spec.parent] if spec.parent else None
            region = Region(
                code=spec.code,
                name=spec.name,
                level=spec.level,
                parent=parent,
                population_served=spec.population_served,
                households_served=spec.households_served,
            )
            for column in _ANCESTORS:
                setattr(region, column, getattr(parent, column) if parent else None)
            new.append(region)
        if not new:
            continue
        Region.objects.bulk_create(new, batch_size=500)
        own = ANCESTOR_FIELDS.get(RegionLevel(level))
        if own:
            Region.objects.filter(
                level=level, code__startswith=root.code, **{f"{own}__isnull": True}
            ).update(**{own: F("id")})
            for region in new:
                setattr(region, f"{own}_id", region.pk)
        regions.update((r.code, r) for r in new)
        created += len(new)
    return regions, created
