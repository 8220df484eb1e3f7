"""党建引领's figures of the inspection report (seed 一（四）, 三（五）) for
the reports app: the branch threshold ("x名以上自管党员的小区建立党支部"),
the stations and those that really work ("已建立并充分发挥作用的红旗驿站达x个"),
the compound branches, and the retired members whose membership moved to
the community — each for a region and a period, drilling to its records."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shequ.core.models import Region, RegionLevel
from shequ.core.registry import Indicator
from shequ.party.models import (
    OrgKind,
    PartyOrg,
    Station,
    StationMonth,
    Transfer,
    TransferKind,
    TransferReason,
    TransferState,
)
from shequ.party.services.common import month_start, next_month, rules_for


def _where(region: Region) -> Q:
    if region.level < RegionLevel.COMMUNITY:
        return Q(**{f"community__{region.ancestor_field}": region.pk})
    return Q(community_id=region.community_id or region.pk)


def branch_threshold(*, region: Region, start: dt.date, end: dt.date) -> int:
    return rules_for(region.district_id or region.pk).branch_threshold


def stations(*, region: Region, start: dt.date, end: dt.date) -> int:
    return Station.objects.filter(_where(region), active=True, opened_on__lte=end).count()


def functioning_stations(*, region: Region, start: dt.date, end: dt.date) -> int:
    """Stations that worked in the last full month of the period (the month
    of ``end`` when the period ends on its last day)."""
    month = month_start(end)
    if next_month(month) - dt.timedelta(days=1) != end:
        month = month_start(month - dt.timedelta(days=1))
    return StationMonth.objects.filter(_where(region), month=month, functioning=True).count()


def branches(*, region: Region, start: dt.date, end: dt.date) -> int:
    return (
        PartyOrg.objects.filter(_where(region), kind=OrgKind.BRANCH, founded_on__lte=end)
        .exclude(dissolved_on__lte=end)
        .count()
    )


def retirees_transferred_in(*, region: Region, start: dt.date, end: dt.date) -> int:
    return Transfer.objects.filter(
        _where(region),
        status=TransferState.COMPLETED,
        reason=TransferReason.RETIRED,
        kind__in=[TransferKind.IN, TransferKind.WITHIN],
        completed_at__date__range=(start, end),
    ).count()


INDICATORS = [
    Indicator("party.branch_threshold", "自管党员达到多少名的小区建立党支部", "名", "一（四）",
              branch_threshold, "party:rules"),
    Indicator("party.stations", "红旗驿站", "个", "一（四）", stations, "party:stations"),
    Indicator("party.functioning_stations", "已建立并充分发挥作用的红旗驿站", "个", "一（四）",
              functioning_stations, "party:stations"),
    Indicator("party.branches", "小区党支部", "个", "一（四）", branches, "party:orgs"),
    Indicator("party.retirees_transferred_in", "离退休党员组织关系转入社区", "名", "三（五）",
              retirees_transferred_in, "party:transfers"),
]  # fmt: skip
