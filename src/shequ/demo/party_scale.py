"""党建引领 of the benchmark district (`shequ generate`), as bulk rows.

The tree: a 街道党工委 per street, a 社区党委 per community, a 小区党支部 per
compound (the district scale's tree has 300 compounds: the issue's 400
branches cannot be one per compound, so a 楼院党小组 on the first building of
every third compound brings the organisations at and below the compounds to
400), each with its committee seated, and 物业 and 业委会 linked to every
branch. Members are residents the register tags 党员, split evenly over the
communities, placed in their building's group, else their compound's branch;
正式/预备 and 自管/在职/流动/离退休 by age as in the demo, 在职 members working for
the district's stationed units (half for the unit paired with their
community) or outside. Six transfers per community, one in each of the
story's states (转入 completed for a retiree, 转出 completed, 区内转移
completed, 转入 approved, 转出 returned, 区内转移 requested), numbered from the
communities' receipt counters like every other number.

红旗驿站: one per branch up to the scale's count, two rooms, a weekly
timetable from a few patterns, duty, and a year of openings and activities
whose volume follows the station: most open nearly every published period
and hold 3–5 activities a month, some less, a few rarely. Every month of the
year is judged with the party module's own rule (``party.functioning``) and
the district's thresholds, from exactly those rows, so ``StationMonth`` is
what ``shequ tick`` would write.

楼长制: a head on about 85 % of the buildings (a tagged resident of the
building, a full member when one lives there), some with an earlier head
whose term ended, unit heads on some units; household visits spread over
the two years before today in proportion to the headed buildings'
households, some raising a matter. No account is made for the heads (visits
have no visitor account).

双报到: three units report in to each community (its pairing partner among
them), 80 % of in-service members report in where they live, twenty needs
a year per community (claimed, closed or open), services about every 45
days since each member reported in — counted as 双报到 pairing actions when
the member's unit is the community's partner, as ``service_log_create``
does — and the quarterly feedback letter to each unit for every ended
quarter of the last year in which its members served.

Rows are built in the command's own process and written with COPY /
``executemany``, ids taken up front. States, kinds and relations are the
models' choices. Not generated: timeline events, audit records, photos,
accounts for heads and members.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from shequ.core.models import ReceiptCounter, Region, RegionLevel, User
from shequ.core.workdays import WorkCalendar
from shequ.demo import bulk
from shequ.demo.cases import BEIJING, bench_username
from shequ.demo.governance_scale import counters_update
from shequ.demo.party.cast import ADULT, RETIRED_AGE, age_on, years_after
from shequ.demo.party.scripts import ACTIVITIES, OTHER_SKILLS, OUTSIDE_EMPLOYERS, VISIT_NOTES
from shequ.demo.people import MOBILE_PREFIXES, split_evenly
from shequ.party.functioning import judge, open_minutes, published_minutes
from shequ.party.models import (
    HOSTING_KINDS,
    ActivityKind,
    BodyKind,
    BuildingHead,
    FeedbackLetter,
    HeadKind,
    HouseholdVisit,
    LinkedBody,
    LocationKind,
    MemberReportIn,
    MemberStatus,
    Need,
    NeedClaim,
    NeedState,
    OrgKind,
    OrgRole,
    OrgRoleKind,
    PartyMember,
    PartyOrg,
    Relation,
    RoomKind,
    ServiceLog,
    Standing,
    Station,
    StationActivity,
    StationDuty,
    StationHours,
    StationMonth,
    StationOpening,
    StationRoom,
    Transfer,
    TransferKind,
    TransferReason,
    TransferState,
    UnitReportIn,
)
from shequ.party.services.common import (
    month_start,
    next_month,
    quarter_bounds,
    quarter_of,
    rules_for,
)
from shequ.residents.models import Household, ResidentTag, Tag
from shequ.whistles.checks import phone_columns
from shequ.whistles.models import ActionKind, PairingAction, PairingAgreement, Unit

DAYS_BACK = 730
MONTHS = 12  # StationMonth rows: the current month and the eleven before
HEADED_SHARE = 0.85
UNIT_HEAD_SHARE = 0.15
TRANSFERS = (
    # (kind, state, reason): one of each per community
    (TransferKind.IN, TransferState.COMPLETED, TransferReason.RETIRED),
    (TransferKind.OUT, TransferState.COMPLETED, TransferReason.JOB),
    (TransferKind.WITHIN, TransferState.COMPLETED, TransferReason.MOVED),
    (TransferKind.IN, TransferState.APPROVED, TransferReason.JOB),
    (TransferKind.OUT, TransferState.RETURNED, TransferReason.MOVED),
    (TransferKind.WITHIN, TransferState.REQUESTED, TransferReason.MOVED),
)
NEEDS_PER_COMMUNITY = 20
NEED_TITLES = (
    ("独居老人代购生活用品", "有空闲时间"), ("“四点半课堂”课业辅导", "中小学课业辅导"),
    ("楼道安全用电宣传入户", ""), ("老年人智能手机使用培训", "电脑和智能手机使用指导"),
    ("社区阅读角周末值守", "阅读推广"), ("义诊进驿站", "健康咨询"), ("汛期巡查排水设施", ""),
    ("垃圾分类桶边督导", ""), ("困难家庭助学结对", "中小学课业辅导"), ("法律咨询进驿站", "法律咨询"),
)  # fmt: skip
SERVICE_TEXTS = ("协助网格员入户走访独居老人", "参加小区环境整治志愿服务", "协助社区开展反诈宣传",
                 "为独居老人代购米面油", "四点半课堂作业辅导", "红旗驿站健康义诊", "垃圾分类桶边督导")  # fmt: skip
# Weekly timetables (weekday 0 = 周一, opens, closes) the stations pick from.
T = dt.time
TIMETABLES = (
    ((0, T(14), T(17)), (1, T(14), T(17)), (2, T(14), T(17)), (3, T(14), T(17)), (4, T(14), T(17)),
     (5, T(9), T(11, 30))),
    ((1, T(9), T(11, 30)), (1, T(14, 30), T(17)), (3, T(9), T(11, 30)), (3, T(14, 30), T(17))),
    ((0, T(15), T(18)), (2, T(15), T(18)), (4, T(15), T(18)), (5, T(9), T(11))),
    ((0, T(9), T(11, 30)), (2, T(9), T(11, 30)), (4, T(9), T(11, 30)), (6, T(9), T(11, 30))),
)  # fmt: skip
# What a station holds, most often: services and deliberations, with residents.
KIND_WEIGHTS = ((ActivityKind.SERVICE, ActivityKind.DELIBERATION, ActivityKind.PARTY, ActivityKind.STUDY),
                (3, 2, 2, 1))  # fmt: skip
NOHOST_WEIGHTS = ((ActivityKind.PARTY, ActivityKind.STUDY), (1, 1))
# Station quality: (share, chance an opening is logged, activities a month (low, high),
# chance of no hosting activity in a month).
QUALITY = ((0.6, 0.93, (3, 5), 0.05), (0.25, 0.82, (2, 3), 0.3), (0.15, 0.5, (0, 2), 0.6))

ORG_FIELDS = ("id", "district", "community", "compound", "region", "parent", "kind", "name",
              "founded_on", "active", "created_at")  # fmt: skip
ROLE_FIELDS = ("district", "community", "org", "member", "role", "term_start", "term_end",
               "created_at")  # fmt: skip
BODY_FIELDS = ("district", "community", "org", "kind", "name", "contact_name", "contact_phone_enc",
               "contact_phone_head", "contact_phone_tail", "active", "created_at")  # fmt: skip
MEMBER_FIELDS = ("id", "district", "community", "compound", "resident", "org", "org_region", "standing",
                 "probation_ends_on", "relation", "joined_on", "employer_org_name", "employer_unit",
                 "employer_name", "status", "probation_reminded_on", "created_at", "updated_at")  # fmt: skip
TRANSFER_FIELDS = ("district", "community", "number", "kind", "reason", "resident", "member", "from_org",
                   "from_org_name", "to_org", "to_org_name", "incoming_letter_number", "standing",
                   "probation_ends_on", "joined_on", "relation", "status", "note", "returned_reason",
                   "requested_on", "answer_due", "complete_due", "approved_at", "completed_at",
                   "created_at", "created_by")  # fmt: skip
STATION_FIELDS = ("id", "district", "community", "compound", "branch", "name", "location_kind",
                  "address", "area", "opened_on", "active", "created_at")  # fmt: skip
ROOM_FIELDS = ("district", "community", "station", "kind", "name", "area", "capacity")
HOURS_FIELDS = ("district", "community", "station", "weekday", "opens", "closes")
DUTY_FIELDS = ("district", "community", "station", "weekday", "member")
OPENING_FIELDS = ("district", "community", "station", "day", "opened", "closed", "logged_at")
ACTIVITY_FIELDS = ("district", "community", "station", "day", "kind", "title", "participants",
                   "residents_served", "logged_at")  # fmt: skip
MONTH_FIELDS = ("district", "community", "street", "station", "month", "published_minutes",
                "open_minutes", "activities_with_residents", "hosted", "functioning", "reason")  # fmt: skip
HEAD_FIELDS = ("district", "community", "building", "unit", "kind", "resident", "term_start",
               "term_end", "ended_on", "created_at")  # fmt: skip
VISIT_FIELDS = ("district", "community", "building", "unit", "household", "visited_on", "raised",
                "follow_up", "created_at")  # fmt: skip
UNIT_REPORT_FIELDS = ("id", "district", "community", "unit", "party_org_name", "resources",
                      "contact_name", "contact_phone_enc", "contact_phone_head", "contact_phone_tail",
                      "reported_on", "created_at")  # fmt: skip
MEMBER_REPORT_FIELDS = ("id", "district", "community", "member", "unit_report", "skills",
                        "availability", "reported_on", "created_at")  # fmt: skip
NEED_FIELDS = ("id", "district", "community", "title", "description", "skills", "wanted", "needed_by",
               "status", "posted_at", "posted_by")  # fmt: skip
CLAIM_FIELDS = ("district", "community", "need", "report_in", "claimed_at")
ACTION_FIELDS = ("id", "district", "community", "agreement", "kind", "what", "date", "hours", "people",
                 "resources", "member_name", "logged_at")  # fmt: skip
SERVICE_FIELDS = ("district", "community", "report_in", "need", "unit", "member_name", "day", "hours",
                  "what", "pairing_action", "logged_at", "logged_by")  # fmt: skip
LETTER_FIELDS = ("district", "community", "unit", "quarter", "number", "services", "hours", "sent_at",
                 "sent_by")  # fmt: skip


@dataclass
class PartyScaleResult:
    orgs: dict[str, int] = field(default_factory=dict)  # kind -> count
    roles: int = 0
    bodies: int = 0
    members: int = 0
    standings: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    transfers: int = 0
    stations: int = 0
    openings: int = 0
    activities: int = 0
    months: int = 0
    functioning: int = 0  # stations working in the last full month
    heads: int = 0
    unit_heads: int = 0
    visits: int = 0
    unit_reports: int = 0
    member_reports: int = 0
    needs: int = 0
    claims: int = 0
    services: int = 0
    pairing_actions: int = 0
    letters: int = 0
    compute_seconds: float = 0.0
    write_seconds: float = 0.0


def loaded_models() -> tuple:
    """The tables the generator fills in bulk (their indexes are dropped)."""
    return (PartyMember, HouseholdVisit, StationOpening, StationActivity, ServiceLog, PairingAction)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


@dataclass
class _Tagged:
    """A resident the register tags 党员."""

    id: int
    name: str
    birth: dt.date
    household: int
    building: int
    unit: int
    compound: int
    community: int


class _Writer:
    """Rows per table, ids allocated where other rows point at them."""

    def __init__(self) -> None:
        self.rows: dict[Any, tuple[Sequence[str], list[tuple]]] = {}
        self.text = connection.vendor == "sqlite"

    def ids(self, model: Any, n: int) -> list[int]:
        return list(bulk.allocate_ids(model, n)) if n else []

    def add(self, model: Any, fields: Sequence[str], row: tuple) -> None:
        self.rows.setdefault(model, (fields, []))[1].append(row)

    def _value(self, v: Any) -> Any:
        if not self.text:
            return v
        if isinstance(v, dt.datetime):
            return connection.ops.adapt_datetimefield_value(v)
        if isinstance(v, dt.date | dt.time):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return v

    def flush(self, order: Sequence[Any]) -> None:
        for model in order:
            fields, rows = self.rows.pop(model, ((), []))
            if self.text:
                rows = [tuple(self._value(v) for v in row) for row in rows]
            bulk.write(model, fields, rows)


class _Plan:
    def __init__(self, district: Region, communities: list[Region], seed: str, now: dt.datetime,
                 counters: dict[int, dict[dt.date, int]]) -> None:  # fmt: skip
        self.district, self.communities = district, communities
        self.d = district.pk
        self.rng = random.Random(f"{seed}:party")  # noqa: S311 - test data
        self.now, self.today = now, timezone.localdate(now)
        self.w = _Writer()
        self.result = PartyScaleResult()
        self.counters = counters
        self.new_counters: dict[tuple[int, dt.date], int] = {}
        self.calendar = WorkCalendar.load(self.today - dt.timedelta(days=DAYS_BACK + 60),
                                          self.today + dt.timedelta(days=90))  # fmt: skip
        self.rules = rules_for(district.pk)
        regions = list(Region.objects.filter(district=district).order_by("code"))
        self.regions = {r.pk: r for r in regions}
        self.of_level = lambda lv: [r for r in regions if r.level == lv]
        self.staff = dict(
            User.objects.filter(username__in=[bench_username(c.code, "w") for c in communities])
            .values_list("username", "id")
        )  # fmt: skip
        self.units = list(
            Unit.objects.filter(district=district).order_by("id").values_list("id", "name")
        )
        self.partner = {
            c: (a, u)
            for a, c, u in PairingAgreement.objects.filter(district=district, unit__isnull=False)
            .order_by("id").values_list("id", "community_id", "unit_id")
        }  # fmt: skip
        self.orgs: dict[int, int] = {}  # region id -> org id
        self.org_names: dict[int, str] = {}
        self.members: list[dict[str, Any]] = []

    def worker(self, community: Region) -> int | None:
        return self.staff.get(bench_username(community.code, "w"))

    def number(self, community: Region, day: dt.date) -> str:
        days = self.counters.setdefault(community.pk, {})
        days[day] = days.get(day, 0) + 1
        self.new_counters[(community.pk, day)] = days[day]
        return f"{community.code}{day:%Y%m%d}{days[day]:05d}"

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randrange(max(1, (last - first).days + 1)))

    # -- organisations and members -------------------------------------------------------------

    def organisations(self, groups_every: int) -> None:
        w = self.w
        streets = self.of_level(RegionLevel.STREET)
        communities = self.of_level(RegionLevel.COMMUNITY)
        compounds = self.of_level(RegionLevel.COMPOUND)
        first_building: dict[int, Region] = {}
        for b in self.of_level(RegionLevel.BUILDING):
            first_building.setdefault(b.compound_id, b)  # type: ignore[arg-type]
        grouped = [first_building[c.pk] for k, c in enumerate(compounds)
                   if k % groups_every == groups_every - 1 and c.pk in first_building]  # fmt: skip
        plan = ([(s, OrgKind.STREET_COMMITTEE, f"中共{s.name}工作委员会", None) for s in streets]
                + [(c, OrgKind.COMMUNITY_COMMITTEE, f"中共{c.name}委员会", c.street_id) for c in communities]
                + [(c, OrgKind.BRANCH, f"中共{c.name}支部委员会", c.community_id) for c in compounds]
                + [(b, OrgKind.GROUP, f"{self.regions[b.compound_id].name}{b.name}党小组", b.compound_id)  # type: ignore[index]
                   for b in grouped])  # fmt: skip
        for (region, _kind, name, _parent), pk in zip(
            plan, w.ids(PartyOrg, len(plan)), strict=True
        ):
            self.orgs[region.pk] = pk
            self.org_names[pk] = name
        for k, (region, kind, name, parent) in enumerate(plan):
            founded = dt.date(2019 + k % 5, 1 + k % 12, 1 + k % 28)
            w.add(PartyOrg, ORG_FIELDS, (
                self.orgs[region.pk], self.d, region.community_id, region.compound_id, region.pk,
                self.orgs.get(parent) if parent else None, kind, name, founded, True,
                _at(founded, 10)))  # fmt: skip
            self.result.orgs[kind] = self.result.orgs.get(kind, 0) + 1

    def enrol(self, tagged: list[_Tagged], total: int) -> None:
        """``total`` members, split evenly over the communities, from their tagged adults."""
        per = defaultdict(list)
        for t in tagged:
            if age_on(t.birth, self.today) >= ADULT:
                per[t.community].append(t)
        quotas = split_evenly(total, [1] * len(self.communities))
        chosen = []
        for c, quota in zip(self.communities, quotas, strict=True):
            pool = per[c.pk]
            chosen.extend(sorted(self.rng.sample(pool, min(quota, len(pool))), key=lambda t: t.id))
        ids = self.w.ids(PartyMember, len(chosen))
        units = [u for u, _n in self.units]
        unit_names = dict(self.units)
        for t, pk in zip(chosen, ids, strict=True):
            age, r = age_on(t.birth, self.today), self.rng.random()
            if age >= RETIRED_AGE:
                relation = Relation.RETIRED if r < 0.7 else Relation.SELF_MANAGED
            else:
                relation = (Relation.IN_SERVICE if r < 0.35 else Relation.MOBILE if r < 0.45
                            else Relation.SELF_MANAGED)  # fmt: skip
            standing, ends, reminded = Standing.FULL, None, None
            low = years_after(t.birth, 18) + dt.timedelta(days=30)
            high = min(years_after(t.birth, 60), self.today - dt.timedelta(days=730))
            joined = low + dt.timedelta(days=self.rng.randrange(max(1, (high - low).days)))
            if age < 45 and self.rng.random() < 0.06:
                standing = Standing.PROBATIONARY
                ends = self.today + dt.timedelta(days=self.rng.randint(-20, 340))
                joined = ends - dt.timedelta(days=365)
                if ends - self.today <= dt.timedelta(days=self.rules.probation_notice_days):
                    reminded = max(
                        ends - dt.timedelta(days=self.rules.probation_notice_days), joined
                    )
            unit, employer, employer_org = None, "", ""
            if relation == Relation.IN_SERVICE:
                partner = self.partner.get(t.community)
                if partner and self.rng.random() < 0.5:
                    unit = partner[1]
                elif self.rng.random() < 0.5 and units:
                    unit = self.rng.choice(units)
                if unit:
                    employer = unit_names[unit]
                    employer_org = f"中共{employer}委员会"
                else:
                    employer, employer_org = self.rng.choice(OUTSIDE_EMPLOYERS)
            region = t.building if t.building in self.orgs else t.compound
            m = {"id": pk, "t": t, "org": self.orgs[region], "org_region": region, "standing": standing,
                 "ends": ends, "relation": relation, "joined": joined, "unit": unit, "employer": employer,
                 "employer_org": employer_org, "status": MemberStatus.ACTIVE, "reminded": reminded}  # fmt: skip
            self.members.append(m)

    def write_members(self) -> None:
        at = _at(self.today - dt.timedelta(days=DAYS_BACK + 30), 9)
        for m in self.members:
            t = m["t"]
            self.w.add(PartyMember, MEMBER_FIELDS, (
                m["id"], self.d, t.community, t.compound, t.id, m["org"], m["org_region"], m["standing"],
                m["ends"], m["relation"], m["joined"], m["employer_org"] if m["relation"] == Relation.IN_SERVICE else "",
                m["unit"], m["employer"], m["status"], m["reminded"], at, at))  # fmt: skip
            r = self.result
            r.standings[m["standing"]] = r.standings.get(m["standing"], 0) + 1
            r.relations[m["relation"]] = r.relations.get(m["relation"], 0) + 1
        self.result.members = len(self.members)

    def seats(self) -> None:
        """Committees for a five-year term (党委) or three (支部, 小组), from full
        members placed in or below the organisation; street committees'
        cadres are not in the register."""
        under: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for m in self.members:
            if m["standing"] != Standing.FULL or m["status"] != MemberStatus.ACTIVE:
                continue
            placed = self.regions[m["org_region"]]
            for region_id in {placed.community_id, placed.compound_id, placed.building_id}:
                if region_id in self.orgs:
                    under[region_id].append(m)
        seats = {
            RegionLevel.COMMUNITY: ((OrgRoleKind.SECRETARY, OrgRoleKind.DEPUTY, OrgRoleKind.ORGANISATION,
                                     OrgRoleKind.PROPAGANDA, OrgRoleKind.DISCIPLINE), 5),
            RegionLevel.COMPOUND: ((OrgRoleKind.SECRETARY, OrgRoleKind.ORGANISATION, OrgRoleKind.PROPAGANDA), 3),
            RegionLevel.BUILDING: ((OrgRoleKind.GROUP_LEADER,), 3),
        }  # fmt: skip
        start = self.today - dt.timedelta(days=400)
        for region_id, org in self.orgs.items():
            region = self.regions[region_id]
            if region.level not in seats:
                continue
            roles, years = seats[RegionLevel(region.level)]
            for role, m in zip(roles, under[region_id], strict=False):
                self.w.add(OrgRole, ROLE_FIELDS, (self.d, region.community_id, org, m["id"], role, start,
                                                  years_after(start, years) - dt.timedelta(days=1),
                                                  _at(start, 15)))  # fmt: skip
                self.result.roles += 1
            if region.level == RegionLevel.COMPOUND:
                for kind, name in ((BodyKind.PROPERTY, f"{region.name}物业服务中心"),
                                   (BodyKind.OWNERS_COMMITTEE, f"{region.name}业主委员会")):  # fmt: skip
                    phone = phone_columns(self.phone(), prefix="contact_phone")
                    self.w.add(LinkedBody, BODY_FIELDS, (
                        self.d, region.community_id, org, kind, name, "联系人", phone["contact_phone_enc"],
                        phone["contact_phone_head"], phone["contact_phone_tail"], True, _at(start, 16)))  # fmt: skip
                    self.result.bodies += 1

    def transfers(self, others: dict[int, list[_Tagged]]) -> None:
        """One transfer per story state and community; the members they
        concern take their state (a completed 转出 has left the register)."""
        K, S = TransferKind, TransferState
        by_community: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for m in self.members:
            by_community[m["t"].community].append(m)
        for c in self.communities:
            ms = by_community[c.pk]
            retired = [
                m for m in ms if m["relation"] == Relation.RETIRED and m["org_region"] != c.pk
            ]
            plain = [
                m
                for m in ms
                if m["relation"] == Relation.SELF_MANAGED and m["standing"] == Standing.FULL
            ]
            outsiders = others.get(c.pk, [])
            committee = self.orgs[c.pk]
            worker = self.worker(c)
            for k, (kind, state, reason) in enumerate(TRANSFERS):
                requested = self.today - dt.timedelta(days=self.rng.randint(20, 300) if state in (S.COMPLETED, S.RETURNED)
                                                      else self.rng.randint(1, 4))  # fmt: skip
                member = resident = None
                f: dict[str, Any] = {"from_org": None, "from_org_name": "", "to_org": None, "to_org_name": "",
                                     "letter": "", "standing": "", "joined": None, "relation": ""}  # fmt: skip
                if kind == K.IN and reason == TransferReason.RETIRED:
                    if not retired:
                        continue
                    member = retired.pop()
                    resident = member["t"].id
                    f.update(
                        from_org_name="中共鞍钢集团矿业公司离退休党支部",
                        to_org=member["org"],
                        letter=f"鞍矿党介字〔{requested.year}〕第{k + c.pk % 900:04d}号",
                        standing=member["standing"],
                        joined=member["joined"],
                        relation=Relation.RETIRED,
                    )
                elif kind == K.IN:
                    if not outsiders:
                        continue
                    t = outsiders.pop()
                    resident = t.id
                    f.update(
                        from_org_name="中共鞍山华宇电子有限公司支部委员会",
                        to_org=self.orgs.get(t.compound, committee),
                        letter=f"华宇党字〔{requested.year}〕第{c.pk % 900:03d}号",
                        standing=Standing.FULL,
                        joined=years_after(t.birth, 25),
                        relation=Relation.SELF_MANAGED,
                    )
                else:
                    if not plain:
                        continue
                    member = plain.pop()
                    resident = member["t"].id
                    if kind == K.OUT:
                        f.update(
                            from_org=member["org"],
                            to_org_name="中共大连市沙河口区春柳街道工作委员会",
                        )
                        if state == S.COMPLETED:
                            member["status"] = MemberStatus.TRANSFERRED_OUT
                    elif member["org"] == committee:
                        continue
                    elif state == S.COMPLETED:  # came from the committee to where they are now
                        f.update(from_org=committee, to_org=member["org"])
                    else:
                        f.update(from_org=member["org"], to_org=committee)
                approved = (
                    _at(requested + dt.timedelta(days=2), 15)
                    if state in (S.APPROVED, S.COMPLETED)
                    else None
                )
                completed = (
                    _at(requested + dt.timedelta(days=4), 10) if state == S.COMPLETED else None
                )
                answer_due = self.calendar.add(requested, self.rules.transfer_answer_days).date
                from_name = self.org_names[f["from_org"]] if f["from_org"] else f["from_org_name"]
                to_name = self.org_names[f["to_org"]] if f["to_org"] else f["to_org_name"]
                returned = (
                    "介绍信所列接收党组织名称有误，请更正后重新开具。"
                    if state == S.RETURNED
                    else ""
                )
                self.w.add(Transfer, TRANSFER_FIELDS, (
                    self.d, c.pk, self.number(c, requested), kind, reason, resident,
                    member["id"] if member else None, f["from_org"], from_name, f["to_org"], to_name,
                    f["letter"], f["standing"], None, f["joined"], f["relation"], state, "", returned,
                    requested, answer_due, requested + dt.timedelta(days=self.rules.letter_valid_days),
                    approved, completed, _at(requested, 10), worker))  # fmt: skip
                self.result.transfers += 1

    # -- 红旗驿站 -------------------------------------------------------------------------------

    def stations(self, count: int) -> None:
        """``count`` stations on branches spread over the compounds, each with a
        year of openings and activities and that year's judged months."""
        w, today = self.w, self.today
        compounds = self.of_level(RegionLevel.COMPOUND)
        picked = [compounds[i * len(compounds) // count] for i in range(min(count, len(compounds)))]
        ids = w.ids(Station, len(picked))
        first_month = month_start(today)
        for _ in range(MONTHS - 1):
            first_month = month_start(first_month - dt.timedelta(days=1))
        duty_pool: dict[int, list[int]] = defaultdict(list)
        for m in self.members:
            if m["status"] == MemberStatus.ACTIVE:
                duty_pool[m["t"].compound].append(m["id"])
        shares = [q[0] for q in QUALITY]
        last_full = month_start(month_start(today) - dt.timedelta(days=1))
        for k, (compound, pk) in enumerate(zip(picked, ids, strict=True)):
            c = compound.community_id
            if self.rng.random() < 0.85:
                opened = today - dt.timedelta(days=self.rng.randint(400, 1100))
            else:
                opened = self.day_between(first_month, today - dt.timedelta(days=60))
            hours = TIMETABLES[k % len(TIMETABLES)]
            quality = self.rng.choices(QUALITY, shares)[0]
            w.add(Station, STATION_FIELDS, (
                pk, self.d, c, compound.pk, self.orgs[compound.pk], f"{compound.name}红旗驿站",
                LocationKind.PUBLIC_ROOM if k % 3 else LocationKind.PROPERTY_ROOM,
                f"{compound.name}{1 + k % 6}号楼旁公共用房", Decimal(80 + k % 90), opened, True,
                _at(opened, 9)))  # fmt: skip
            for kind, name, area, seats in ((RoomKind.ACTIVITY_ROOM, "党群活动室", 48, 30),
                                            (RoomKind.DELIBERATION_HALL, "居民议事厅", 36, 20)):  # fmt: skip
                w.add(StationRoom, ROOM_FIELDS, (self.d, c, pk, kind, name, Decimal(area), seats))
            for weekday, opens, closes in hours:
                w.add(StationHours, HOURS_FIELDS, (self.d, c, pk, weekday, opens, closes))
            pool = duty_pool.get(compound.pk, [])
            for n, weekday in enumerate(sorted({d for d, _o, _c in hours})):
                if pool:
                    w.add(StationDuty, DUTY_FIELDS, (self.d, c, pk, weekday, pool[n % len(pool)]))
            self._station_year(pk, c, compound, opened, hours, quality, first_month, last_full)
            self.result.stations += 1

    def _station_year(self, pk: int, c: int, compound: Region, opened: dt.date,
                      hours: tuple[tuple[int, dt.time, dt.time], ...], quality: tuple,
                      first_month: dt.date, last_full: dt.date) -> None:  # fmt: skip
        w, today, rng = self.w, self.today, self.rng
        _share, p_open, (low, high), p_nohost = quality
        street = self.regions[c].street_id
        month = first_month
        while month <= today:
            end = min(next_month(month) - dt.timedelta(days=1), today - dt.timedelta(days=1))
            first = max(month, opened)
            spans: list[tuple[dt.time, dt.time]] = []
            with_residents = hosted = 0
            good_month = rng.random() > 0.12  # a station has its bad months
            day = first
            while day <= end:
                for weekday, opens, closes in hours:
                    if weekday != day.weekday() or rng.random() > (
                        p_open if good_month else p_open * 0.7
                    ):
                        continue
                    shut = closes
                    if rng.random() < 0.2:
                        shut = (
                            dt.datetime.combine(day, closes)
                            - dt.timedelta(minutes=rng.choice((10, 20, 30)))
                        ).time()
                    w.add(
                        StationOpening,
                        OPENING_FIELDS,
                        (self.d, c, pk, day, opens, shut, _at(day, 20, rng.randrange(60))),
                    )
                    spans.append((opens, shut))
                    self.result.openings += 1
                day += dt.timedelta(days=1)
            if first <= end:
                n = rng.randint(low, high) if good_month else rng.randint(0, max(0, low - 1))
                nohost = rng.random() < p_nohost
                for _ in range(n):
                    kinds, weights = NOHOST_WEIGHTS if nohost else KIND_WEIGHTS
                    kind = rng.choices(kinds, weights)[0]
                    title, joined, served = rng.choice(ACTIVITIES[kind])
                    if nohost and served == 0 and rng.random() < 0.5:
                        served = rng.randint(5, 15)
                    on = self.day_between(first, end)
                    w.add(StationActivity, ACTIVITY_FIELDS, (self.d, c, pk, on, kind, title, joined + rng.randint(-3, 6),
                                                             served + rng.randint(0, 8) * (served > 0), _at(on, 20, 30)))  # fmt: skip
                    with_residents += served > 0
                    hosted += kind in HOSTING_KINDS
                    self.result.activities += 1
            published = published_minutes(hours, month=month, opened_on=opened, today=today)
            if first <= min(next_month(month) - dt.timedelta(days=1), today):
                verdict = judge(published_minutes=published, open_minutes=open_minutes(spans),
                                activities_with_residents=with_residents, hosted=hosted, rules=self.rules)  # fmt: skip
                w.add(StationMonth, MONTH_FIELDS, (self.d, c, street, pk, month, published, open_minutes(spans),
                                                   with_residents, hosted, verdict.functioning, verdict.reason))  # fmt: skip
                self.result.months += 1
                self.result.functioning += int(verdict.functioning and month == last_full)
            month = next_month(month)

    # -- 楼长制 ---------------------------------------------------------------------------------

    def heads(
        self, tagged: list[_Tagged], households: list[tuple[int, int, int, int]], visits: int
    ) -> None:
        w, today, rng = self.w, self.today, self.rng
        full = {
            m["t"].id
            for m in self.members
            if m["standing"] == Standing.FULL and m["status"] == MemberStatus.ACTIVE
        }
        living: dict[int, list[_Tagged]] = defaultdict(list)
        for t in tagged:
            if 25 <= age_on(t.birth, today) <= 75:
                living[t.building].append(t)
        per_unit: dict[int, list[_Tagged]] = defaultdict(list)
        for t in tagged:
            per_unit[t.unit].append(t)
        of_building: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for hid, building, unit, _c in households:
            of_building[building].append((hid, unit))
        headed: list[tuple[Region, dt.date]] = []
        for building in self.of_level(RegionLevel.BUILDING):
            people = living.get(building.pk)
            if not people or rng.random() > HEADED_SHARE:
                continue
            people = sorted(people, key=lambda t: (t.id not in full, t.id))
            start = today - dt.timedelta(days=rng.randint(760, 900))
            if len(people) > 1 and rng.random() < 0.05:  # an earlier head whose term ended
                before = start - dt.timedelta(days=3 * 365)
                w.add(BuildingHead, HEAD_FIELDS, (self.d, building.community_id, building.pk, None, HeadKind.BUILDING,
                                                  people[1].id, before, start - dt.timedelta(days=1),
                                                  start - dt.timedelta(days=1), _at(before, 14)))  # fmt: skip
                self.result.heads += 1
            w.add(BuildingHead, HEAD_FIELDS, (self.d, building.community_id, building.pk, None, HeadKind.BUILDING,
                                              people[0].id, start, years_after(start, 3) - dt.timedelta(days=1),
                                              None, _at(start, 14)))  # fmt: skip
            self.result.heads += 1
            headed.append((building, start))
            for unit in {u for _h, u in of_building[building.pk]}:
                candidates = [t for t in per_unit.get(unit, []) if t.id != people[0].id]
                if candidates and rng.random() < UNIT_HEAD_SHARE:
                    w.add(BuildingHead, HEAD_FIELDS, (self.d, building.community_id, building.pk, unit, HeadKind.UNIT,
                                                      candidates[0].id, start, years_after(start, 3) - dt.timedelta(days=1),
                                                      None, _at(start, 15)))  # fmt: skip
                    self.result.unit_heads += 1
        # 走访: split over the headed buildings by their households, over two years.
        weights = [len(of_building[b.pk]) for b, _s in headed]
        if not headed or not sum(weights):
            return
        earliest = today - dt.timedelta(days=DAYS_BACK)
        for (building, start), n in zip(headed, split_evenly(visits, weights), strict=True):
            homes = of_building[building.pk]
            first = max(earliest, start)
            for _ in range(n):
                hid, unit = rng.choice(homes)
                day = self.day_between(first, today - dt.timedelta(days=1))
                raised, follow = rng.choice(VISIT_NOTES) if rng.random() < 0.3 else ("", "")
                w.add(HouseholdVisit, VISIT_FIELDS, (self.d, building.community_id, building.pk, unit, hid, day,
                                                     raised, follow, _at(day, 19, rng.randrange(60))))  # fmt: skip
            self.result.visits += n

    # -- 双报到 ---------------------------------------------------------------------------------

    def report_in(self) -> None:
        w, today, rng = self.w, self.today, self.rng
        units = [u for u, _n in self.units]
        names = dict(self.units)
        if not units:
            return
        unit_report: dict[tuple[int, int], tuple[int, dt.date]] = {}
        plan = []
        for k, c in enumerate(self.communities):
            partner = self.partner.get(c.pk)
            mine = [partner[1]] if partner else []
            mine += [
                u
                for u in (units[(k + 1) % len(units)], units[(k + 5) % len(units)])
                if u not in mine
            ]
            plan.extend((c, u) for u in mine[:3])
        for (c, u), pk in zip(plan, w.ids(UnitReportIn, len(plan)), strict=True):
            day = today - dt.timedelta(days=rng.randint(640, 700))
            phone = phone_columns(self.phone(), prefix="contact_phone")
            w.add(UnitReportIn, UNIT_REPORT_FIELDS, (
                pk, self.d, c.pk, u, f"中共{names[u]}委员会", "志愿者服务；场地开放；专业技能服务进社区", "联络人",
                phone["contact_phone_enc"], phone["contact_phone_head"], phone["contact_phone_tail"], day,
                _at(day, 10)))  # fmt: skip
            unit_report[(c.pk, u)] = (pk, day)
        self.result.unit_reports = len(plan)
        serving = [m for m in self.members if m["relation"] == Relation.IN_SERVICE and m["status"] == MemberStatus.ACTIVE
                   and rng.random() < 0.8]  # fmt: skip
        reports = w.ids(MemberReportIn, len(serving))
        by_community: dict[int, list[tuple[int, dict[str, Any], dt.date]]] = defaultdict(list)
        for m, pk in zip(serving, reports, strict=True):
            c = m["t"].community
            linked = unit_report.get((c, m["unit"])) if m["unit"] else None
            day = today - dt.timedelta(days=rng.randint(30, 630))
            if linked:
                day = max(day, linked[1])
            skills, when = rng.choice(OTHER_SKILLS)
            w.add(MemberReportIn, MEMBER_REPORT_FIELDS, (pk, self.d, c, m["id"], linked[0] if linked else None,
                                                         skills, when, day, _at(day, 11)))  # fmt: skip
            by_community[c].append((pk, m, day))
        self.result.member_reports = len(serving)
        self._needs_and_services(by_community)

    def _needs_and_services(
        self, by_community: dict[int, list[tuple[int, dict[str, Any], dt.date]]]
    ) -> None:
        w, today, rng = self.w, self.today, self.rng
        needs_plan = []
        for c in self.communities:
            for n in range(NEEDS_PER_COMMUNITY):
                posted = today - dt.timedelta(
                    days=365 * (n + 1) // (NEEDS_PER_COMMUNITY + 1) + rng.randint(0, 10)
                )
                needs_plan.append((c, n, posted))
        need_ids = w.ids(Need, len(needs_plan))
        claimed: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)  # report id -> needs
        for (c, n, posted), pk in zip(needs_plan, need_ids, strict=True):
            title, skills = NEED_TITLES[n % len(NEED_TITLES)]
            wanted = rng.randint(1, 4)
            due = posted + dt.timedelta(days=rng.randint(30, 60))
            pool = [r for r in by_community.get(c.pk, []) if r[2] <= posted]
            if due < today:
                status = NeedState.CLAIMED if rng.random() < 0.6 else NeedState.CLOSED
                claims = wanted if status == NeedState.CLAIMED else rng.randint(0, wanted)
            else:
                status, claims = NeedState.OPEN, rng.randint(0, wanted - 1)
            takers = rng.sample(pool, min(claims, len(pool)))
            if status == NeedState.CLAIMED and len(takers) < wanted:
                status = NeedState.CLOSED
            w.add(Need, NEED_FIELDS, (pk, self.d, c.pk, title, f"{c.name}{title}。", skills, wanted, due, status,
                                      _at(posted, 9), self.worker(c)))  # fmt: skip
            for report_id, _m, _day in takers:
                at = _at(posted + dt.timedelta(days=rng.randint(0, 3)), 11)
                w.add(NeedClaim, CLAIM_FIELDS, (self.d, c.pk, pk, report_id, at))
                claimed[report_id].append((pk, at.date()))
                self.result.claims += 1
        self.result.needs = len(needs_plan)
        # 服务登记 about every 45 days since the report-in; a service for the
        # community's partner unit is also its 双报到 pairing action.
        services: list[tuple] = []
        for c in self.communities:
            partner = self.partner.get(c.pk)
            worker = self.worker(c)
            for report_id, m, reported in by_community.get(c.pk, []):
                needs = sorted(claimed.get(report_id, []), key=lambda x: x[1])
                day = reported + dt.timedelta(days=rng.randint(5, 40))
                while day < today:
                    need = needs.pop(0)[0] if needs and needs[0][1] <= day else None
                    hours = Decimal(rng.choice((15, 20, 25, 30, 40))) / 10
                    what = rng.choice(SERVICE_TEXTS)
                    pairing = partner is not None and m["unit"] == partner[1]
                    services.append(
                        (
                            c,
                            report_id,
                            need,
                            m,
                            day,
                            hours,
                            what,
                            partner[0] if pairing else None,
                            worker,
                        )
                    )
                    day += dt.timedelta(days=rng.randint(30, 60))
        action_ids = iter(w.ids(PairingAction, sum(1 for s in services if s[7])))
        letters: dict[tuple[int, int, str], list[Decimal]] = defaultdict(list)
        this_quarter = quarter_of(today)
        for c, report_id, need, m, day, hours, what, agreement, worker in services:
            action = None
            if agreement is not None:
                action = next(action_ids)
                w.add(PairingAction, ACTION_FIELDS, (action, self.d, c.pk, agreement, ActionKind.DUAL_REGISTRATION,
                                                     what, day, hours, 1, "", m["t"].name, _at(day, 19)))  # fmt: skip
                self.result.pairing_actions += 1
            w.add(ServiceLog, SERVICE_FIELDS, (self.d, c.pk, report_id, need, m["unit"], "", day, hours, what, action,
                                               _at(day, 19), worker))  # fmt: skip
            if m["unit"]:
                letters[(c.pk, m["unit"], quarter_of(day))].append(hours)
        self.result.services = len(services)
        by_id = {c.pk: c for c in self.communities}
        # the letter of every quarter that ended within the last year, a week after its end
        for (c_id, unit, quarter), hours in sorted(letters.items()):
            ended = quarter_bounds(quarter)[1]
            sent = ended + dt.timedelta(days=7)
            if quarter == this_quarter or sent >= today or ended < today - dt.timedelta(days=365):
                continue
            community = by_id[c_id]
            w.add(FeedbackLetter, LETTER_FIELDS, (self.d, c_id, unit, quarter, self.number(community, sent), len(hours),
                                                  sum(hours, Decimal(0)), _at(sent, 10), self.worker(community)))  # fmt: skip
            self.result.letters += 1


def _tagged(district: Region) -> list[_Tagged]:
    return [
        _Tagged(*row)
        for row in ResidentTag.objects.filter(district=district, tag=Tag.PARTY_MEMBER)
        .order_by("resident_id")
        .values_list("resident_id", "resident__name", "resident__birth_date", "resident__household_id",
                     "resident__household__building_id", "resident__household__unit_id",
                     "resident__household__unit__compound_id", "community_id")
    ]  # fmt: skip


def generate_party(
    *,
    district: Region,
    communities: list[Region],
    members: int,
    stations: int,
    visits: int,
    seed: str,
    say: Callable[[str], None] = lambda _m: None,
) -> PartyScaleResult:
    """The party module of ``district``, spread evenly over ``communities``.
    Runs inside the caller's transaction after the governance data (units,
    pairing agreements) and continues the receipt counters."""
    started = time.perf_counter()
    counters: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for c_id, day, last in ReceiptCounter.objects.filter(community__district=district).values_list(
        "community_id", "day", "last"
    ):
        counters[c_id][day] = last
    plan = _Plan(district, communities, seed, timezone.now(), counters)
    tagged = _tagged(district)
    households = list(
        Household.objects.filter(district=district).order_by("id").values_list("id", "building_id", "unit_id", "community_id")
    )  # fmt: skip
    read = time.perf_counter() - started
    compute = time.process_time()
    plan.organisations(groups_every=3)
    plan.enrol(tagged, members)
    chosen = {m["t"].id for m in plan.members}
    others: dict[int, list[_Tagged]] = defaultdict(list)
    for t in tagged:
        if t.id not in chosen and age_on(t.birth, plan.today) >= 30:
            others[t.community].append(t)
    plan.transfers(others)
    plan.write_members()
    plan.seats()
    say(f"党建 党组织 {sum(plan.result.orgs.values()):,}、党员 {plan.result.members:,}")
    plan.stations(stations)
    say(
        f"党建 红旗驿站 {plan.result.stations:,}：开放登记 {plan.result.openings:,}、活动 {plan.result.activities:,}"
    )
    plan.heads(tagged, households, visits)
    plan.report_in()
    result = plan.result
    result.compute_seconds = time.process_time() - compute
    writing = time.perf_counter()
    plan.w.flush((PartyOrg, PartyMember, OrgRole, LinkedBody, Transfer, Station, StationRoom, StationHours,
                  StationDuty, StationOpening, StationActivity, StationMonth, BuildingHead, HouseholdVisit,
                  UnitReportIn, MemberReportIn, Need, NeedClaim, PairingAction, ServiceLog, FeedbackLetter))  # fmt: skip
    counters_update(plan.new_counters, connection.vendor == "sqlite")
    result.write_seconds = time.perf_counter() - writing + read
    say(f"党建 楼栋长 {result.heads:,}、入户走访 {result.visits:,}、报到服务 {result.services:,}")
    return result
