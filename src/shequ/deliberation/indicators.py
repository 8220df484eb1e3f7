"""Deliberation's figures of the inspection report (seed 一（三）), for the
reports app: the catalog's categories and items (“x个门类x条内容”), the
meetings held and the problems solved by consultation (outcomes completed),
each for a region and a period, drilling down to its records."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from shequ.core.models import Region, RegionLevel
from shequ.core.registry import Indicator
from shequ.deliberation.models import ConsultationItem, Meeting, MeetingState, Outcome, OutcomeState


def _span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz))  # fmt: skip


def _where(region: Region) -> Q:
    if region.level < RegionLevel.COMMUNITY:
        return Q(**{f"community__{region.ancestor_field}": region.pk})
    return Q(community_id=region.community_id or region.pk)


def _items(region: Region, end: dt.date):
    """The district's items in force at the end of the period (a community's
    count adds its local items)."""
    _lo, hi = _span(end, end)
    qs = ConsultationItem.objects.filter(district_id=region.district_id or region.pk,
                                         created_at__lt=hi).exclude(retired_at__lt=hi)  # fmt: skip
    local = Q(community__isnull=True)
    if region.level >= RegionLevel.COMMUNITY:
        local |= Q(community_id=region.community_id or region.pk)
    return qs.filter(local)


def catalog_categories(*, region: Region, start: dt.date, end: dt.date) -> int:
    return _items(region, end).values("category").distinct().count()


def catalog_items(*, region: Region, start: dt.date, end: dt.date) -> int:
    return _items(region, end).count()


def meetings_held(*, region: Region, start: dt.date, end: dt.date) -> int:
    lo, hi = _span(start, end)
    return (
        Meeting.objects.filter(_where(region), opened_at__gte=lo, opened_at__lt=hi)
        .exclude(status=MeetingState.CANCELLED)
        .count()
    )


def problems_solved(*, region: Region, start: dt.date, end: dt.date) -> int:
    lo, hi = _span(start, end)
    return Outcome.objects.filter(_where(region), status=OutcomeState.DONE, completed_at__gte=lo,
                                  completed_at__lt=hi).count()  # fmt: skip


INDICATORS = [
    Indicator("deliberation.catalog_categories", "社区协商目录门类", "个", "一（三）", catalog_categories,
              "deliberation:catalog"),
    Indicator("deliberation.catalog_items", "社区协商目录内容", "条", "一（三）", catalog_items,
              "deliberation:catalog"),
    Indicator("deliberation.meetings_held", "召开协商议事会议", "次", "一（三）", meetings_held,
              "deliberation:meetings"),
    Indicator("deliberation.problems_solved", "通过协商解决的问题", "件", "一（三）", problems_solved,
              "deliberation:outcomes"),
]  # fmt: skip
