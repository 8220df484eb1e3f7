"""红旗驿站 reads: the stations of the actor's area with a month's verdict
from the rollup (``StationMonth``) and the current month so far, one station
with everything on its page, the figures by community (each drilling to the
filtered list), the choices its forms offer, and its activity photos.

Who sees a station: anyone with ``party.view`` whose grant reaches its
compound — a district, street or community grant its subtree, a compound
grant its own compound, and a grant below the compound (a building head, a
党小组's secretary) the stations of the compound the building lies in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django.db.models import Count, F, FilteredRelation, Prefetch, Q, QuerySet
from django.urls import reverse

from shequ.core.errors import NotFound
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.functioning import rule_text
from shequ.party.models import (
    ActivityPhoto,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrg,
    Station,
    StationActivity,
    StationDuty,
    StationMonth,
    StationOpening,
)
from shequ.party.scope import region_q
from shequ.party.services.common import month_start, next_month, rules_for

MAX_ID = 2**31 - 1
RECENT = 20  # openings and activities on a station's page
MONTHS_SHOWN = 12
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
_FIGURES = ("functioning", "reason", "published_minutes", "open_minutes",
            "activities_with_residents", "hosted")  # fmt: skip


def stations_q(actor: Actor, prefix: str = "") -> Q:
    """Stations (or rows whose ``prefix`` leads to one) the actor's grant reaches."""
    region = actor.region
    if region is None:
        return Q(pk__in=[])
    if region.level == RegionLevel.DISTRICT:
        return Q(**{f"{prefix}district_id": region.pk})
    if region.level == RegionLevel.STREET:
        return Q(**{f"{prefix}community__street_id": region.pk})
    if region.level == RegionLevel.COMMUNITY:
        return Q(**{f"{prefix}community_id": region.pk})
    # A compound, or below it: the stations of that compound.
    return Q(**{f"{prefix}compound_id": region.compound_id})


def parse_month(raw: Any) -> dt.date | None:
    """ "2026-10" as the first day of that month, or None."""
    found = _MONTH_RE.fullmatch(str(raw or "").strip())
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def current_month() -> dt.date:
    return month_start(local_today())


def last_full_month() -> dt.date:
    return month_start(current_month() - dt.timedelta(days=1))


def _id(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 0 < raw <= MAX_ID else None


def station_list(
    *,
    actor: Actor,
    month: dt.date | None = None,
    functioning: bool | None = None,
    community_id: int | None = None,
) -> QuerySet[Station]:
    """The running stations in scope — with ``month`` given, those that had
    opened by its end; without, all of them (as the figures count them) —
    each annotated with the figures of ``month`` (by default the last full
    month: ``month_functioning``, ``month_reason``, ``month_published_minutes``
    …, None where the month has no row) and of the current month so far
    (``now_functioning`` …). ``functioning`` keeps those that did (True) or
    did not (False: no row counts as not) work in that month."""
    actor.require("party.view")
    rows = Station.objects.filter(stations_q(actor), district_id=actor.district_id, active=True)
    if month is not None:
        month = month_start(month)
        rows = rows.filter(opened_on__lt=next_month(month))
    else:
        month = last_full_month()
    rows = rows.annotate(
        sel=FilteredRelation("months", condition=Q(months__month=month)),
        cur=FilteredRelation("months", condition=Q(months__month=current_month())),
    )  # fmt: skip
    rows = rows.annotate(
        **{f"month_{name}": F(f"sel__{name}") for name in _FIGURES},
        **{f"now_{name}": F(f"cur__{name}") for name in _FIGURES},
    )
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    if functioning is True:
        rows = rows.filter(sel__functioning=True)
    elif functioning is False:
        rows = rows.filter(Q(sel__functioning=False) | Q(sel__id__isnull=True))
    return rows.select_related("community", "compound", "branch").order_by(
        "community__code", "name", "pk"
    )


def station_get(*, actor: Actor, station_id: Any) -> Station:
    """One station in scope with its rooms, timetable, duty, recent
    openings and activities (with photos) and its last twelve months."""
    actor.require("party.view")
    pk = _id(station_id)
    station = (
        Station.objects.filter(stations_q(actor), pk=pk, district_id=actor.district_id)
        .select_related("community", "compound", "branch")
        .prefetch_related(
            "rooms",
            "hours",
            Prefetch(
                "duties",
                queryset=StationDuty.objects.select_related("member__resident", "member__org"),
            ),
            Prefetch(
                "openings",
                queryset=StationOpening.objects.order_by("-day", "-opened")[:RECENT],
                to_attr="recent_openings",
            ),
            Prefetch(
                "activities",
                queryset=StationActivity.objects.prefetch_related("photos").order_by("-day", "-id")[
                    :RECENT
                ],
                to_attr="recent_activities",
            ),
            Prefetch(
                "months",
                queryset=StationMonth.objects.order_by("-month")[:MONTHS_SHOWN],
                to_attr="recent_months",
            ),
        )
        .first()
        if pk is not None
        else None
    )
    if station is None:
        raise NotFound("红旗驿站不存在或不在您的管辖范围内。")
    return station


def station_month(*, actor: Actor, station_id: Any, month: dt.date) -> StationMonth | None:
    """The judged month of a station in scope (None before it is judged)."""
    actor.require("party.view")
    pk = _id(station_id)
    if pk is None:
        return None
    return StationMonth.objects.filter(
        stations_q(actor, "station__"), station_id=pk, month=month_start(month)
    ).first()


def _communities(actor: Actor) -> list[Region]:
    region = actor.region
    if region is None:
        return []
    rows = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if region.level == RegionLevel.DISTRICT:
        rows = rows.filter(district_id=region.pk)
    elif region.level == RegionLevel.STREET:
        rows = rows.filter(street_id=region.pk)
    else:  # a community's grant, or one below it: its community
        rows = rows.filter(pk=cast(int, region.community_id))
    return list(rows.order_by("code"))


def station_figures(*, actor: Actor, month: dt.date | None = None) -> dict[str, Any]:
    """红旗驿站 and 充分发挥作用的红旗驿站 in the actor's area, by community, each
    count linking to the list of the stations behind it, with the rule the
    count follows. With ``month``, the stations that had opened by its end
    and those that worked in it; without, the running stations (as the
    district's figures count them) and those that worked in the last full
    month."""
    actor.require("party.view")
    district_id = actor.require_district_id()
    existing = Station.objects.filter(stations_q(actor), district_id=district_id, active=True)
    # The link behind the count of stations lists the same stations.
    listed = "" if month is None else f"month={month:%Y-%m}"
    if month is not None:
        month = month_start(month)
        existing = existing.filter(opened_on__lt=next_month(month))
    else:
        month = last_full_month()
    stations = dict(existing.values_list("community_id").annotate(n=Count("id")).order_by())
    working = dict(
        StationMonth.objects.filter(
            stations_q(actor, "station__"),
            district_id=district_id,
            month=month,
            functioning=True,
            station__active=True,
        )  # fmt: skip
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    base = reverse("party:stations")

    def link(*parts: str) -> str:
        query = "&".join(p for p in parts if p)
        return f"{base}?{query}" if query else base

    worked = (f"month={month:%Y-%m}", "functioning=1")
    rows = [
        {
            "community_id": c.pk,
            "community": c.name,
            "stations": stations.get(c.pk, 0),
            "functioning": working.get(c.pk, 0),
            "stations_url": link(listed, f"community={c.pk}"),
            "functioning_url": link(worked[0], f"community={c.pk}", worked[1]),
        }
        for c in _communities(actor)
    ]
    return {
        "month": month,
        "stations": sum(stations.values()),
        "functioning": sum(working.values()),
        "rule": rule_text(rules_for(district_id)),
        "communities": rows,
        "stations_url": link(listed),
        "functioning_url": link(*worked),
    }


def station_branches(*, actor: Actor) -> QuerySet[PartyOrg]:
    """The standing compound branches the actor may set up a station for."""
    return (
        PartyOrg.objects.filter(
            region_q(actor), district_id=actor.district_id, kind=OrgKind.BRANCH, active=True
        )
        .select_related("region", "community")
        .order_by("region__code")
    )


def duty_candidates(*, station: Station) -> QuerySet[PartyMember]:
    """Active members of the station's community (the people who may be on duty)."""
    return (
        PartyMember.objects.filter(community_id=station.community_id, status=MemberStatus.ACTIVE)
        .select_related("resident", "org")
        .order_by("org__region__code", "resident__name", "pk")[:500]
    )


def activity_photo_get(*, actor: Actor, photo_id: Any) -> ActivityPhoto:
    """A photo of an activity of a station the actor can see."""
    actor.require("party.view")
    pk = _id(photo_id)
    photo = (
        ActivityPhoto.objects.filter(
            stations_q(actor, "activity__station__"),
            pk=pk,
            activity__station__district_id=actor.district_id,
        ).first()
        if pk is not None
        else None
    )
    if photo is None:
        raise NotFound("照片不存在，或不在您的管辖范围内。")
    return photo
