"""The desk follows a moved community (``core.registry`` region-move hook):
the case rollup's ``street`` column goes with it. The cases themselves stay
with the community they were made in; core moves their district."""

from __future__ import annotations

from shequ.core.models import RegionLevel
from shequ.core.registry import RegionMove
from shequ.desk.models import CaseStat


def rollup_follow_move(move: RegionMove) -> dict[str, int]:
    if move.region.level != RegionLevel.COMMUNITY:
        return {}
    moved = CaseStat.objects.filter(community=move.region).update(street_id=move.new_parent.pk)
    return {"casestat_street": moved} if moved else {}
