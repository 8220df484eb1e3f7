"""The benchmark data set (`shequ generate --scale district`): 60 communities,
6,000 buildings and 500,000 residents in a district of its own (210399 基准区),
so it lives next to the demo district.

Where the time goes: per resident one SM4-GCM encryption and one HMAC-SM3
index for the ID number and again for the phone, plus the ID checksum. That
work runs per community in worker processes (fork, so Django's settings and
keys come along) while the main process writes the previous community's rows:
COPY on PostgreSQL, ``executemany`` on SQLite with ``synchronous=OFF``.
Row ids are allocated up front (from the sequence on PostgreSQL, after the
current maximum on SQLite, which holds the write lock for the whole load), so
workers emit final rows and households, residents and tags stream straight
into their tables. Everything happens in one transaction: an interrupted run
leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from shequ.core.history import record
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.demo import bulk
from shequ.demo import cases as desk
from shequ.demo import deliberation_scale as deliberation
from shequ.demo import governance_scale as governance
from shequ.demo import party_scale as party
from shequ.demo.people import PeopleMaker, household_sizes, room_name, split_evenly
from shequ.demo.tree import RegionSpec, ensure_regions
from shequ.desk.models import Case, Rectification, Review, Visit
from shequ.residents.models import Household, Resident, ResidentTag
from shequ.residents.rollups import region_stats_rebuild
from shequ.residents.services import id_columns, phone_columns

BENCH_CODE = "210399"
BENCH_NAME = "基准区"
ROOMS_PER_FLOOR = 2
SEED = 20260102


@dataclass(frozen=True)
class Scale:
    streets: int
    communities: int
    compounds_per_community: int
    buildings: int
    units_per_building: int
    residents: int
    cases: int = 0  # 办件 over the two years before today (shequ.demo.cases)
    appeals: int = 0  # 诉求 over the same two years (shequ.demo.governance_scale)
    whistles: int = 0  # 吹哨, each linked to one appeal
    topics: int = 0  # 议题 over the same two years (shequ.demo.deliberation_scale)
    meetings: int = 0  # 协商会议 with their agendas
    ballots: int = 0  # 选票 of the meetings' votes
    party_members: int = 0  # 党员 (shequ.demo.party_scale), with the organisations of the tree
    stations: int = 0  # 红旗驿站 with a year of openings, activities and months
    visits: int = 0  # 入户走访 over the two years before today


SCALES = {
    "small": Scale(
        streets=1,
        communities=3,
        compounds_per_community=2,
        buildings=30,
        units_per_building=2,
        residents=2_000,
        cases=300,
        appeals=300,
        whistles=45,
        topics=60,
        meetings=18,
        ballots=3_000,
        party_members=120,
        stations=6,
        visits=1_500,
    ),
    "district": Scale(
        streets=6,
        communities=60,
        compounds_per_community=5,
        buildings=6_000,
        units_per_building=2,
        residents=500_000,
        cases=1_000_000,
        appeals=200_000,
        whistles=30_000,
        topics=5_000,
        meetings=1_500,
        ballots=300_000,
        party_members=20_000,
        stations=300,
        visits=200_000,
    ),
}

_STREET_NAMES = ("长江", "黄河", "珠江", "松花江", "辽河", "淮河", "汉江", "嫩江", "湘江", "闽江")
_COMMUNITY_WORDS = (
    "和平",
    "光明",
    "幸福",
    "文化",
    "胜利",
    "民主",
    "团结",
    "友谊",
    "建设",
    "繁荣",
    "长青",
    "青年",
    "朝阳",
    "东风",
    "向阳",
    "红星",
    "曙光",
    "新华",
    "振兴",
    "富民",
    "安康",
    "康乐",
    "祥和",
    "永安",
    "阳光",
    "春晖",
    "丽景",
    "锦绣",
    "华府",
    "金桥",
    "银河",
    "湖畔",
    "滨河",
    "南湖",
    "北苑",
    "西园",
    "东城",
    "中心",
    "翠园",
    "怡景",
    "雅苑",
    "丰收",
    "育才",
    "工农",
    "劳动",
    "人民",
    "解放",
    "前进",
    "先锋",
    "复兴",
    "海棠",
    "玉兰",
    "紫荆",
    "梧桐",
    "松林",
    "柳岸",
    "枫林",
    "桃源",
    "杏坛",
    "鞍钢",
)
_COMPOUND_SUFFIXES = ("小区", "花园", "家园", "新村", "苑", "公寓", "名邸", "雅居")

_HOUSEHOLD_FIELDS = ("id", "district", "community", "building", "unit", "room", "created_at")
_RESIDENT_FIELDS = (
    "id",
    "district",
    "community",
    "household",
    "name",
    "id_number_enc",
    "id_number_index",
    "id_number_tail",
    "id_region_code",
    "phone_enc",
    "phone_index",
    "phone_head",
    "phone_tail",
    "gender",
    "birth_date",
    "relation",
    "created_at",
    "updated_at",
)
_TAG_FIELDS = ("resident", "tag", "community", "district")


# -- the plan -------------------------------------------------------------------------


@dataclass
class CommunityPlan:
    code: str
    residents: int
    sizes: list[int]
    unit_codes: list[str] = field(default_factory=list)


def plan(scale: Scale, code: str, name: str) -> tuple[list[RegionSpec], list[CommunityPlan]]:
    """The region tree and, per community, its residents and household sizes."""
    L = RegionLevel
    specs = [RegionSpec(code, name, L.DISTRICT, None)]
    quotas = split_evenly(scale.residents, [1] * scale.communities)
    per_street = split_evenly(scale.communities, [1] * scale.streets)
    compounds = scale.communities * scale.compounds_per_community
    per_compound = split_evenly(scale.buildings, [1] * compounds)
    communities: list[CommunityPlan] = []
    c_index = 0
    for s, count in enumerate(per_street, 1):
        street_code = f"{code}{s:03d}"
        street_name = _STREET_NAMES[(s - 1) % len(_STREET_NAMES)]
        if s > len(_STREET_NAMES):
            street_name += str((s - 1) // len(_STREET_NAMES) + 1)
        specs.append(RegionSpec(street_code, f"{street_name}街道", L.STREET, code))
        for c in range(1, count + 1):
            word = _COMMUNITY_WORDS[c_index % len(_COMMUNITY_WORDS)]
            if c_index >= len(_COMMUNITY_WORDS):
                word += str(c_index // len(_COMMUNITY_WORDS) + 1)
            sizes = household_sizes(quotas[c_index])
            community = CommunityPlan(f"{street_code}{c:03d}", quotas[c_index], sizes)
            specs.append(
                RegionSpec(
                    community.code,
                    f"{word}社区",
                    L.COMMUNITY,
                    street_code,
                    population_served=community.residents,
                    households_served=len(sizes),
                )
            )
            for k in range(1, scale.compounds_per_community + 1):
                compound_code = f"{community.code}{k:03d}"
                suffix = _COMPOUND_SUFFIXES[(k - 1) % len(_COMPOUND_SUFFIXES)]
                specs.append(
                    RegionSpec(compound_code, f"{word}{suffix}", L.COMPOUND, community.code)
                )
                buildings = per_compound[c_index * scale.compounds_per_community + k - 1]
                for b in range(1, buildings + 1):
                    building_code = f"{compound_code}{b:03d}"
                    specs.append(RegionSpec(building_code, f"{b}号楼", L.BUILDING, compound_code))
                    for u in range(1, scale.units_per_building + 1):
                        unit_code = f"{building_code}{u:02d}"
                        specs.append(RegionSpec(unit_code, f"{u}单元", L.UNIT, building_code))
                        community.unit_codes.append(unit_code)
            communities.append(community)
            c_index += 1
    return specs, communities


# -- building rows (in worker processes) ---------------------------------------------


@dataclass
class CommunityTask:
    seed: str
    district_id: int
    community_id: int
    units: list[tuple[int, int]]  # (unit id, building id)
    sizes: list[int]
    household_ids: Sequence[int]
    resident_ids: Sequence[int]
    created_at: Any  # a datetime, or its SQLite text form
    dates_as_text: bool


@dataclass
class CommunityRows:
    households: list[tuple]
    residents: list[tuple]
    tags: list[tuple]
    seconds: float  # CPU time of the worker, whatever else the machine runs


def build_rows(task: CommunityTask) -> CommunityRows:
    """Households, residents and tags of one community, as final table rows."""
    started = time.process_time()
    maker = PeopleMaker(task.seed)
    now, units, n_units = task.created_at, task.units, len(task.units)
    households, residents, tags = [], [], []
    resident_ids = iter(task.resident_ids)
    for i, (size, household_id) in enumerate(zip(task.sizes, task.household_ids, strict=True)):
        unit_id, building_id = units[i % n_units]
        households.append(
            (
                household_id,
                task.district_id,
                task.community_id,
                building_id,
                unit_id,
                room_name(i // n_units, ROOMS_PER_FLOOR),
                now,
            )
        )
        for m in maker.household(size):
            rid = next(resident_ids)
            idc, phc = id_columns(m.id_number), phone_columns(m.phone)
            birth = idc["birth_date"].isoformat() if task.dates_as_text else idc["birth_date"]
            residents.append(
                (
                    rid,
                    task.district_id,
                    task.community_id,
                    household_id,
                    m.name,
                    idc["id_number_enc"],
                    idc["id_number_index"],
                    idc["id_number_tail"],
                    idc["id_region_code"],
                    phc["phone_enc"],
                    phc["phone_index"],
                    phc["phone_head"],
                    phc["phone_tail"],
                    idc["gender"],
                    birth,
                    m.relation,
                    now,
                    now,
                )
            )
            tags.extend((rid, tag, task.community_id, task.district_id) for tag in sorted(m.tags))
    return CommunityRows(households, residents, tags, time.process_time() - started)


# -- the run -------------------------------------------------------------------------------


@dataclass
class GenerateResult:
    code: str
    skipped: bool = False
    replaced: bool = False
    regions: int = 0
    households: int = 0
    residents: int = 0
    tags: int = 0
    desk: desk.DeskResult | None = None
    governance: governance.GovernanceResult | None = None
    deliberation: deliberation.DeliberationResult | None = None
    party: party.PartyScaleResult | None = None
    phases: dict[str, float] = field(default_factory=dict)  # label -> seconds
    compute_seconds: float = 0.0  # CPU seconds, summed over workers
    write_seconds: float = 0.0
    workers: int = 0


def default_workers(residents: int) -> int:
    if residents < 50_000:
        return 0
    return max(0, min(2, os.cpu_count() or 1))


def generate(
    *,
    scale: Scale,
    code: str = BENCH_CODE,
    name: str = BENCH_NAME,
    replace: bool = False,
    workers: int | None = None,
    seed: int = SEED,
    fast_load: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Build the data set; skips (``skipped=True``) when the district exists
    and ``replace`` is false. ``fast_load`` (default: for large scales) drops
    and rebuilds the register tables' indexes around the load."""
    result = GenerateResult(code=code)
    result.workers = default_workers(scale.residents) if workers is None else workers
    if fast_load is None:
        fast_load = scale.residents >= 50_000
    say = progress or (lambda _msg: None)
    # Fork the workers before this process opens a database connection.
    pool = multiprocessing.get_context("fork").Pool(result.workers) if result.workers else None
    try:
        bulk = not connection.in_atomic_block
        if bulk and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -262144")
        try:
            with transaction.atomic():
                _run(scale, code, name, replace, seed, fast_load, pool, result, say)
                committing = time.perf_counter()
            if not result.skipped and not connection.in_atomic_block:
                result.phases["提交 commit"] = time.perf_counter() - committing
        finally:
            if bulk and connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        if pool is not None:
            pool.terminate()  # don't wait for communities nobody will write
        raise
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return result


@contextmanager
def _timed(result: GenerateResult, label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    result.phases[label] = time.perf_counter() - started


def _run(
    scale: Scale,
    code: str,
    name: str,
    replace: bool,
    seed: int,
    fast_load: bool,
    pool: Any,
    result: GenerateResult,
    say: Callable[[str], None],
) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
    existing = Region.objects.filter(code=code).first()
    if existing is not None and not replace:
        result.skipped = True
        return
    loaded: tuple = (Household, Resident, ResidentTag)
    if scale.cases:
        loaded += (Case, Visit, Review, Rectification)
    if scale.appeals:
        loaded += governance.loaded_models()
    if scale.topics:
        loaded += deliberation.loaded_models()
    if scale.party_members:
        loaded += party.loaded_models()
    restore = bulk.drop_indexes(loaded) if fast_load else []
    if existing is not None:
        with _timed(result, "删除旧数据 delete"):
            bulk.delete_district(existing)
        result.replaced = True

    with _timed(result, "区划 regions"):
        specs, communities = plan(scale, code, name)
        regions, result.regions = ensure_regions(specs)
    say(f"区划 {result.regions:,} 个 / regions created")

    with _timed(result, "住户与居民 households + residents"):
        tasks = _tasks(communities, regions, seed)
        applicants: dict[int, list[tuple]] = {}
        adult_before = timezone.localdate() - dt.timedelta(days=18 * 366)  # adults only
        if tasks and tasks[0].dates_as_text:
            adult_before = adult_before.isoformat()
        rows: Iterable[CommunityRows] = (
            pool.imap(build_rows, tasks) if pool is not None else map(build_rows, tasks)
        )
        for done, chunk in enumerate(rows, 1):
            started = time.perf_counter()
            bulk.write(Household, _HOUSEHOLD_FIELDS, chunk.households)
            bulk.write(Resident, _RESIDENT_FIELDS, chunk.residents)
            bulk.write(ResidentTag, _TAG_FIELDS, chunk.tags)
            result.write_seconds += time.perf_counter() - started
            result.compute_seconds += chunk.seconds
            result.households += len(chunk.households)
            result.residents += len(chunk.residents)
            result.tags += len(chunk.tags)
            if (scale.cases or scale.appeals) and chunk.residents:
                applicants[chunk.residents[0][2]] = desk.applicant_sample(
                    chunk.residents, adult_before=adult_before, limit=desk.APPLICANTS_PER_COMMUNITY
                )
            if done % 10 == 0 or done == len(tasks):
                say(f"社区 {done}/{len(tasks)}：居民 {result.residents:,}")

    if scale.cases:
        with _timed(result, "服务台与办件 desk + cases"):
            result.desk = desk.generate_desk(
                district=regions[code],
                communities=[regions[c.code] for c in communities],
                applicants=applicants,
                cases=scale.cases,
                seed=f"{seed}",
                pool=pool,
                say=say,
            )

    if scale.appeals:
        with _timed(result, "诉求与吹哨 appeals + whistles"):
            result.governance = governance.generate_governance(
                district=regions[code],
                communities=[regions[c.code] for c in communities],
                applicants=applicants,
                appeals=scale.appeals,
                whistles=scale.whistles,
                seed=f"{seed}",
                pool=pool,
                say=say,
            )

    if scale.topics:
        with _timed(result, "议事协商 deliberation"):
            result.deliberation = deliberation.generate_deliberation(
                district=regions[code],
                communities=[regions[c.code] for c in communities],
                topics=scale.topics,
                meetings=scale.meetings,
                ballots=scale.ballots,
                seed=f"{seed}",
                say=say,
            )

    if scale.party_members:
        with _timed(result, "党建引领 party"):
            result.party = party.generate_party(
                district=regions[code],
                communities=[regions[c.code] for c in communities],
                members=scale.party_members,
                stations=scale.stations,
                visits=scale.visits,
                seed=f"{seed}",
                say=say,
            )

    if fast_load:
        with _timed(result, "重建索引和外键 indexes + foreign keys"):
            bulk.restore_indexes(restore, loaded)

    with _timed(result, "统计 rollups"):
        region_stats_rebuild()

    record(
        actor=Actor.for_command("shequ generate"),
        action="bench.generate",
        obj=regions[code],
        changes={
            "regions": result.regions,
            "households": result.households,
            "residents": result.residents,
            "cases": result.desk.cases if result.desk else 0,
            "appeals": result.governance.appeals if result.governance else 0,
            "whistles": result.governance.whistles if result.governance else 0,
            "topics": result.deliberation.topics if result.deliberation else 0,
            "meetings": result.deliberation.meetings if result.deliberation else 0,
            "ballots": result.deliberation.ballots if result.deliberation else 0,
            "party_members": result.party.members if result.party else 0,
            "stations": result.party.stations if result.party else 0,
            "visits": result.party.visits if result.party else 0,
            "replaced": result.replaced,
        },
        message="生成基准测试数据（shequ generate）",
    )


def _tasks(
    communities: list[CommunityPlan], regions: dict[str, Region], seed: int
) -> list[CommunityTask]:
    household_ids = bulk.allocate_ids(Household, sum(len(c.sizes) for c in communities))
    resident_ids = bulk.allocate_ids(Resident, sum(c.residents for c in communities))
    text = connection.vendor == "sqlite"
    now = timezone.now()
    created_at = connection.ops.adapt_datetimefield_value(now) if text else now
    tasks = []
    h = r = 0
    for community in communities:
        units = [regions[c] for c in community.unit_codes]
        region = regions[community.code]
        tasks.append(
            CommunityTask(
                seed=f"{seed}:{community.code}",
                district_id=region.district_id,
                community_id=region.pk,
                units=[(u.pk, u.building_id) for u in units],
                sizes=community.sizes,
                household_ids=household_ids[h : h + len(community.sizes)],
                resident_ids=resident_ids[r : r + community.residents],
                created_at=created_at,
                dates_as_text=text,
            )
        )
        h += len(community.sizes)
        r += community.residents
    return tasks
