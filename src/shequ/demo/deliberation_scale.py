"""议事协商 of the benchmark district: the demo's 协商目录 adopted by every
community, two years of topics, meetings with their invitees and agendas,
ballots, outcomes and their tasks, and one owners' vote open now on the
district's largest compound for a benchmark to cast votes on.

Per community (``split_evenly`` of the totals): its meetings spread over
the two years before today, about 60 % physical (议事会, 联席会, 恳谈会, 听证会:
9–21 invitees, most signed in, now and then by proxy; one ballot per
present invitee and agenda item, recorded by the worker) and 40 % online
(业主共同决定 by household with its floor area, 民法典第278条, or residents of
the place on their phones). Ballots are spread over the online votes so
that the community's quota is met exactly; turnout is 70–95 % of the
households for owners' votes and 15–45 % of the adults for residents'.
Every closed vote stores what ``rules.decide`` says of its own ballots, and
its topic is decided or not passed by it; a passed vote gets an outcome
with 2–4 weighted tasks whose progress follows their age (done, late and
flagged overdue as ``shequ tick`` would, in progress, a few shelved).
Topics not on an agenda are recent ones co-signing, under review or in the
pool, older ones rejected with a reason, in the pool, or never co-signed
enough. Personal proposals carry their co-signers (residents of the
place). The newest meeting of each community is noticed for the coming
days; the largest compound's community also has the open vote.

Every household of the district gets a floor area (45–140 m², from its id)
first. Numbers come from the per-community day counters after the cases'
and appeals' (``ReceiptCounter`` is raised). Rows are built in the
command's own process and written with COPY / ``executemany``, ids taken
up front per community. Not generated: timeline events and audit records,
photos, objections, residents' ratings (they need residents' accounts).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from shequ.core.models import Grant, ReceiptCounter, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.core.words import keywords_of
from shequ.core.workdays import WorkCalendar
from shequ.deliberation.models import (
    OWNER_RULES,
    AgendaItem,
    Ballot,
    ConsultationAdoption,
    ConsultationItem,
    ConsultationItemVersion,
    Invitee,
    MatterLevel,
    Meeting,
    MeetingForm,
    MeetingState,
    Outcome,
    OutcomeState,
    OutcomeTask,
    OwnerKind,
    Participant,
    ProposerKind,
    SecretTally,
    TaskState,
    Topic,
    TopicCosign,
    TopicState,
    VoteRule,
    VoteState,
)
from shequ.deliberation.rules import Tally, decide
from shequ.deliberation.services import cosign_threshold
from shequ.deliberation.services.meetings import notice_days, publicity_days
from shequ.deliberation.services.topics import review_days
from shequ.demo import bulk
from shequ.demo.cases import BEIJING, bench_username
from shequ.demo.deliberation.scripts import CATALOG, Item
from shequ.demo.governance_scale import counters_update, district_admin
from shequ.demo.people import split_evenly
from shequ.residents.models import Household, Relation, Resident
from shequ.whistles.models import Department, DepartmentKind, Unit

DAYS_BACK = 730
RECENT_DAYS = 14  # topics proposed since are still co-signing or under review
RECENT_SHARE = 0.06  # of the topics on no agenda: a little more than those days' share of two years
ONLINE_SHARE = 0.4
FORMS = ((MeetingForm.COUNCIL, 60), (MeetingForm.JOINT, 25), (MeetingForm.DIALOGUE, 10),
         (MeetingForm.HEARING, 5))  # fmt: skip
OPEN_VOTE_DAYS = 14  # the benchmark's open vote runs from yesterday for two weeks
CENTS = Decimal("0.01")
# SQL of a household's floor area from k, its place in the district's id
# range (the same every run): 45–139.99 m², most around 90. ``%%`` is the
# modulo once the driver has filled in the parameters.
AREA_SQL = "45 + ({k} * 7919) %% 48 + ({k} * 104729) %% 48 + (({k} * 31) %% 100) / 100.0"

TOPIC_FIELDS = (
    "id", "district", "community", "compound", "building", "number", "item", "item_version",
    "category", "title", "description", "keywords", "proposer_kind", "proposer", "proposer_resident",
    "proposer_body", "status", "threshold", "cosigners", "proposed_at", "review_due",
    "review_due_uncertain", "reviewed_at", "reviewed_by", "reason", "merged_into", "handed_over_to",
    "created_at",
)  # fmt: skip
COSIGN_FIELDS = ("topic", "district", "community", "resident", "user", "at")
MEETING_FIELDS = (
    "id", "district", "community", "compound", "number", "form", "title", "starts_at", "ends_at",
    "place", "room_ref", "notice_days", "notice_text", "noticed_at", "status", "invited", "present",
    "quorum_met", "opened_at", "closed_at", "chair", "recorder", "speeches", "minutes", "minutes_at",
    "created_by", "created_at",
)  # fmt: skip
INVITEE_FIELDS = (
    "id", "meeting", "district", "community", "role", "name", "body", "resident", "user",
    "signed_in_at", "proxy_name", "proxy_relation", "proxy_authorisation",
)  # fmt: skip
AGENDA_FIELDS = (
    "id", "meeting", "topic", "district", "community", "order", "rule", "secret", "vote_state",
    "opened_at", "closes_at", "closed_at", "eligible", "eligible_area", "participants",
    "participants_area", "yes", "yes_area", "no", "no_area", "abstain", "abstain_area", "passed",
    "verdict", "decision", "publicity_until",
)  # fmt: skip
BALLOT_FIELDS = (
    "item", "district", "community", "invitee", "household", "resident", "cast_by", "recorded",
    "choice", "area", "at",
)  # fmt: skip
SECRET_FIELDS = ("item", "district", "choice", "count", "area")
OUTCOME_FIELDS = (
    "id", "district", "community", "compound", "topic", "agenda_item", "category", "title",
    "owner_kind", "owner_name", "department", "unit", "status", "progress", "reason", "due",
    "started_at", "completed_at", "on_time", "ratings", "satisfied", "created_at",
)  # fmt: skip
TASK_FIELDS = (
    "outcome", "district", "community", "order", "title", "weight", "due", "milestone", "status",
    "progress", "done_at", "overdue_at", "whistle", "commitment",
)  # fmt: skip

# Topic texts per catalog item: (title, description); {compound}, {building},
# {community}, {extra} and a few numbers are filled in.
TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    "HJ-01": (("{compound}{building}加装电梯意见征集",
               "{building}是{floors}层老楼，住户中老人多，上下楼十分困难，{extra}。希望协商电梯选址、费用分摊和低层住户补偿。"),
              ("{compound}{building}加装电梯费用分摊方案",
               "{building}加装电梯设计方案已完成，总造价约{money}万元，需按楼层商定分摊比例，{extra}。")),
    "HJ-02": (("{compound}老旧小区改造方案征求意见",
               "{compound}建成已有{years}年，屋面漏水、管网老化、道路破损问题突出，{extra}，需协商改造内容和施工安排。"),
              ("{compound}雨污分流与道路改造",
               "{compound}雨季积水严重，雨污管道混接，{extra}，拟列入老旧小区改造计划，请居民商议施工期间的通行安排。")),
    "HJ-03": (("{compound}{building}楼道堆物清理",
               "{building}楼道里堆放了旧家具、纸箱和自行车，占用消防通道，{extra}，希望约定时间集中清理。"),
              ("{compound}{building}消防通道整治",
               "{building}楼梯间和消防通道长期被杂物占用，消防检查要求整改，{extra}。")),
    "TC-01": (("{compound}地面停车位施划方案",
               "{compound}车辆越来越多，车位严重不足，乱停乱放堵塞消防通道，{extra}，建议重新施划地面停车位并明确收费办法。"),
              ("{compound}车位分配办法",
               "{compound}新施划了{n}个车位，如何在业主之间公平分配意见不一，{extra}。")),
    "TC-02": (("{compound}电动自行车棚选址",
               "{compound}电动自行车多、车棚少，很多人把车推进楼道充电，{extra}，建议新建带充电桩的车棚。"),
              ("{compound}增设电动车集中充电点",
               "{compound}飞线充电现象突出，存在火灾隐患，{extra}，建议增设集中充电点并定时巡查。")),
    "WY-01": (("{compound}物业费调整",
               "物业公司提出{compound}物业费调整为每月每平方米{fee}元，并承诺提高保洁和维修标准，{extra}，需业主共同决定。"),),
    "WY-02": (("{compound}选聘物业服务企业",
               "{compound}物业服务合同即将到期，业主对服务质量意见较大，{extra}，业委会提议公开选聘新的物业服务企业。"),
              ("{compound}续聘物业服务企业",
               "{compound}现物业合同到期，经满意度测评，业委会提出续聘并调整部分服务内容，{extra}。")),
    "WY-03": (("{compound}物业服务质量评议",
               "居民对{compound}保洁、绿化和维修响应意见较多，{extra}，拟对照物业服务合同逐项评议。"),),
    "GS-01": (("{compound}公共收益使用方案",
               "{compound}广告位、场地租赁等公共收益结余{money}万元，{extra}，业委会提出用于门禁更换和楼道照明改造。"),),
    "GS-02": (("{compound}使用维修资金维修屋面",
               "{compound}{building}屋面防水层老化，顶层住户家中漏水，{extra}，拟申请使用专项维修资金{money}万元。"),
              ("{compound}使用维修资金更换电梯部件",
               "{compound}电梯运行多年，故障频发，{extra}，经检测需更换曳引机和控制柜，拟使用专项维修资金。")),
    "GS-03": (("{compound}利用共有部分设置广告",
               "有广告公司希望在{compound}电梯和出入口设置广告，年租金约{money}万元，{extra}，需业主共同决定。"),),
    "AQ-01": (("{compound}门禁道闸安装",
               "{compound}出入口没有门禁，外来车辆和人员随意进出，{extra}，建议安装车辆道闸和人行门禁。"),
              ("{compound}单元门禁升级", "{compound}单元门禁老化损坏，{extra}，建议更换为刷卡加人脸识别门禁。")),
    "AQ-02": (("{compound}监控补盲",
               "{compound}车棚和出入口监控存在盲区，近期发生电动车被盗，{extra}，建议增设高清探头。"),),
    "YY-01": (("{community}临街餐饮油烟治理",
               "{compound}附近临街饭店油烟直排，楼上住户常年不敢开窗，{extra}，希望协商安装净化设施和营业时间。"),),
    "YY-02": (("{community}广场舞音量与时段约定",
               "{compound}旁边的广场舞每天晚上音响很大，{extra}，建议约定活动时段和音量。"),),
    "WM-01": (("{community}文明养犬约定", "{compound}不拴绳遛狗、犬粪不清理的现象较多，{extra}，建议制定文明养犬约定。"),),
    "WM-02": (("{compound}垃圾分类投放点调整",
               "{compound}部分垃圾投放点紧挨住户窗户，夏天异味大，{extra}，建议调整投放点并定时定点投放。"),),
    "GY-01": (("{community}居民公约修订",
               "现行居民公约缺少文明养犬、高空抛物和楼道管理等内容，{extra}，拟提交居民会议修订。"),),
    "GY-02": (("{compound}管理规约修订",
               "{compound}管理规约制定多年，对装修管理、车辆停放等规定已不适应，{extra}，业委会提出修订草案。"),),
}  # fmt: skip
EXTRAS = (
    "邻居们意见都很大", "已经向楼栋长反映过", "家里有老人和小孩", "多次沟通都没有结果", "居民联名提出建议",
    "物业表示支持", "希望社区出面协调", "楼栋群里讨论了很久", "业委会已征求部分业主意见", "上次检查时被要求整改",
)  # fmt: skip
REJECT_REASONS = (
    "该事项属于业主个人与物业服务企业之间的事务，不属于公共事务，不列入协商议题。",
    "该事项属于职能部门的法定职责，已转相关部门依法处理，不宜通过协商表决决定。",
    "该事项与已列入议题库的议题重复，请关注原议题的协商进展。",
)
SHELVE_REASONS = (
    "改造资金未能落实，待列入下一年度计划后重新启动。",
    "相关审批手续尚未办结，暂缓实施。",
)
TASK_SETS = (
    (("方案公示", 20), ("组织实施", 60), ("验收并公示结果", 20)),
    (("征求住户意见", 20), ("采购与施工", 50), ("验收", 30)),
    (("制定实施方案", 30), ("落实整改", 70)),
    (("资金申请与公示", 20), ("施工", 50), ("竣工验收", 20), ("结果公开", 10)),
)
DEPARTMENT_OF = {
    "环境改造": DepartmentKind.HOUSING, "停车管理": DepartmentKind.TRANSPORT,
    "物业服务": DepartmentKind.HOUSING, "公共收益": DepartmentKind.HOUSING,
    "安全防盗": DepartmentKind.POLICE, "油烟噪音": DepartmentKind.ENVIRONMENT,
    "文明创建": DepartmentKind.URBAN_MANAGEMENT, "居民公约": DepartmentKind.CIVIL_AFFAIRS,
}  # fmt: skip
SPEECHES = (
    "同意方案，希望尽快实施，实施过程中及时向居民公开进展。",
    "费用和施工时间要提前公示，照顾好老人和行动不便的居民。",
    "建议先在一栋楼试点，总结经验后再推开。",
    "物业会配合做好现场管理和后续维护。",
)


# -- the district's data, read once ---------------------------------------------------------


@dataclass
class Place:
    """A compound: its buildings, households (id, building, area) and adults (id, name, household)."""

    id: int
    name: str
    community_id: int
    buildings: list[tuple[int, str]] = field(default_factory=list)
    households: list[tuple[int, int, Decimal]] = field(default_factory=list)
    adults: list[tuple[int, str, int]] = field(default_factory=list)
    heads: dict[int, int] = field(
        default_factory=dict
    )  # household -> its adult head (or first adult)


@dataclass(frozen=True)
class ItemRef:
    id: int
    version_id: int
    spec: Item


@dataclass
class DeliberationResult:
    items: int = 0
    topics: int = 0
    cosigns: int = 0
    meetings: int = 0
    invitees: int = 0
    agenda: int = 0
    ballots: int = 0
    outcomes: int = 0
    tasks: int = 0
    areas: int = 0
    voters: int = 0  # accounts for the open vote's households
    largest: tuple[str, int] = ("", 0)  # the largest compound and its households
    open_vote: int = 0  # the open agenda item's id
    states: dict[str, int] = field(default_factory=dict)  # topic states
    compute_seconds: float = 0.0
    write_seconds: float = 0.0


def loaded_models() -> tuple:
    """The tables the generator fills in bulk (their indexes are dropped)."""
    return (
        Topic,
        TopicCosign,
        Meeting,
        Invitee,
        AgendaItem,
        Ballot,
        SecretTally,
        Outcome,
        OutcomeTask,
    )


def _floor_areas(district: Region) -> int:
    """A floor area for every household of the district without one."""
    table = connection.ops.quote_name(Household._meta.db_table)
    base = Household.objects.filter(district=district).aggregate(m=Min("id"))["m"] or 0
    area = AREA_SQL.format(k=f"(id - {int(base)})")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET floor_area = {area} "  # noqa: S608 - constants, an int and model meta
            "WHERE district_id = %s AND floor_area IS NULL",
            [district.pk],
        )
        return cursor.rowcount


def _places(district: Region) -> dict[int, list[Place]]:
    """Every compound of the district with its buildings, households and adults."""
    compounds = {
        pk: Place(pk, name, community_id)
        for pk, name, community_id in Region.objects.filter(
            district=district, level=RegionLevel.COMPOUND
        ).values_list("id", "name", "community_id")
    }
    compound_of: dict[int, int] = {}
    for pk, name, compound_id in (
        Region.objects.filter(district=district, level=RegionLevel.BUILDING)
        .order_by("code")
        .values_list("id", "name", "compound_id")
    ):
        compounds[compound_id].buildings.append((pk, name))
        compound_of[pk] = compound_id
    household_compound: dict[int, int] = {}
    for pk, building_id, area in (
        Household.objects.filter(district=district)
        .order_by("id")
        .values_list("id", "building_id", "floor_area")
        .iterator(chunk_size=20_000)
    ):
        compound = compound_of[building_id]
        compounds[compound].households.append((pk, building_id, Decimal(area).quantize(CENTS)))
        household_compound[pk] = compound
    adult_before = timezone.localdate() - dt.timedelta(days=round(18 * 365.25))
    for pk, name, household_id, born, relation in (
        Resident.objects.filter(district=district)
        .order_by("id")
        .values_list("id", "name", "household_id", "birth_date", "relation")
        .iterator(chunk_size=20_000)
    ):
        if born > adult_before:
            continue
        place = compounds[household_compound[household_id]]
        place.adults.append((pk, name, household_id))
        if household_id not in place.heads or relation == Relation.HEAD:
            place.heads[household_id] = pk
    out: dict[int, list[Place]] = defaultdict(list)
    for place in sorted(compounds.values(), key=lambda p: p.id):
        out[place.community_id].append(place)
    return out


def _catalog(district: Region, communities: list[Region], now: dt.datetime) -> dict[str, ItemRef]:
    published = now - dt.timedelta(days=DAYS_BACK + 30)
    items = ConsultationItem.objects.bulk_create(
        ConsultationItem(district=district, code=s.code, category=s.category, name=s.name) for s in CATALOG
    )  # fmt: skip
    versions = ConsultationItemVersion.objects.bulk_create(
        ConsultationItemVersion(item=item, district=district, number=1, category=s.category, name=s.name,
                                content=s.content, forms=list(s.forms), participants=list(s.participants),
                                vote_rule=s.rule, level=s.level, legal_basis=s.basis, published_at=published)
        for item, s in zip(items, CATALOG, strict=True)
    )  # fmt: skip
    for item, version in zip(items, versions, strict=True):
        item.current_version = version
    ConsultationItem.objects.bulk_update(items, ["current_version"])
    ConsultationAdoption.objects.bulk_create(
        (ConsultationAdoption(district=district, community=c, item=item, adopted_at=published)
         for c in communities for item in items),
        batch_size=1000,
    )  # fmt: skip
    return {
        s.code: ItemRef(item.pk, version.pk, s)
        for item, version, s in zip(items, versions, CATALOG, strict=True)
    }


# -- one community --------------------------------------------------------------------------


@dataclass
class Quota:
    topics: int
    meetings: int
    ballots: int


class _Ref:
    """A row-to-be: its fields, and its id once taken."""

    __slots__ = ("f", "id")

    def __init__(self, **f: Any) -> None:
        self.f, self.id = f, 0


class CommunityPlan:
    """The deliberation rows of one community, built before any id is taken."""

    def __init__(self, ctx: _Context, community: Region, places: list[Place], quota: Quota,
                 open_vote: Place | None) -> None:  # fmt: skip
        self.ctx, self.c, self.places, self.quota, self.open_vote = (
            ctx,
            community,
            places,
            quota,
            open_vote,
        )
        self.rng = random.Random(f"{ctx.seed}:delib:{community.code}")  # noqa: S311 - test data
        self.peopled = [p for p in places if p.households] or places
        self.adults = [a for p in places for a in p.adults]
        self.topics: list[_Ref] = []
        self.cosigns: list[tuple] = []
        self.meetings: list[_Ref] = []
        self.invitees: list[_Ref] = []
        self.agenda: list[_Ref] = []
        self.ballots: list[tuple[_Ref, dict[str, Any]]] = []  # (agenda item, the ballot's fields)
        self.secret: list[tuple[_Ref, str, int, Decimal]] = []
        self.outcomes: list[_Ref] = []
        self.tasks: list[tuple[_Ref, dict[str, Any]]] = []

    # -- moments and numbers ------------------------------------------------------------------

    def _moment(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(8, 20) if hour is None else hour
        return dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59)), BEIJING)

    def _number(self, at: dt.datetime) -> str:
        return self.ctx.number(self.c, at)

    # -- the plan -----------------------------------------------------------------------------

    def build(self) -> None:
        """Meetings (with their agenda topics), then their votes, then the
        topics on no agenda: exactly the community's quotas of topics and
        meetings, and of ballots as far as its people allow."""
        rng, today = self.rng, self.ctx.today
        n = self.quota.meetings
        upcoming = 1 if n >= 2 else 0
        open_vote = 1 if self.open_vote is not None and n >= 1 else 0
        past = n - upcoming - open_vote
        days = sorted(
            today - dt.timedelta(days=rng.randint(2, DAYS_BACK - 45)) for _ in range(past)
        )
        online = max(1, round(past * ONLINE_SHARE)) if past >= 2 else 0
        kinds = ["online"] * online + ["physical"] * (past - online)
        rng.shuffle(kinds)
        # an online vote of the last days would still be open: it closed before them
        plans = [
            (min(day, today - dt.timedelta(days=12)) if kind == "online" else day, kind)
            for day, kind in zip(days, kinds, strict=True)
        ]
        plans += [(today + dt.timedelta(days=rng.randint(4, 10)), "upcoming")] * upcoming
        plans += [(today - dt.timedelta(days=1), "open")] * open_vote
        counts = self._items_per_meeting([kind for _day, kind in plans])
        for (day, kind), items in zip(plans, counts, strict=True):
            self._meeting(day, kind, items)
        self._fill_ballots()
        for n in range(self.quota.topics - len(self.topics)):
            self._loose_topic(n)

    def _items_per_meeting(self, kinds: list[str]) -> list[int]:
        """Agenda sizes: 1–3 topics a physical meeting; online votes as many
        as the ballot quota needs at a usual turnout (about 82 % of a
        compound's households, 30 % of its adults; up to four a meeting), all
        within four in five of the community's topics."""
        rng = self.rng
        counts = [1 if kind != "physical" else rng.choice((1, 2, 2, 3)) for kind in kinds]
        online = [i for i, kind in enumerate(kinds) if kind == "online"]
        room = max(len(kinds), self.quota.topics - max(2, self.quota.topics // 5))
        if online:
            households = sum(len(p.households) for p in self.peopled) / len(self.peopled)
            adults = sum(len(p.adults) for p in self.peopled) / len(self.peopled)
            per_vote = max(1.0, 0.7 * 0.82 * households + 0.3 * 0.3 * adults)
            physical = sum(c for c, kind in zip(counts, kinds, strict=True) if kind == "physical")
            need = round((self.quota.ballots - 12 * physical) / per_vote)
            votes = min(max(need, len(online)), 4 * len(online))
            for k in range(votes - len(online)):
                counts[online[k % len(online)]] += 1
        while sum(counts) > room:  # too few topics: physical meetings give way first
            i = max(range(len(counts)), key=lambda j: (kinds[j] == "physical", counts[j]))
            if counts[i] == 1:
                break
            counts[i] -= 1
        return counts

    def _catalog_items(self, form: str, owners: bool) -> list[ItemRef]:
        return [
            ref
            for ref in self.ctx.items.values()
            if form in ref.spec.forms
            and (ref.spec.rule in OWNER_RULES) == owners
            # a residents' online vote is on a compound's or the community's matter:
            # a building's few residents could not hold a vote's ballots
            and not (form == MeetingForm.ONLINE and ref.spec.level == MatterLevel.BUILDING)
        ]

    def _topic(self, ref: ItemRef, place: Place | None, proposed: dt.datetime, status: str,
               accepted: dt.datetime | None = None) -> _Ref:  # fmt: skip
        """A topic and its co-signers; ``accepted`` when it passed review."""
        ctx, rng, spec = self.ctx, self.rng, ref.spec
        if place is None and spec.level != MatterLevel.COMMUNITY:
            place = rng.choice(self.peopled)
        building = None
        if spec.level == MatterLevel.BUILDING and place is not None and place.buildings:
            peopled = {b for _h, b, _a in place.households}
            building = rng.choice(
                [b for b in place.buildings if b[0] in peopled] or place.buildings
            )
        names = {"compound": place.name if place else self.c.name, "building": building[1] if building else "",
                 "community": self.c.name, "extra": rng.choice(EXTRAS), "floors": rng.randint(5, 7),
                 "money": rng.randint(3, 30), "years": rng.randint(20, 40), "n": rng.randint(20, 60),
                 "fee": f"{rng.uniform(0.5, 1.2):.2f}"}  # fmt: skip
        title, text = (t.format(**names) for t in rng.choice(TEXTS[spec.code]))
        pool = self._pool(place, building)
        roll = rng.random()
        kind = ProposerKind.RESIDENT if roll < 0.35 else ProposerKind.PARTY_MEMBER if roll < 0.4 else rng.choice(
            (ProposerKind.COMMUNITY, ProposerKind.COMMUNITY, ProposerKind.OWNERS_COMMITTEE, ProposerKind.PROPERTY))  # fmt: skip
        personal = kind in (ProposerKind.RESIDENT, ProposerKind.PARTY_MEMBER)
        threshold = ctx.threshold(spec.level, building) if personal else 0
        reached = status not in (TopicState.COSIGNING, TopicState.REJECTED)
        if personal and (len(pool) < threshold + 1 or not pool):
            kind, personal, threshold = ProposerKind.COMMUNITY, False, 0
        proposer = rng.choice(pool) if personal else None
        body = {ProposerKind.OWNERS_COMMITTEE: f"{names['compound']}业主委员会",
                ProposerKind.PROPERTY: f"{names['compound']}物业服务中心",
                ProposerKind.PARTY_MEMBER: proposer[1] if proposer else ""}.get(kind, "")  # fmt: skip
        if status == TopicState.COSIGNING and not personal:
            # a body's or the community's topic goes to review at once, decided within days
            recent = proposed > ctx.now - dt.timedelta(days=RECENT_DAYS)
            status = TopicState.REVIEW if recent else TopicState.ACCEPTED
        signers: list[tuple[int, str, int]] = []
        if personal:
            others = [a for a in pool if a is not proposer]
            want = threshold if reached else rng.randint(0, max(0, threshold - 1))
            signers = rng.sample(others, min(want, len(others)))
        end = (
            accepted - dt.timedelta(hours=30)
            if accepted
            else min(proposed + dt.timedelta(days=6), ctx.now)
        )
        times = (
            sorted(proposed + (end - proposed) * rng.random() for _ in signers)
            if end > proposed
            else []
        )
        enter_review = times[-1] if (times and reached) else proposed
        topic = _Ref(district=ctx.district.pk, community=self.c.pk, compound=place.id if place else None,
                     building=building[0] if building else None, number=self._number(proposed), item=ref.id,
                     item_version=ref.version_id, category=spec.category, title=title[:60], description=text,
                     keywords=keywords_of(f"{title} {text}"), proposer_kind=kind,
                     proposer=ctx.worker[self.c.pk] if kind != ProposerKind.RESIDENT else None,
                     proposer_resident=proposer[0] if kind == ProposerKind.RESIDENT and proposer else None,
                     proposer_body=body, status=status, threshold=threshold, cosigners=len(signers),
                     proposed_at=proposed, review_due=None, review_due_uncertain=False, reviewed_at=None,
                     reviewed_by=None, reason="", merged_into=None, handed_over_to="", created_at=proposed,
                     rule=spec.rule, where=(place, building))  # fmt: skip
        if not personal or reached:
            due = ctx.calendar.add(enter_review.astimezone(BEIJING).date(), review_days())
            topic.f |= {"review_due": due.date, "review_due_uncertain": due.uncertain}
        if status not in (TopicState.COSIGNING, TopicState.REVIEW):
            reviewed = accepted or min(enter_review + dt.timedelta(hours=rng.uniform(20, 60)),
                                       ctx.now - dt.timedelta(minutes=10))  # fmt: skip
            topic.f |= {"reviewed_at": reviewed, "reviewed_by": ctx.worker[self.c.pk]}
        if status == TopicState.REJECTED:
            topic.f["reason"] = rng.choice(REJECT_REASONS)
        for (resident, _name, _h), at in zip(signers, times, strict=False):
            self.cosigns.append((topic, ctx.district.pk, self.c.pk, resident, None, at))
        self.topics.append(topic)
        return topic

    def _pool(
        self, place: Place | None, building: tuple[int, str] | None
    ) -> list[tuple[int, str, int]]:
        """Adults living where a topic is: its building, else compound, else the community."""
        if place is None:
            return self.adults
        if building is None:
            return place.adults
        return [a for a in place.adults if self.ctx.building_of.get(a[2]) == building[0]]

    def _loose_topic(self, n: int) -> None:
        """The ``n``-th topic on no agenda: recent ones co-sign or wait for
        review (the first two of each community: one of each, so every
        worker has some), older ones were rejected, wait in the pool or never
        got enough co-signers."""
        rng, ctx = self.rng, self.ctx
        recent = n < 2 or rng.random() < RECENT_SHARE
        age = rng.uniform(0.2, RECENT_DAYS) if recent else rng.uniform(RECENT_DAYS, DAYS_BACK)
        proposed = min(ctx.now - dt.timedelta(days=age), ctx.now - dt.timedelta(hours=1))
        proposed = proposed.astimezone(BEIJING).replace(hour=rng.randint(8, 20))
        proposed = min(proposed, ctx.now - dt.timedelta(minutes=30))
        if n < 2:
            status = (TopicState.REVIEW, TopicState.COSIGNING)[n]
        elif recent:
            status = rng.choice(
                (TopicState.COSIGNING, TopicState.COSIGNING, TopicState.REVIEW, TopicState.ACCEPTED)
            )
        else:
            status = rng.choice((TopicState.REJECTED, TopicState.REJECTED, TopicState.ACCEPTED,
                                 TopicState.ACCEPTED, TopicState.COSIGNING))  # fmt: skip
        ref = rng.choice(list(ctx.items.values()))
        self._topic(ref, None if ref.spec.level == MatterLevel.COMMUNITY else rng.choice(self.peopled),
                    proposed, status)  # fmt: skip

    def _meeting(self, day: dt.date, kind: str, n_items: int) -> None:
        ctx, rng = self.ctx, self.rng
        online = kind in ("online", "open")
        form = (
            MeetingForm.ONLINE
            if online
            else rng.choices([f for f, _w in FORMS], [w for _f, w in FORMS])[0]
        )
        # an online vote on a compound is its owners'; on the community, its residents'
        place = (
            self.open_vote
            if kind == "open"
            else rng.choice(self.peopled)
            if online and rng.random() < 0.7
            else None
        )
        owners = online and place is not None
        start = (
            ctx.now - dt.timedelta(days=1)
            if kind == "open"
            else self._moment(day, 8 if online else rng.choice((9, 14, 19)))
        )
        noticed = start - dt.timedelta(days=rng.randint(notice_days(), 8))
        if kind == "upcoming":
            noticed = min(noticed, ctx.now - dt.timedelta(hours=rng.randint(2, 30)))
        planned = noticed - dt.timedelta(days=1)
        ends = (
            start + dt.timedelta(days=OPEN_VOTE_DAYS if kind == "open" else rng.randint(5, 10))
            if online
            else None
        )
        choices = [ctx.items["GS-01"]] if kind == "open" else self._catalog_items(form, owners)
        status = {"upcoming": MeetingState.NOTICED, "open": MeetingState.IN_SESSION}.get(
            kind, MeetingState.CLOSED
        )
        meeting = _Ref(district=ctx.district.pk, community=self.c.pk, compound=place.id if place else None,
                       number=self._number(planned), form=form, title="", starts_at=start, ends_at=ends,
                       place="" if online else f"{self.c.name}党群服务中心议事厅", room_ref="",
                       notice_days=notice_days(), notice_text="", noticed_at=noticed, status=status,
                       invited=0, present=0, quorum_met=False, opened_at=None, closed_at=None, chair="",
                       recorder="", speeches="[]", minutes="", minutes_at=None, created_by=ctx.worker[self.c.pk],
                       created_at=planned)  # fmt: skip
        self.meetings.append(meeting)
        where = place.name if place else self.c.name
        meeting.f["title"] = (f"{where}业主共同决定事项线上表决" if owners else f"{where}线上协商") if online else \
            f"{self.c.name}{MeetingForm(form).label}"  # fmt: skip
        meeting.f |= {"choices": choices, "where": place, "owners": owners, "items": []}
        for _ in range(n_items):
            self._agenda_item(meeting)
        if not online:
            self._invite(meeting, signed=kind != "upcoming")
        if kind in ("online", "open") or status == MeetingState.CLOSED:
            meeting.f["opened_at"] = start

    def _agenda_item(self, meeting: _Ref) -> _Ref:
        """The next topic on ``meeting``'s agenda (accepted before the meeting was prepared)."""
        ctx, rng = self.ctx, self.rng
        planned = meeting.f["created_at"]
        accepted = planned - dt.timedelta(days=rng.uniform(1, 20))
        proposed = accepted - dt.timedelta(days=rng.uniform(3, 25))
        ref = rng.choice(meeting.f["choices"])
        topic = self._topic(ref, meeting.f["where"], proposed, TopicState.SCHEDULED, accepted)
        items = meeting.f["items"]
        item = _Ref(meeting=meeting, topic=topic, district=ctx.district.pk, community=self.c.pk,
                    order=len(items) + 1, rule=ref.spec.rule, secret=meeting.f["owners"] and rng.random() < 0.1,
                    vote_state=VoteState.PENDING, opened_at=None, closes_at=meeting.f["ends_at"], closed_at=None,
                    eligible=0, eligible_area=Decimal(0), participants=0, participants_area=Decimal(0), yes=0,
                    yes_area=Decimal(0), no=0, no_area=Decimal(0), abstain=0, abstain_area=Decimal(0),
                    passed=None, verdict="", publicity_until=None, aim=rng.random() < 0.8, capacity=0, want=0,
                    decision=f"同意“{topic.f['title']}”的方案，按协商结果组织实施并向居民公示进展。")  # fmt: skip
        items.append(item)
        self.agenda.append(item)
        lines = "；".join(f"{i}. {a.f['topic'].f['title']}" for i, a in enumerate(items, 1))
        start = meeting.f["starts_at"].astimezone(BEIJING)
        meeting.f["notice_text"] = (
            f"{meeting.f['title']}定于{start:%Y年%m月%d日 %H:%M}举行，议题：{lines}。"
        )
        return item

    def _invite(self, meeting: _Ref, *, signed: bool) -> None:
        """9–21 invitees (residents of the community, the property company, a
        department, maybe a unit); most sign in, now and then one by proxy,
        all of them when the absent would cost the quorum."""
        ctx, rng = self.ctx, self.rng
        residents = rng.sample(self.adults, min(len(self.adults), rng.randint(7, 18)))
        roles = (
            Participant.RESIDENT_REPS,
            Participant.RESIDENT_REPS,
            Participant.PARTY_MEMBERS,
            Participant.STAKEHOLDERS,
        )
        rows = [
            _Ref(role=rng.choice(roles), name=name, body="", resident=pk)
            for pk, name, _h in residents
        ]
        rows.append(_Ref(role=Participant.PROPERTY, name=rng.choice(("王经理", "李经理", "张经理")),
                         body=f"{self.c.name}物业服务中心", resident=None))  # fmt: skip
        _pk, department = rng.choice(list(ctx.departments.values()))
        rows.append(
            _Ref(role=Participant.DEPARTMENTS, name="联络员", body=department, resident=None)
        )
        if ctx.units and rng.random() < 0.5:
            rows.append(
                _Ref(
                    role=Participant.UNITS,
                    name="联络员",
                    body=rng.choice(ctx.units)[1],
                    resident=None,
                )
            )
        start = meeting.f["starts_at"]
        for k, row in enumerate(rows):
            row.f |= {"meeting": meeting, "district": ctx.district.pk, "community": self.c.pk, "user": None,
                      "signed_in_at": start + dt.timedelta(minutes=1 + k) if signed and rng.random() < 0.88 else None,
                      "proxy_name": "", "proxy_relation": "", "proxy_authorisation": ""}  # fmt: skip
        present = sum(1 for r in rows if r.f["signed_in_at"])
        if signed and present * 2 <= len(rows):
            for k, row in enumerate(rows):
                row.f["signed_in_at"] = row.f["signed_in_at"] or start + dt.timedelta(minutes=1 + k)
            present = len(rows)
        for row in rows:
            if row.f["resident"] and row.f["signed_in_at"] and rng.random() < 0.04:
                row.f |= {"proxy_name": rng.choice(self.adults)[1], "proxy_relation": "家属",
                          "proxy_authorisation": f"授权委托书（{row.f['name']}签字）"}  # fmt: skip
        meeting.f |= {"invited": len(rows), "present": present if signed else 0,
                      "quorum_met": signed and present * 2 > len(rows)}  # fmt: skip
        self.invitees.extend(rows)

    # -- votes --------------------------------------------------------------------------------

    def _fill_ballots(self) -> None:
        """Ballots of the closed votes: physical ones from the present
        invitees, online ones spread so that the community's quota is met."""
        physical = 0
        online: list[_Ref] = []
        for item in self.agenda:
            meeting = item.f["meeting"]
            if meeting.f["status"] != MeetingState.CLOSED:
                if meeting.f["status"] == MeetingState.IN_SESSION:
                    item.f |= {"vote_state": VoteState.OPEN, "opened_at": meeting.f["starts_at"]}
                continue
            if meeting.f["form"] == MeetingForm.ONLINE:
                self._size(item)
                online.append(item)
            else:
                physical += meeting.f["present"]
        left = max(0, self.quota.ballots - physical)
        # too few voters for the quota: more topics on the online votes, while topics are left
        closed = MeetingState.CLOSED
        votes = [
            m
            for m in self.meetings
            if m.f["status"] == closed and m.f["form"] == MeetingForm.ONLINE
        ]
        spare = self.quota.topics - len(self.topics) - max(2, self.quota.topics // 10)
        while votes and spare > 0 and sum(_cap(i) for i in online) < left:
            item = self._agenda_item(votes[spare % len(votes)])
            self._size(item)
            online.append(item)
            spare -= 1
        _spread_exactly(online, left)
        for item in self.agenda:
            meeting = item.f["meeting"]
            if meeting.f["status"] != MeetingState.CLOSED:
                continue
            if meeting.f["form"] == MeetingForm.ONLINE:
                self._online_ballots(item)
            else:
                self._meeting_ballots(item)
            self._close(item)
        for meeting in self.meetings:
            if meeting.f["status"] == MeetingState.CLOSED:
                self._minutes(meeting)

    def _size(self, item: _Ref) -> None:
        """How many may vote online (``capacity``) and would at a usual turnout (``want``)."""
        place, building = item.f["topic"].f["where"]
        if item.f["rule"] in OWNER_RULES:
            item.f["capacity"], share = len(place.households), self.rng.uniform(0.75, 0.95)
        else:
            item.f["capacity"], share = (
                len(self._pool(place, building)),
                self.rng.uniform(0.15, 0.45),
            )
        item.f["want"] = max(1, round(item.f["capacity"] * share))

    def _choices(self, n: int, aim: bool) -> list[str]:
        yes = self.rng.uniform(0.6, 0.95) if aim else self.rng.uniform(0.2, 0.5)
        return [
            "yes" if self.rng.random() < yes else self.rng.choice(("no", "no", "abstain"))
            for _ in range(n)
        ]

    def _meeting_ballots(self, item: _Ref) -> None:
        meeting = item.f["meeting"]
        present = [i for i in self.invitees if i.f["meeting"] is meeting and i.f["signed_in_at"]]
        opened = meeting.f["starts_at"] + dt.timedelta(minutes=30 + 15 * item.f["order"])
        item.f["opened_at"] = opened
        aim = item.f["aim"]
        choices = (
            ["yes"] * len(present)
            if item.f["rule"] == VoteRule.CONSENSUS and aim
            else self._choices(len(present), aim)
        )
        for k, (inv, choice) in enumerate(zip(present, choices, strict=True)):
            self.ballots.append((item, {"invitee": inv, "household": None, "resident": None,
                                        "cast_by": self.ctx.worker[self.c.pk], "recorded": True, "choice": choice,
                                        "area": Decimal(0), "at": opened + dt.timedelta(seconds=20 * k + 30)}))  # fmt: skip
        item.f["tally"] = (meeting.f["present"], Decimal(0), choices, [Decimal(0)] * len(choices))

    def _online_ballots(self, item: _Ref) -> None:
        rng, meeting = self.rng, item.f["meeting"]
        place, building = item.f["topic"].f["where"]
        start, end = meeting.f["starts_at"], meeting.f["ends_at"]
        item.f["opened_at"] = start
        n = item.f["want"]
        owners = item.f["rule"] in OWNER_RULES
        if owners:
            chosen = rng.sample(place.households, n)
            voters = [(None, h, area, place.heads.get(h)) for h, _b, area in chosen]
            eligible, total = (
                len(place.households),
                sum((a for _h, _b, a in place.households), Decimal(0)),
            )
        else:
            pool = self._pool(place, building)
            voters = [(pk, None, Decimal(0), pk) for pk, _name, _h in rng.sample(pool, n)]
            eligible, total = n, Decimal(0)
        choices = self._choices(n, item.f["aim"])
        span = (end - start).total_seconds()
        for (resident, household, area, _who), choice in zip(voters, choices, strict=True):
            self.ballots.append((item, {"invitee": None, "household": household, "resident": resident, "cast_by": None,
                                        "recorded": False, "choice": "" if item.f["secret"] else choice, "area": area,
                                        "at": start + dt.timedelta(seconds=rng.uniform(60, span))}))  # fmt: skip
        item.f["tally"] = (eligible, total, choices, [v[2] for v in voters])

    def _close(self, item: _Ref) -> None:
        """The vote's result from its own ballots, as ``vote_close`` stores it."""
        eligible, total, choices, areas = item.f.pop("tally")
        count = dict.fromkeys(("yes", "no", "abstain"), 0)
        area = {c: Decimal(0) for c in count}
        for choice, a in zip(choices, areas, strict=True):
            count[choice] += 1
            area[choice] += a
        t = Tally(
            eligible,
            count["yes"],
            count["no"],
            count["abstain"],
            total,
            area["yes"],
            area["no"],
            area["abstain"],
        )
        verdict = decide(item.f["rule"], t)
        meeting = item.f["meeting"]
        closed = (meeting.f["ends_at"] + dt.timedelta(minutes=10) if meeting.f["ends_at"]
                  else item.f["opened_at"] + dt.timedelta(minutes=12))  # fmt: skip
        item.f |= {"vote_state": VoteState.CLOSED, "closed_at": closed, "eligible": t.eligible,
                   "eligible_area": t.eligible_area, "participants": t.participants,
                   "participants_area": t.participants_area, "yes": t.yes, "yes_area": t.yes_area, "no": t.no,
                   "no_area": t.no_area, "abstain": t.abstain, "abstain_area": t.abstain_area,
                   "passed": verdict.passed, "verdict": verdict.reason[:200]}  # fmt: skip
        if item.f["secret"]:
            for choice in ("yes", "no", "abstain"):
                if count[choice]:
                    self.secret.append((item, choice, count[choice], area[choice]))
        topic = item.f["topic"]
        topic.f["status"] = TopicState.DECIDED if verdict.passed else TopicState.NOT_PASSED
        if verdict.passed:
            item.f["publicity_until"] = self.ctx.calendar.add(
                closed.astimezone(BEIJING).date(), publicity_days()
            ).date
            self._outcome(item, closed)

    def _minutes(self, meeting: _Ref) -> None:
        ctx = self.ctx
        items = [i for i in self.agenda if i.f["meeting"] is meeting]
        last = max(i.f["closed_at"] for i in items)
        chair, recorder = ctx.names[self.c.pk]
        lines = [f"{meeting.f['title']}于{meeting.f['starts_at'].astimezone(BEIJING):%Y年%m月%d日}召开"
                 + (f"，应到{meeting.f['invited']}人，实到{meeting.f['present']}人，超过半数。"
                    if meeting.f["form"] != MeetingForm.ONLINE else "（线上表决）。")]  # fmt: skip
        for n, item in enumerate(items, 1):
            lines.append(f"议题{n}：{item.f['topic'].f['title']}。{item.f['verdict']}")
        speakers = [i for i in self.invitees if i.f["meeting"] is meeting and i.f["signed_in_at"]][
            :2
        ]
        speeches = [{"name": chair, "role": "主持人", "summary": "介绍议题和表决规则。"}] + [
            {"name": i.f["name"], "role": i.f["body"] or Participant(i.f["role"]).label, "summary": said}
            for i, said in zip(speakers, self.rng.sample(SPEECHES, len(speakers)), strict=True)]  # fmt: skip
        meeting.f |= {"closed_at": last + dt.timedelta(minutes=10), "chair": chair, "recorder": recorder,
                      "speeches": json.dumps(speeches, ensure_ascii=False), "minutes": "\n".join(lines),
                      "minutes_at": min(last + dt.timedelta(hours=16), ctx.now - dt.timedelta(minutes=5))}  # fmt: skip

    # -- outcomes -----------------------------------------------------------------------------

    def _outcome(self, item: _Ref, decided: dt.datetime) -> None:
        ctx, rng, topic = self.ctx, self.rng, item.f["topic"]
        category = topic.f["category"]
        roll = rng.random()
        owner, name, department, unit = OwnerKind.COMMUNITY, self.c.name, None, None
        if roll < 0.3:
            owner, name = OwnerKind.PROPERTY, f"{self.c.name}物业服务中心"
        elif roll < 0.55:
            department, name = ctx.departments.get(DEPARTMENT_OF.get(category, DepartmentKind.OTHER),
                                                   next(iter(ctx.departments.values())))  # fmt: skip
            owner = OwnerKind.DEPARTMENT
        elif roll < 0.6 and ctx.units:
            owner, (unit, name) = OwnerKind.UNIT, rng.choice(ctx.units)
        outcome = _Ref(district=ctx.district.pk, community=self.c.pk, compound=topic.f["compound"], topic=topic,
                       agenda_item=item, category=category, title=topic.f["title"], owner_kind=owner, owner_name=name,
                       department=department, unit=unit, status=OutcomeState.NOT_STARTED, progress=Decimal(0),
                       reason="", due=None, started_at=None, completed_at=None, on_time=None, ratings=0,
                       satisfied=0, created_at=decided)  # fmt: skip
        self.outcomes.append(outcome)
        decided_on = decided.astimezone(BEIJING).date()
        shelved_at = (
            decided + dt.timedelta(days=rng.uniform(30, 90)) if rng.random() < 0.04 else None
        )
        if shelved_at and shelved_at > ctx.now:
            shelved_at = None
        tasks, offset = [], 0
        for order, (title, weight) in enumerate(rng.choice(TASK_SETS), 1):
            offset += rng.randint(7, 45)
            due = decided_on + dt.timedelta(days=offset)
            finish = decided + dt.timedelta(
                days=offset * rng.uniform(0.55, 1.08)
            )  # about one in six late
            stop = min(ctx.now, shelved_at) if shelved_at else ctx.now
            task = {"order": order, "title": title, "weight": weight, "due": due, "milestone": False,
                    "status": TaskState.TODO, "progress": 0, "done_at": None, "overdue_at": None}  # fmt: skip
            if finish <= stop:
                task |= {"status": TaskState.DONE, "progress": 100, "done_at": finish}
            elif stop > finish - dt.timedelta(days=offset):
                done = (stop - (finish - dt.timedelta(days=offset))) / dt.timedelta(days=offset)
                progress = min(95, int(100 * done) // 10 * 10)
                if progress:
                    task |= {"status": TaskState.DOING, "progress": progress}
            flagged = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 5), BEIJING)
            late = task["done_at"] is None or task["done_at"] > flagged
            if flagged < ctx.now and late:
                task["overdue_at"] = flagged
            tasks.append(task)
        tasks[-1]["milestone"] = True
        weight = sum(t["weight"] for t in tasks)
        progress = (Decimal(sum(t["weight"] * t["progress"] for t in tasks)) / weight).quantize(
            CENTS
        )
        due = max(t["due"] for t in tasks)
        outcome.f |= {"progress": progress, "due": due}
        if any(t["progress"] for t in tasks):
            outcome.f["started_at"] = decided + dt.timedelta(days=1)
            outcome.f["status"] = OutcomeState.IN_PROGRESS
        if all(t["status"] == TaskState.DONE for t in tasks):
            completed = max(t["done_at"] for t in tasks)
            outcome.f |= {"status": OutcomeState.DONE, "completed_at": completed,
                          "on_time": completed.astimezone(BEIJING).date() <= due}  # fmt: skip
        elif shelved_at:
            outcome.f |= {"status": OutcomeState.SHELVED, "reason": rng.choice(SHELVE_REASONS)}
        for task in tasks:
            self.tasks.append((outcome, task))


def _cap(item: _Ref) -> int:
    """Most ballots an online vote takes: 97 % of the households, 90 % of the adults."""
    share = 0.97 if item.f["rule"] in OWNER_RULES else 0.9
    return min(item.f["capacity"], max(1, math.floor(item.f["capacity"] * share)))


def _spread_exactly(items: list[_Ref], total: int) -> None:
    """Participants per online vote summing to ``total`` (as far as the
    votes hold them): each starts at its usual turnout; residents' votes
    take the difference first (their turnout varies most), owners' only
    when those cannot, so owners' votes keep their two-thirds quorum."""
    if not items:
        return
    cap = [_cap(i) for i in items]
    shares = [min(c, i.f["want"]) for c, i in zip(cap, items, strict=True)]
    owners = [k for k, i in enumerate(items) if i.f["rule"] in OWNER_RULES]
    residents = [k for k, i in enumerate(items) if i.f["rule"] not in OWNER_RULES]
    for group in (residents, owners):
        diff = total - sum(shares)
        wish = sum(shares[k] for k in group)
        if diff and wish:
            for k in group:
                shares[k] = min(cap[k], max(1, round(shares[k] * (wish + diff) / wish)))
    order = residents + owners
    diff = total - sum(shares)
    while diff:
        moved = False
        for k in order:
            if diff > 0 and shares[k] < cap[k]:
                shares[k], diff, moved = shares[k] + 1, diff - 1, True
            elif diff < 0 and shares[k] > 1:
                shares[k], diff, moved = shares[k] - 1, diff + 1, True
            if not diff:
                break
        if not moved:
            break
    for item, n in zip(items, shares, strict=True):
        item.f["want"] = n


# -- the run --------------------------------------------------------------------------------


@dataclass
class _Context:
    district: Region
    seed: str
    now: dt.datetime
    today: dt.date
    items: dict[str, ItemRef]
    calendar: WorkCalendar
    worker: dict[int, int]  # community -> the worker's user id
    names: dict[int, tuple[str, str]]  # community -> chair, recorder
    departments: dict[str, tuple[int, str]]  # kind -> (id, name)
    units: list[tuple[int, str]]
    counters: dict[int, dict[dt.date, int]]
    building_of: dict[int, int]  # household -> building
    new_counters: dict[tuple[int, dt.date], int] = field(default_factory=dict)

    def number(self, community: Region, at: dt.datetime) -> str:
        day = at.astimezone(BEIJING).date()
        days = self.counters.setdefault(community.pk, {})
        days[day] = days.get(day, 0) + 1
        self.new_counters[(community.pk, day)] = days[day]
        return f"{community.code}{day:%Y%m%d}{days[day]:05d}"

    def threshold(self, level: str, building: tuple[int, str] | None) -> int:
        """The service's ``cosign_threshold`` (a building's counts its households)."""
        at = (
            Region(pk=building[0])
            if building is not None and level == MatterLevel.BUILDING
            else None
        )
        return cosign_threshold(level=level, compound=None, building=at)


def generate_deliberation(
    *,
    district: Region,
    communities: list[Region],
    topics: int,
    meetings: int,
    ballots: int,
    seed: str,
    say: Callable[[str], None] = lambda _m: None,
) -> DeliberationResult:
    """The catalog, ``topics`` topics, ``meetings`` meetings and ``ballots``
    ballots spread evenly over ``communities``, with outcomes and tasks, and
    the open vote. Runs inside the caller's transaction after the appeals
    (their receipt counters are continued)."""
    result = DeliberationResult()
    now, today = timezone.now(), timezone.localdate()
    started = time.perf_counter()
    result.areas = _floor_areas(district)
    items = _catalog(district, communities, now)
    result.items = len(items)
    places = _places(district)
    result.write_seconds += time.perf_counter() - started
    compute = time.process_time()
    everywhere = [p for c in communities for p in places[c.pk]]
    largest = max(everywhere, key=lambda p: (len(p.households), -p.id))
    result.largest = (largest.name, len(largest.households))
    admin = district_admin(district)
    staff = dict(
        User.objects.filter(username__in=[bench_username(c.code, k) for c in communities for k in ("w", "s")])
        .values_list("username", "id")
    )  # fmt: skip
    full = dict(User.objects.filter(pk__in=staff.values()).values_list("id", "full_name"))
    counters: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for c_id, day, last in ReceiptCounter.objects.filter(community__district=district).values_list(
        "community_id", "day", "last"
    ):
        counters[c_id][day] = last
    building_of = {h: b for p in everywhere for h, b, _a in p.households}
    ctx = _Context(
        district=district, seed=seed, now=now, today=today, items=items,
        calendar=WorkCalendar.load(today - dt.timedelta(days=DAYS_BACK + 120), today + dt.timedelta(days=90)),
        worker={c.pk: staff.get(bench_username(c.code, "w"), admin.pk) for c in communities},
        names={c.pk: (full.get(staff.get(bench_username(c.code, "s"), 0), f"{c.name}书记"),
                      full.get(staff.get(bench_username(c.code, "w"), 0), f"{c.name}社工")) for c in communities},
        departments={k: (pk, name) for pk, k, name in Department.objects.filter(district=district)
                     .order_by("id").values_list("id", "kind", "name")},
        units=list(Unit.objects.filter(district=district).order_by("id").values_list("id", "name")),
        counters=counters, building_of=building_of,
    )  # fmt: skip
    if not ctx.departments:
        raise ValueError("the district has no departments: run the governance phase first")
    quotas = [
        Quota(t, m, b)
        for t, m, b in zip(
            split_evenly(topics, [1] * len(communities)),
            split_evenly(meetings, [1] * len(communities)),
            split_evenly(ballots, [1] * len(communities)),
            strict=True,
        )
    ]
    result.compute_seconds += time.process_time() - compute
    text = connection.vendor == "sqlite"
    for done, (community, quota) in enumerate(zip(communities, quotas, strict=True), 1):
        compute = time.process_time()
        plan = CommunityPlan(ctx, community, places[community.pk], quota,
                             largest if largest.community_id == community.pk else None)  # fmt: skip
        plan.build()
        result.compute_seconds += time.process_time() - compute
        started = time.perf_counter()
        _write(plan, text, result)
        result.write_seconds += time.perf_counter() - started
        if done % 10 == 0 or done == len(communities):
            say(
                f"议事协商 社区 {done}/{len(communities)}：议题 {result.topics:,}，选票 {result.ballots:,}"
            )
    started = time.perf_counter()
    counters_update(ctx.new_counters, text)
    result.voters = _voters(largest, communities)
    open_item = AgendaItem.objects.filter(district=district, vote_state=VoteState.OPEN).first()
    result.open_vote = open_item.pk if open_item else 0
    result.write_seconds += time.perf_counter() - started
    return result


def _write(plan: CommunityPlan, text: bool, result: DeliberationResult) -> None:
    """Take the community's ids, then write its rows table by table."""
    for model, refs in ((Topic, plan.topics), (Meeting, plan.meetings), (Invitee, plan.invitees),
                        (AgendaItem, plan.agenda), (Outcome, plan.outcomes)):  # fmt: skip
        for ref, pk in zip(refs, bulk.allocate_ids(model, len(refs)), strict=True):
            ref.id = pk

    def value(v: Any) -> Any:
        if isinstance(v, _Ref):
            return v.id
        if text and isinstance(v, dt.datetime):
            return connection.ops.adapt_datetimefield_value(v)
        if text and isinstance(v, dt.date):
            return v.isoformat()
        return v

    def rows(refs: Sequence[_Ref], fields: Sequence[str]) -> list[tuple]:
        return [tuple(value(r.id if f == "id" else r.f[f]) for f in fields) for r in refs]

    bulk.write(Topic, TOPIC_FIELDS, rows(plan.topics, TOPIC_FIELDS))
    bulk.write(TopicCosign, COSIGN_FIELDS, [tuple(value(v) for v in row) for row in plan.cosigns])
    bulk.write(Meeting, MEETING_FIELDS, rows(plan.meetings, MEETING_FIELDS))
    bulk.write(Invitee, INVITEE_FIELDS, rows(plan.invitees, INVITEE_FIELDS))
    bulk.write(AgendaItem, AGENDA_FIELDS, rows(plan.agenda, AGENDA_FIELDS))
    d, c = plan.ctx.district.pk, plan.c.pk
    bulk.write(Ballot, BALLOT_FIELDS, [
        (item.id, d, c, *(value(b[f]) for f in BALLOT_FIELDS[3:])) for item, b in plan.ballots])  # fmt: skip
    bulk.write(SecretTally, SECRET_FIELDS, [(i.id, d, ch, n, a) for i, ch, n, a in plan.secret])
    bulk.write(Outcome, OUTCOME_FIELDS, rows(plan.outcomes, OUTCOME_FIELDS))
    bulk.write(OutcomeTask, TASK_FIELDS, [
        (o.id, d, c, *(value(t[f]) for f in TASK_FIELDS[3:12]), None, None) for o, t in plan.tasks])  # fmt: skip
    result.topics += len(plan.topics)
    result.cosigns += len(plan.cosigns)
    result.meetings += len(plan.meetings)
    result.invitees += len(plan.invitees)
    result.agenda += len(plan.agenda)
    result.ballots += len(plan.ballots)
    result.outcomes += len(plan.outcomes)
    result.tasks += len(plan.tasks)
    for topic in plan.topics:
        result.states[topic.f["status"]] = result.states.get(topic.f["status"], 0) + 1


def _voters(place: Place, communities: list[Region]) -> int:
    """An account for one adult of each household of the open vote's compound
    (``bench-<community>-r<n>``, unusable password: benchmarks log in with
    ``force_login``), so each household can cast its ballot through the service."""
    community = next(c for c in communities if c.pk == place.community_id)
    residents = [place.heads[h] for h, _b, _a in place.households if h in place.heads]
    names = dict(Resident.objects.filter(pk__in=residents).values_list("id", "name"))
    wanted = {bench_username(community.code, "r", n): pk for n, pk in enumerate(residents, 1)}
    have = set(User.objects.filter(username__in=list(wanted)).values_list("username", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(username=u, full_name=names[pk], password=unusable) for u, pk in wanted.items() if u not in have],
        batch_size=1000,
    )  # fmt: skip
    users = dict(User.objects.filter(username__in=list(wanted)).values_list("username", "id"))
    Grant.objects.bulk_create(
        [Grant(user_id=users[u], role=Role.RESIDENT, region=community) for u in wanted],
        batch_size=1000,
    )
    table = connection.ops.quote_name(Resident._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET user_id = %s WHERE id = %s",  # noqa: S608 - model meta
            [(users[u], pk) for u, pk in wanted.items()],
        )
    return len(wanted)
