"""Reads for the shell: regions in scope and the home page's key counts."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from shequ.core.models import Region, RegionLevel, RegionStat
from shequ.core.scope import Actor


def region_list(*, actor: Actor, level: int | None = None, parent: Region | None = None
                ) -> QuerySet[Region]:
    qs = actor.regions().select_related("parent", "stat")
    if level is not None:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


def region_get(*, actor: Actor, region_id: int) -> Region | None:
    return actor.regions().select_related("parent", "stat").filter(pk=region_id).first()


def home_counts(*, actor: Actor) -> dict[str, int]:
    """The scope's key figures, read from the rollups: one query at any scale."""
    region = actor.region
    if region is None:
        return {}
    regions = actor.regions()
    counts = {
        level.label: n
        for level, n in (
            (RegionLevel(lv), c)
            for lv, c in _level_counts(regions)
        )
        if level > region.level
    }
    stat = RegionStat.objects.filter(region=region).aggregate(
        residents=Sum("residents"), households=Sum("households")
    )
    counts["居民"] = stat["residents"] or 0
    counts["住户"] = stat["households"] or 0
    return counts


def _level_counts(regions: QuerySet[Region]) -> list[tuple[int, int]]:
    from django.db.models import Count

    return list(
        regions.values("level").annotate(n=Count("id")).order_by("level").values_list("level", "n")
    )
