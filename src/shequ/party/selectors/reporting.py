"""双报到 reads, within the actor's scope: community staff and the party
roles by community (``actor.scope_q``), a unit's liaison only its unit's
rows (``liaison_bodies``), a resident only their own. Names are shown in
full to the party roles only (``shown_name``); inspectors read the figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import Region, RegionLevel
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.models import (
    FeedbackLetter,
    MemberReportIn,
    MemberStatus,
    Need,
    NeedClaim,
    NeedState,
    PartyMember,
    PartyOrg,
    Relation,
    ServiceLog,
    UnitReportIn,
)
from shequ.party.permissions import PARTY_ROLES
from shequ.party.services.common import quarter_bounds, quarter_of
from shequ.whistles.models import Unit
from shequ.whistles.scope import liaison_bodies

MAX_ID = 2**63 - 1
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
COMMUNITY_NOT_FOUND = "没有找到该社区。"
RECENT = 50  # rows a home page shows of each list (the API pages through all)

T = TypeVar("T")


# -- parsing shared with the services -----------------------------------------------------------


def as_id(value: Any) -> int | None:
    """A row id from a form, the API or a test; None for anything else
    (text, a negative number, one too big for the database)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value or "").strip()
        if not text.isdigit() or len(text) > 19:
            return None
        number = int(text)
    return number if 0 < number <= MAX_ID else None


def clean_quarter(quarter: Any) -> str:
    """ "2026Q4" (upper-cased), or a ValidationError."""
    text = str(quarter or "").strip().upper()
    match = QUARTER_RE.fullmatch(text)
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError("季度应写作“2026Q4”的形式。", field="quarter")
    return text


def quarter_started(quarter: str) -> tuple[dt.date, dt.date]:
    """The quarter's first and last day; a quarter not yet begun is refused."""
    start, end = quarter_bounds(quarter)
    if start > local_today():
        raise ValidationError("该季度尚未开始。", field="quarter")
    return start, end


def this_quarter() -> str:
    return quarter_of(local_today())


def acting_community(actor: Actor, community_id: Any, *, any_in_district: bool = False) -> Region:
    """The community acted for: the one named, or the actor's own when it
    holds a community grant. Staff must cover it; a unit's liaison
    (``any_in_district``) may report to any community of the district."""
    if community_id in (None, ""):
        region = actor.region
        if region is not None and region.level == RegionLevel.COMMUNITY:
            return region
        raise ValidationError("请选择社区。", field="community")
    cid = as_id(community_id)
    community = Region.objects.filter(pk=cid, level=RegionLevel.COMMUNITY).first() if cid else None
    if community is None or community.district_id != actor.district_id:
        raise NotFound(COMMUNITY_NOT_FOUND, field="community")
    if not any_in_district and not actor.covers(community):
        raise NotFound(COMMUNITY_NOT_FOUND, field="community")
    return community


# -- names ---------------------------------------------------------------------------------------


def names_shown(actor: Actor) -> bool:
    """Whether the actor reads members' names in full (the party roles)."""
    return actor.role in PARTY_ROLES


def shown_name(actor: Actor, name: str) -> str:
    return name if names_shown(actor) else mask_name(name)


def named(actor: Actor, rows: Iterable[T], name_of: Callable[[T], str]) -> list[T]:
    """``rows`` as a list, each with ``shown_name`` set for the page."""
    out = list(rows)
    for row in out:
        row.shown_name = shown_name(actor, name_of(row))  # type: ignore[attr-defined]
    return out


def service_member_name(log: ServiceLog) -> str:
    """Who gave the service: the reported-in member, or the name a record
    moved from pairing carried."""
    if log.report_in_id is not None:
        return log.report_in.member.resident.name  # type: ignore[union-attr]
    return log.member_name


# -- scope ---------------------------------------------------------------------------------------


def _unit_ids(actor: Actor) -> list[int]:
    return sorted(liaison_bodies(actor).unit_ids)


def _scope(actor: Actor, *, community: str = "community", unit: str | None, own: str | None) -> Q:
    """Staff and party roles by community, a liaison by its units (``unit``
    names the row's unit id), a resident by their own account (``own``)."""
    if actor.can("party.report_in"):
        return actor.scope_q(community=community)
    if actor.can("party.unit_report") and unit is not None:
        return Q(**{f"{unit}__in": _unit_ids(actor)})
    if actor.can("party.self") and own is not None and actor.user is not None:
        return Q(**{own: actor.user.pk})
    raise PermissionDenied("您当前的角色不能查看这些双报到记录。")


def actor_community(actor: Actor) -> Region | None:
    region = actor.region
    return region if region is not None and region.level == RegionLevel.COMMUNITY else None


def report_communities(*, actor: Actor) -> QuerySet[Region]:
    """The communities the actor may report in to or keep records of: any of
    the district for a unit's liaison, the covered ones for staff."""
    if actor.can("party.unit_report"):
        return Region.objects.filter(
            district_id=actor.district_id, level=RegionLevel.COMMUNITY
        ).order_by("code")
    actor.require("party.report_in")
    return actor.regions().filter(level=RegionLevel.COMMUNITY).order_by("code")


def unit_choices(*, actor: Actor) -> QuerySet[Unit]:
    """Units a report-in may be made for: a liaison's own, or the district's."""
    units = Unit.objects.filter(district_id=actor.district_id, active=True)
    if actor.can("party.unit_report"):
        return units.filter(pk__in=_unit_ids(actor)).order_by("name")
    actor.require("party.report_in")
    return units.order_by("name")


# -- 单位报到 and 党员报到 -------------------------------------------------------------------------


def unit_reports(*, actor: Actor, active: bool | None = None) -> QuerySet[UnitReportIn]:
    """Units' report-ins in scope with their active members' count, newest first."""
    rows = UnitReportIn.objects.filter(_scope(actor, unit="unit_id", own=None))
    if active is not None:
        rows = rows.filter(withdrawn_on__isnull=active)
    return (
        rows.select_related("unit", "community")
        .annotate(member_count=Count("members", filter=Q(members__withdrawn_on__isnull=True)))
        .order_by("withdrawn_on", "-reported_on", "-id")
    )


def unit_report_get(*, actor: Actor, report_id: Any) -> UnitReportIn:
    rid = as_id(report_id)
    members = MemberReportIn.objects.select_related("member__resident").order_by("-reported_on")
    found = (
        UnitReportIn.objects.filter(_scope(actor, unit="unit_id", own=None), pk=rid)
        .select_related("unit", "community", "created_by")
        .prefetch_related(Prefetch("members", queryset=members))
        .first()
        if rid
        else None
    )
    if found is None:
        raise NotFound("没有找到该单位报到。")
    return found


def member_reports(
    *, actor: Actor, active: bool | None = None, community_id: int | None = None
) -> QuerySet[MemberReportIn]:
    """Members' report-ins in scope (a liaison: its unit's members; a
    resident: their own), newest first."""
    rows = MemberReportIn.objects.filter(
        _scope(actor, unit="member__employer_unit_id", own="member__resident__user_id")
    )
    if community_id is not None:
        rows = rows.filter(community_id=community_id)
    if active is not None:
        rows = rows.filter(withdrawn_on__isnull=active)
    return rows.select_related(
        "community", "member__resident", "member__employer_unit", "unit_report"
    ).order_by("withdrawn_on", "-reported_on", "-id")


def in_service_members(*, actor: Actor) -> QuerySet[PartyMember]:
    """在职党员 living in the communities the staff cover, not reported in yet."""
    actor.require("party.report_in")
    reported = MemberReportIn.objects.filter(member=OuterRef("pk"), withdrawn_on__isnull=True)
    return (
        PartyMember.objects.filter(
            actor.scope_q(community="resident__community"),
            district_id=actor.district_id,
            status=MemberStatus.ACTIVE,
            relation=Relation.IN_SERVICE,
        )
        .exclude(Exists(reported))
        .select_related("resident", "employer_unit")
        .order_by("resident__community__code", "id")
    )


# -- 需求清单 -------------------------------------------------------------------------------------


def _needs_q(actor: Actor) -> Q:
    """Staff: their communities' needs; a liaison: those of the communities
    its units reported in to; a resident: those where they reported in."""
    if actor.can("party.report_in"):
        return actor.scope_q(community="community")
    if actor.can("party.unit_report"):
        units = UnitReportIn.objects.filter(
            unit_id__in=_unit_ids(actor), withdrawn_on__isnull=True
        ).values("community_id")
        return Q(community_id__in=units)
    if actor.can("party.self") and actor.user is not None:
        members = MemberReportIn.objects.filter(
            member__resident__user_id=actor.user.pk, withdrawn_on__isnull=True
        ).values("community_id")
        return Q(community_id__in=members)
    raise PermissionDenied("您当前的角色不能查看社区需求清单。")


def _with_claims(rows: QuerySet[Need]) -> QuerySet[Need]:
    return rows.annotate(
        claim_count=Count("claims", filter=Q(claims__withdrawn_at__isnull=True))
    ).select_related("community")


def needs(*, actor: Actor, status: str | None = None) -> QuerySet[Need]:
    """The needs list in scope with each need's claims count: open first, by
    deadline."""
    rows = Need.objects.filter(_needs_q(actor))
    if status:
        if status not in NeedState.values:
            raise ValidationError("未知的需求状态。", field="status")
        rows = rows.filter(status=status)
    return _with_claims(rows).order_by("status", "needed_by", "id")


def need_get(*, actor: Actor, need_id: Any) -> Need:
    """One need with its claims (and who made them)."""
    nid = as_id(need_id)
    claims = NeedClaim.objects.select_related("report_in__member__resident").order_by(
        "claimed_at", "id"
    )
    found = (
        _with_claims(Need.objects.filter(_needs_q(actor), pk=nid))
        .select_related("posted_by")
        .prefetch_related(Prefetch("claims", queryset=claims))
        .first()
        if nid
        else None
    )
    if found is None:
        raise NotFound("没有找到该需求。")
    return found


def needs_for_member(*, actor: Actor) -> QuerySet[Need]:
    """The open needs a resident who reported in may claim: those of the
    communities they reported in to, still before their deadline, not
    claimed by them yet (the resident's own page lists them)."""
    actor.require("party.self")
    user = actor.require_user()
    mine = MemberReportIn.objects.filter(
        member__resident__user_id=user.pk, withdrawn_on__isnull=True
    )
    claimed = NeedClaim.objects.filter(
        need=OuterRef("pk"), report_in__in=mine, withdrawn_at__isnull=True
    )
    rows = Need.objects.filter(
        community_id__in=mine.values("community_id"),
        status=NeedState.OPEN,
        needed_by__gte=local_today(),
    ).exclude(Exists(claimed))
    return _with_claims(rows).order_by("needed_by", "id")


# -- 服务登记 -------------------------------------------------------------------------------------


def service_logs(
    *, actor: Actor, quarter: str | None = None, unit_id: Any = None, need_id: int | None = None
) -> QuerySet[ServiceLog]:
    """Services logged in scope (a liaison: its unit's; a resident: their
    own), newest first; of one quarter, one unit, one need when asked."""
    rows = ServiceLog.objects.filter(
        _scope(actor, unit="unit_id", own="report_in__member__resident__user_id")
    )
    if need_id is not None:
        rows = rows.filter(need_id=need_id)
    if quarter:
        start, end = quarter_bounds(clean_quarter(quarter))
        rows = rows.filter(day__gte=start, day__lte=end)
    if unit_id not in (None, ""):
        uid = as_id(unit_id)
        rows = rows.filter(unit_id=uid) if uid is not None else rows.none()
    return rows.select_related("community", "unit", "need", "report_in__member__resident").order_by(
        "-day", "-id"
    )


@dataclass
class UnitQuarter:
    """One unit's services in one community over a quarter."""

    community_id: int
    community: str
    unit_id: int
    unit: str
    members: int
    services: int
    hours: Decimal
    letter: FeedbackLetter | None


def quarter_summary(*, actor: Actor, quarter: str) -> list[UnitQuarter]:
    """Per community and unit: members who served, services, hours, and the
    quarter's feedback letter if sent. Two queries at any size."""
    quarter = clean_quarter(quarter)
    grouped = (
        service_logs(actor=actor, quarter=quarter)
        .filter(unit__isnull=False)
        .order_by()
        .values("community_id", "community__name", "community__code", "unit_id", "unit__name")
        .annotate(
            services=Count("id"),
            hours=Sum("hours"),
            # Members by name, as the letter lists them: the records moved
            # from pairing name theirs in free text only.
            members=Count(
                Coalesce("report_in__member__resident__name", "member_name"), distinct=True
            ),
        )
        .order_by("community__code", "unit__name")
    )
    rows = list(grouped)
    letters = {
        (x.community_id, x.unit_id): x
        for x in FeedbackLetter.objects.filter(
            quarter=quarter,
            community_id__in={r["community_id"] for r in rows},
            unit_id__in={r["unit_id"] for r in rows},
        )
    } if rows else {}  # fmt: skip
    return [
        UnitQuarter(
            community_id=r["community_id"],
            community=r["community__name"],
            unit_id=r["unit_id"],
            unit=r["unit__name"],
            members=r["members"],
            services=r["services"],
            hours=Decimal(r["hours"] or 0).quantize(Decimal("0.1")),
            letter=letters.get((r["community_id"], r["unit_id"])),
        )
        for r in rows
    ]


def report_in_figures(*, actor: Actor) -> dict[str, Any]:
    """For the figures page: units and members reported in (now), and the
    service hours of this year, in the actor's scope. Three queries."""
    actor.require("party.view")
    q = actor.scope_q(community="community")
    year = local_today().year
    logged = (
        ServiceLog.objects.filter(q, day__year=year)
        .order_by()
        .aggregate(n=Count("id"), hours=Sum("hours"))
    )
    return {
        "year": year,
        "units": UnitReportIn.objects.filter(q, withdrawn_on__isnull=True).count(),
        "members": MemberReportIn.objects.filter(q, withdrawn_on__isnull=True).count(),
        "services": logged["n"],
        "hours": Decimal(logged["hours"] or 0).quantize(Decimal("0.1")),
    }


# -- the feedback letter --------------------------------------------------------------------------


@dataclass
class MemberServices:
    name: str
    rows: list[ServiceLog] = field(default_factory=list)

    @property
    def services(self) -> int:
        return len(self.rows)

    @property
    def hours(self) -> Decimal:
        return sum((r.hours for r in self.rows), Decimal(0)).quantize(Decimal("0.1"))


@dataclass
class LetterData:
    community: Region
    sender: str  # the community's party committee, or the community
    unit: Unit
    addressee: str  # the unit's party organisation
    quarter: str
    start: dt.date
    end: dt.date
    members: list[MemberServices]
    letter: FeedbackLetter | None
    today: dt.date

    @property
    def services(self) -> int:
        return sum(m.services for m in self.members)

    @property
    def hours(self) -> Decimal:
        return sum((m.hours for m in self.members), Decimal(0)).quantize(Decimal("0.1"))


def letter_data(
    *, actor: Actor, unit_id: Any, quarter: Any, community_id: Any = None
) -> LetterData:
    """What the quarter's letter to a unit says: each member's services
    (date, what, hours) in the community, and the totals."""
    actor.require("party.report_in")
    community = acting_community(actor, community_id)
    quarter = clean_quarter(quarter)
    start, end = quarter_started(quarter)
    uid = as_id(unit_id)
    unit = Unit.objects.filter(pk=uid, district_id=community.district_id).first() if uid else None
    if unit is None:
        raise NotFound("没有找到该驻区单位。")
    logs = (
        ServiceLog.objects.filter(community=community, unit=unit, day__gte=start, day__lte=end)
        .select_related("report_in__member__resident")
        .order_by("day", "id")
    )
    members: dict[str, MemberServices] = {}
    org_names: list[str] = []
    rows = list(logs)
    if not rows:
        raise NotFound(f"“{unit.name}”的党员{quarter}在{community.name}没有服务登记，没有反馈函。")
    for log in rows:
        name = service_member_name(log)
        members.setdefault(name, MemberServices(name)).rows.append(log)
        if log.report_in_id is not None:
            org_names.append(log.report_in.member.employer_org_name)  # type: ignore[union-attr]
    report = (
        UnitReportIn.objects.filter(community=community, unit=unit)
        .order_by("withdrawn_on", "-reported_on")
        .values_list("party_org_name", flat=True)
        .first()
    )
    addressee = report or next((n for n in org_names if n), "") or f"{unit.name}党组织"
    sender = (
        PartyOrg.objects.filter(region=community, active=True)
        .values_list("name", flat=True)
        .first()
    )
    return LetterData(
        community=community,
        sender=sender or community.name,
        unit=unit,
        addressee=addressee,
        quarter=quarter,
        start=start,
        end=end,
        members=sorted(members.values(), key=lambda m: m.rows[0].day),
        letter=FeedbackLetter.objects.filter(
            community=community, unit=unit, quarter=quarter
        ).first(),
        today=local_today(),
    )
