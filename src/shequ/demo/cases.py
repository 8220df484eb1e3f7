"""The service desk of the benchmark district: the demo catalog adopted by
every community, 1–3 windows each, qualified workers and a secretary per
community, and two years of cases (办件) with their visits, reviews,
rectifications, receipt counters and the ``CaseStat`` rollup.

Cases are written as final rows, like the residents: the applicant columns
are taken from adult residents of the same community (their existing SM4
ciphertexts, blind index and tails, so a case links its resident and no
encryption is needed), deadlines come from one ``WorkCalendar`` loaded for
the whole span, receipt numbers are ``<community code><yyyymmdd><5-digit
seq>`` with the day's counter written to ``ReceiptCounter`` so live intake
continues the sequence, and the rollup is summed while the rows are built.

The mix (per case): about 3.5 % still open now (accepted in the last five
weeks: some overdue, some near the deadline, some waiting for materials or
suspended, online ones not yet checked), 2 % withdrawn, a few online
applications turned down, the rest completed or delivered (4 % late);
windows take most cases, then online, phone and 代办; most cases cost one
visit, online and phone ones none, some two; about 60 % of finished cases
are rated, mostly 5 and 4, and every 1 or 2 opens a rectification.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from shequ.core.models import Grant, ReceiptCounter, Region, User
from shequ.core.permissions import Role
from shequ.core.workdays import WorkCalendar
from shequ.demo import bulk
from shequ.demo.catalog import GENERALIST_TRAINED_ON, load_demo_catalog
from shequ.desk.models import (
    Case,
    CaseStat,
    CaseState,
    Channel,
    CommunityItem,
    ItemKind,
    Outcome,
    Qualification,
    Rectification,
    RectificationState,
    Review,
    ServiceItem,
    Visit,
    VisitPurpose,
    Window,
)
from shequ.desk.stats.selectors import COUNTERS

BEIJING = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
DAYS_BACK = 730  # two years of cases before today
OPEN_SHARE = 0.035
WITHDRAWN_SHARE = 0.02
OPEN_WINDOW_DAYS = 25  # open cases were accepted within this many working days
LATE_SHARE = 0.04
REVIEW_SHARE = 0.6
RATING_WEIGHTS = ((5, 72), (4, 19), (3, 6), (2, 2), (1, 1))
WORKERS_PER_COMMUNITY = 3
APPLICANTS_PER_COMMUNITY = 3000  # adults whose ciphertexts cases reuse
RECTIFY_DAYS = 5

CASE_FIELDS = (
    "id",
    "district",
    "community",
    "receipt_no",
    "item",
    "version",
    "channel",
    "window",
    "status",
    "resident",
    "applicant_name",
    "id_number_enc",
    "id_number_index",
    "id_number_tail",
    "phone_enc",
    "phone_head",
    "phone_tail",
    "materials",
    "supplement_by",
    "materials_complete",
    "form_data",
    "note",
    "submitted_at",
    "accepted_at",
    "accepted_on",
    "accepted_by",
    "promised_days",
    "paused_days",
    "paused_since",
    "due_date",
    "warn70_on",
    "warn90_on",
    "due_uncertain",
    "overdue",
    "department",
    "department_due",
    "outcome",
    "outcome_reason",
    "completed_at",
    "completed_on",
    "completed_by",
    "delivered_at",
    "closed_reason",
    "visit_count",
    "created_by",
)
VISIT_FIELDS = ("district", "community", "case", "window", "worker", "at", "purpose", "reason")
REVIEW_FIELDS = ("id", "district", "community", "case", "rating", "comment", "at")
RECT_FIELDS = (
    "district",
    "community",
    "review",
    "case",
    "status",
    "opened_at",
    "due_date",
    "measures",
    "rectified_at",
    "rectified_by",
    "followup_result",
    "followup_satisfied",
    "followup_at",
    "followup_by",
    "overdue",
)
STAT_FIELDS = (
    "district",
    "street",
    "community",
    "month",
    "item",
    "window_id_key",
    "worker_id_key",
    *COUNTERS,
)
COUNTER_FIELDS = ("district", "community", "day", "last")

_COMMENTS = {
    5: ("", "", "", "办事效率高，态度好", "一次就办好了，谢谢社区", "窗口工作人员很耐心"),
    4: ("", "", "整体不错", "等候时间稍长"),
    3: ("一般", "材料要求说明不够清楚", "排队时间较长"),
    2: ("办理时间太长", "来回跑了两次", "工作人员解释不清楚"),
    1: ("超过承诺时间还没办好", "态度不好，推诿", "多次电话无人接听"),
}


def applicant_sample(resident_rows: Sequence[tuple], *, adult_before: Any, limit: int) -> list:
    """Adults with a phone, from the generator's resident rows (``scale``'s
    ``_RESIDENT_FIELDS`` order), as (id, name, id enc, id index, id tail,
    phone enc, phone head, phone tail)."""
    rows = [
        (r[0], r[4], r[5], r[6], r[7], r[9], r[11], r[12])
        for r in resident_rows
        if r[9] is not None and r[14] <= adult_before
    ]
    if len(rows) > limit:
        rows = random.Random(len(rows)).sample(rows, limit)  # noqa: S311 - test data
    return rows


@dataclass
class DeskResult:
    items: int = 0
    windows: int = 0
    workers: int = 0
    cases: int = 0
    open_cases: int = 0
    visits: int = 0
    reviews: int = 0
    rectifications: int = 0
    stats: int = 0
    write_seconds: float = 0.0
    compute_seconds: float = 0.0  # CPU seconds building rows, summed over processes
    states: dict[str, int] = field(default_factory=dict)


# -- staff ------------------------------------------------------------------------------------


def bench_username(code: str, kind: str, n: int = 1, prefix: str = "bench") -> str:
    return f"{prefix}-{code}-{kind}{n}"


def _staff(communities: list[Region], prefix: str = "bench") -> dict[int, dict[str, list[User]]]:
    """Per community ``WORKERS_PER_COMMUNITY`` qualified generalists and a
    secretary, with unusable passwords (benchmarks log in with tokens or
    ``force_login``); existing accounts of an earlier run are reused."""
    wanted: dict[str, tuple[Region, str, str]] = {}
    for c in communities:
        for n in range(1, WORKERS_PER_COMMUNITY + 1):
            wanted[bench_username(c.code, "w", n, prefix)] = (
                c,
                Role.COMMUNITY_WORKER,
                f"{c.name}社工{n}",
            )
        wanted[bench_username(c.code, "s", 1, prefix)] = (
            c,
            Role.COMMUNITY_SECRETARY,
            f"{c.name}书记",
        )
    have = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=name, full_name=full, password=unusable)
            for name, (_c, _role, full) in wanted.items()
            if name not in have
        ],
        batch_size=500,
    )
    users = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    Grant.objects.bulk_create(
        [Grant(user=users[name], role=role, region=c) for name, (c, role, _f) in wanted.items()],
        batch_size=500,
    )
    Qualification.objects.bulk_create(
        [
            Qualification(
                district_id=c.district_id,
                community=c,
                worker=users[name],
                all_categories=True,
                categories=[],
                granted_at=GENERALIST_TRAINED_ON,
                basis="2026年全科社工培训考核合格",
            )
            for name, (c, role, _f) in wanted.items()
            if role == Role.COMMUNITY_WORKER
        ],
        batch_size=500,
    )
    staff: dict[int, dict[str, list[User]]] = {
        c.pk: {"workers": [], "secretary": []} for c in communities
    }
    for name, (c, role, _f) in wanted.items():
        key = "workers" if role == Role.COMMUNITY_WORKER else "secretary"
        staff[c.pk][key].append(users[name])
    return staff


# -- the calendar -----------------------------------------------------------------------------


class Days:
    """Working days of the span, from one ``WorkCalendar``: adding ``n``
    working days to a working day is an index step."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.cal = WorkCalendar.load(start, end)
        self.days: list[dt.date] = []
        self.unsure: list[bool] = []
        day = start
        while day <= end:
            workday, unsure = self.cal.check(day)
            if workday:
                self.days.append(day)
                self.unsure.append(unsure)
            day += dt.timedelta(days=1)
        self.index = {d: i for i, d in enumerate(self.days)}

    def first_from(self, day: dt.date) -> int:
        return bisect.bisect_left(self.days, day)

    def add(self, day: dt.date, n: int) -> tuple[dt.date, bool]:
        """``WorkCalendar.add`` for any day (the ``n``-th working day after it)."""
        i = self.index.get(day)
        if i is None:  # not a working day: n = 0 gives the next one, n the n-th after
            i = self.first_from(day) - 1 + max(n, 1)
            if n == 0:
                i = self.first_from(day)
        else:
            i += n
        return self.days[i], any(self.unsure[self.first_from(day) : i + 1])


# -- rows -------------------------------------------------------------------------------------


class _Stamp:
    """Aware datetimes for PostgreSQL, Django's UTC text for SQLite."""

    def __init__(self, text: bool) -> None:
        self.text = text

    def at(self, day: dt.date, seconds: int) -> Any:
        local = dt.datetime(day.year, day.month, day.day, tzinfo=BEIJING) + dt.timedelta(
            seconds=seconds
        )
        value = local.astimezone(UTC)
        return str(value.replace(tzinfo=None)) if self.text else value

    def day(self, day: dt.date | None) -> Any:
        if day is None:
            return None
        return day.isoformat() if self.text else day


def _office_seconds(rng: random.Random) -> int:
    return rng.randint(8 * 3600 + 30 * 60, 16 * 3600 + 50 * 60)


@dataclass
class _Version:
    item_id: int
    version_id: int
    kind: str
    promised: int
    department: str
    online: bool
    proxy: bool
    materials_full: str
    materials_short: str | None  # one non-key material missing (容缺)


def _versions(district: Region) -> dict[int, _Version]:
    out = {}
    for item in ServiceItem.objects.filter(district=district).select_related("current_version"):
        v = item.current_version
        full = [m | {"provided": True} for m in v.materials]
        short = None
        optional = [k for k, m in enumerate(v.materials) if not m.get("key")]
        if optional:
            short_list = [dict(m) for m in full]
            short_list[optional[-1]]["provided"] = False
            short = json.dumps(short_list, ensure_ascii=False)
        out[item.pk] = _Version(
            item.pk,
            v.pk,
            v.kind,
            v.promised_days,
            v.department,
            v.online_allowed,
            v.proxy_allowed,
            json.dumps(full, ensure_ascii=False),
            short,
        )
    return out


@dataclass
class CommunityCases:
    """What a worker process needs to build one community's cases (no database)."""

    seed: str
    code: str
    district_id: int
    community_id: int
    street_id: int
    quota: int
    case_ids: Sequence[int]
    applicants: list[tuple]
    items: list[int]
    versions: dict[int, _Version]
    windows: list[int]
    workers: list[int]
    secretary: int
    days: Days
    first: int
    t: int
    today: dt.date
    text: bool


@dataclass
class CaseRows:
    cases: list[tuple]
    visits: list[tuple]
    reviews: list[list]
    rects: list[list]  # rect[2]: index into ``reviews`` until ids are allocated
    stats: dict[tuple, list[int]]
    counters: dict[tuple[int, dt.date], int]
    states: dict[str, int]
    seconds: float


def build_cases(task: CommunityCases) -> CaseRows:
    """One community's cases, visits, reviews, rectifications and rollup."""
    started = time.process_time()
    rng = random.Random(f"{task.seed}:cases:{task.code}")  # noqa: S311 - test data
    pool, items, versions, days = task.applicants, task.items, task.versions, task.days
    first, t, today, stamp = task.first, task.t, task.today, _Stamp(task.text)
    case_ids = iter(task.case_ids)
    # Popularity: a few items take most cases (津贴, 证明, 参保).
    weights = [1.0 / (k + 1) ** 0.9 for k in range(len(items))]
    rng.shuffle(weights)
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    c_windows, workers, secretary = task.windows, task.workers, task.secretary
    window_worker = {w: workers[k % len(workers)] for k, w in enumerate(c_windows)}
    case_rows, visit_rows, reviews, rects = [], [], [], []
    d_id, c_id, street_id = task.district_id, task.community_id, task.street_id
    stats: dict[tuple, list[int]] = {}
    counters: dict[tuple[int, dt.date], int] = defaultdict(int)
    states: dict[str, int] = {}
    # The day of acceptance first, so that ids and receipt numbers grow with time
    # (and the receipt index is appended to, not inserted into at random).
    drawn = []
    for _ in range(task.quota):
        r = rng.random()
        if r < OPEN_SHARE:
            drawn.append((rng.randint(t - OPEN_WINDOW_DAYS, t - 1), "open"))
        elif r < OPEN_SHARE + WITHDRAWN_SHARE:
            drawn.append((rng.randint(first, t - 1), "withdrawn"))
        else:
            drawn.append((rng.randint(first, t - 1), "done"))
    drawn.sort(key=lambda d: d[0])
    for i, state in drawn:
        case_id = next(case_ids)
        v = versions[items[bisect.bisect_left(cum, rng.random() * total)]]
        accepted_on = days.days[i]
        c = rng.random()
        if v.online and c < 0.22:
            channel = Channel.ONLINE
        elif c < 0.27:
            channel = Channel.PHONE
        elif v.proxy and c < 0.33:
            channel = Channel.PROXY
        else:
            channel = Channel.WINDOW
        window = rng.choice(c_windows) if channel == Channel.WINDOW else None
        worker = window_worker[window] if window else rng.choice(workers)
        a = pool[rng.randrange(len(pool))]
        sec = _office_seconds(rng)
        accepted_at = stamp.at(accepted_on, sec)
        submitted_at = accepted_at
        if channel == Channel.ONLINE:
            submitted_at = stamp.at(accepted_on, sec - rng.randint(3600, 20 * 3600))
        n = v.promised
        due, unsure = days.days[i + n], any(days.unsure[i : i + n + 1])
        w70 = days.days[i + math.ceil(0.7 * n)]
        w90 = days.days[i + math.ceil(0.9 * n)]
        status = CaseState.IN_PROGRESS
        materials, complete, supplement_by = v.materials_full, True, None
        paused_since = None
        outcome = outcome_reason = closed_reason = department = ""
        completed_at = completed_on = completed_by = delivered_at = department_due = None
        overdue = False
        accepted = True
        done_i = None
        if v.kind == ItemKind.FORWARDED:
            department = v.department
            department_due = days.days[i + max(n - 2, 1)]
        if state == "done":
            if n == 0:
                k = 0
            elif rng.random() < LATE_SHARE:
                k = n + rng.randint(1, 6)
            else:
                k = rng.randint(max(1, n // 4), n)
            if i + k < t:
                done_i = i + k
            else:
                state = "open"
        if state == "done" and channel == Channel.ONLINE and rng.random() < 0.02:
            state, accepted = "declined", False
        if state == "done" and done_i is not None:
            completed_on = days.days[done_i]
            c_sec = sec + rng.randint(300, 3600) if done_i == i else _office_seconds(rng)
            completed_at = stamp.at(completed_on, c_sec)
            completed_by = worker
            overdue = completed_on > due
            if rng.random() < 0.05:
                outcome, outcome_reason = Outcome.REFUSED, "经审核不符合申请条件"
            else:
                outcome = Outcome.APPROVED
            status = CaseState.COMPLETED
            if rng.random() < 0.9 and done_i + 3 < t:
                status = CaseState.DELIVERED
                d_i = done_i + rng.choice((0, 0, 1, 2, 3))
                delivered_at = stamp.at(days.days[d_i], c_sec + 600 if d_i == done_i else sec)
        elif state == "withdrawn":
            status, closed_reason = CaseState.WITHDRAWN, "申请人撤回申请"
        elif state == "declined":
            status, closed_reason = CaseState.NOT_ACCEPTED, "申请信息不完整，请补充后重新提交"
        else:  # open now
            o = rng.random()
            if channel == Channel.ONLINE and o < 0.15 and i >= t - 3:
                status, accepted = CaseState.SUBMITTED, False
            elif o < 0.30:
                status = CaseState.ACCEPTED
            elif o < 0.42 and v.materials_short is not None:
                status = CaseState.SUPPLEMENT
                materials, complete = v.materials_short, False
                paused_since = days.days[min(i + 1, t - 1)]
                supplement_by = days.days[i + 5]
            elif o < 0.47:
                status = CaseState.SUSPENDED
                paused_since = days.days[min(i + 2, t - 1)]
        visits = 0
        if channel == Channel.WINDOW:
            visits = 1
            visit_rows.append(
                (d_id, c_id, case_id, window, worker, accepted_at, VisitPurpose.INTAKE, "")
            )
        second = rng.random() < (0.07 if channel == Channel.WINDOW else 0.04)
        if second and completed_at is not None and done_i is not None:
            visits += 1
            visit_rows.append(
                (
                    d_id,
                    c_id,
                    case_id,
                    window or rng.choice(c_windows),
                    worker,
                    delivered_at or completed_at,
                    VisitPurpose.PICKUP,
                    "领取办理结果原件",
                )
            )
        if not accepted:
            accepted_at_v = accepted_on_v = by = due_v = w70_v = w90_v = None
            prom = 0
            unsure = False
        else:
            accepted_at_v, accepted_on_v, by = accepted_at, accepted_on, worker
            due_v, w70_v, w90_v, prom = due, w70, w90, n
        counters[(c_id, accepted_on)] += 1
        receipt = f"{task.code}{accepted_on:%Y%m%d}{counters[(c_id, accepted_on)]:05d}"
        case_rows.append(
            (
                case_id,
                d_id,
                c_id,
                receipt,
                v.item_id,
                v.version_id,
                channel,
                window,
                status,
                a[0],
                a[1],
                a[2],
                a[3],
                a[4],
                a[5],
                a[6],
                a[7],
                materials,
                stamp.day(supplement_by),
                complete,
                "{}",
                "",
                submitted_at,
                accepted_at_v,
                stamp.day(accepted_on_v),
                by,
                prom,
                0,
                stamp.day(paused_since),
                stamp.day(due_v),
                stamp.day(w70_v),
                stamp.day(w90_v),
                unsure,
                overdue,
                department,
                stamp.day(department_due),
                outcome,
                outcome_reason,
                completed_at,
                stamp.day(completed_on),
                completed_by,
                delivered_at,
                closed_reason,
                visits,
                worker,
            )
        )
        states[status] = states.get(status, 0) + 1
        rating = 0
        if completed_on is not None and rng.random() < REVIEW_SHARE:
            x = rng.random() * 100
            for rating, weight in RATING_WEIGHTS:  # noqa: B007
                x -= weight
                if x < 0:
                    break
            r_day = days.days[min(done_i + rng.randint(0, 2), t - 1)]
            r_at = stamp.at(r_day, 19 * 3600 + rng.randint(0, 3 * 3600))
            reviews.append([None, d_id, c_id, case_id, rating, rng.choice(_COMMENTS[rating]), r_at])
            if rating <= 2:
                r_due, _ = days.add(r_day, RECTIFY_DAYS)
                if r_due < today - dt.timedelta(days=3):
                    satisfied = rng.random() < 0.8
                    fix_day, _ = days.add(r_day, rng.randint(1, RECTIFY_DAYS))
                    rects.append(
                        [
                            d_id,
                            c_id,
                            len(reviews) - 1,
                            case_id,
                            RectificationState.CLOSED,
                            r_at,
                            stamp.day(r_due),
                            "已约谈经办人员，完善一次性告知和限时办结提醒",
                            stamp.at(fix_day, _office_seconds(rng)),
                            secretary,
                            "电话回访，申请人表示" + ("满意" if satisfied else "仍不满意"),
                            satisfied,
                            stamp.at(fix_day, 16 * 3600 + 1800),
                            secretary,
                            False,
                        ]
                    )
                else:
                    rects.append(
                        [
                            d_id,
                            c_id,
                            len(reviews) - 1,
                            case_id,
                            RectificationState.OPEN,
                            r_at,
                            stamp.day(r_due),
                            "",
                            None,
                            None,
                            "",
                            None,
                            None,
                            None,
                            False,
                        ]
                    )
        if accepted:
            key = (
                c_id,
                accepted_on.replace(day=1),
                v.item_id,
                window or 0,
                worker,
            )
            s = stats.get(key)
            if s is None:
                s = stats[key] = [d_id, street_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            s[2] += 1
            if completed_on is not None:
                s[3] += 1
                s[5 if overdue else 4] += 1
                s[6] += visits <= 1
            if rating:
                s[7] += 1
                s[8 + 5 - rating] += 1

    return CaseRows(
        case_rows,
        visit_rows,
        reviews,
        rects,
        stats,
        dict(counters),
        states,
        time.process_time() - started,
    )


def generate_desk(
    *,
    district: Region,
    communities: list[Region],
    applicants: dict[int, list[tuple]],
    cases: int,
    seed: str,
    today: dt.date | None = None,
    pool: Any = None,
    say: Callable[[str], None] = lambda _m: None,
    staff_prefix: str = "bench",
    own_staff: dict[int, dict[str, list[User]]] | None = None,
) -> DeskResult:
    """Write the desk of ``communities`` (all of ``district``'s) and ``cases``
    cases spread evenly over them. Runs inside the caller's transaction; the
    rows are built in ``pool`` (a multiprocessing pool forked before any
    database connection) when given, while this process writes.

    Staff accounts are ``<staff_prefix>-<community code>-w1…`` (created when
    missing); ``own_staff`` puts given accounts first (the demo's own worker
    and secretary take the cases of their community)."""
    result = DeskResult()
    today = today or timezone.localdate()
    now = timezone.now()
    result.items = load_demo_catalog(district, now=now)
    staff = _staff(communities, staff_prefix)
    for c_id, people in (own_staff or {}).items():
        staff[c_id]["workers"] = [*people.get("workers", []), *staff[c_id]["workers"]]
        staff[c_id]["secretary"] = [*people.get("secretary", []), *staff[c_id]["secretary"]]
    result.workers = sum(len(s["workers"]) for s in staff.values())
    versions = _versions(district)
    adopted: dict[int, list[int]] = defaultdict(list)
    for c_id, i_id in (
        CommunityItem.objects.filter(district=district, active=True)
        .order_by("community_id", "item__code")
        .values_list("community_id", "item_id")
    ):
        adopted[c_id].append(i_id)
    windows: dict[int, list[int]] = defaultdict(list)
    for c_id, w_id in (
        Window.objects.filter(district=district)
        .order_by("community_id", "name")
        .values_list("community_id", "id")
    ):
        windows[c_id].append(w_id)
    result.windows = sum(len(w) for w in windows.values())
    if cases <= 0:
        return result

    start = today - dt.timedelta(days=DAYS_BACK)
    days = Days(start - dt.timedelta(days=14), today + dt.timedelta(days=120))
    first = days.first_from(start)
    t = days.first_from(today)  # index of the first working day >= today
    stamp = _Stamp(connection.vendor == "sqlite")
    case_ids = bulk.allocate_ids(Case, cases)
    quotas = [cases // len(communities)] * len(communities)
    for k in range(cases - sum(quotas)):
        quotas[k] += 1

    tasks = []
    offset = 0
    for community, quota in zip(communities, quotas, strict=True):
        if not applicants.get(community.pk):
            raise ValueError(f"community {community.code} has no adult resident with a phone")
        items = adopted[community.pk]
        tasks.append(
            CommunityCases(
                seed=seed,
                code=community.code,
                district_id=community.district_id,
                community_id=community.pk,
                street_id=community.street_id,
                quota=quota,
                case_ids=case_ids[offset : offset + quota],
                applicants=applicants[community.pk],
                items=items,
                versions={i: versions[i] for i in items},
                windows=windows[community.pk],
                workers=[u.pk for u in staff[community.pk]["workers"]],
                secretary=staff[community.pk]["secretary"][0].pk,
                days=days,
                first=first,
                t=t,
                today=today,
                text=stamp.text,
            )
        )
        offset += quota
    stats: dict[tuple, list[int]] = {}
    counters: dict[tuple[int, dt.date], int] = {}
    built = pool.imap(build_cases, tasks) if pool is not None else map(build_cases, tasks)
    for n_done, chunk in enumerate(built, 1):
        reviews, rects = chunk.reviews, chunk.rects
        if reviews:
            ids = bulk.allocate_ids(Review, len(reviews))
            for row, rid in zip(reviews, ids, strict=True):
                row[0] = rid
            for rect in rects:
                rect[2] = reviews[rect[2]][0]
        started = time.perf_counter()
        bulk.write(Case, CASE_FIELDS, chunk.cases)
        bulk.write(Visit, VISIT_FIELDS, chunk.visits)
        bulk.write(Review, REVIEW_FIELDS, [tuple(r) for r in reviews])
        bulk.write(Rectification, RECT_FIELDS, [tuple(r) for r in rects])
        result.write_seconds += time.perf_counter() - started
        result.compute_seconds += chunk.seconds
        stats.update(chunk.stats)
        counters.update(chunk.counters)
        for state, n in chunk.states.items():
            result.states[state] = result.states.get(state, 0) + n
        result.cases += len(chunk.cases)
        result.visits += len(chunk.visits)
        result.reviews += len(reviews)
        result.rectifications += len(rects)
        if n_done % 10 == 0 or n_done == len(communities):
            say(f"办件 社区 {n_done}/{len(communities)}：{result.cases:,}")

    stat_rows = [
        (s[0], s[1], key[0], stamp.day(key[1]), key[2], key[3], key[4], *s[2:])
        for key, s in stats.items()
    ]
    bulk.write(CaseStat, STAT_FIELDS, stat_rows)
    result.stats = len(stat_rows)
    bulk.write(
        ReceiptCounter,
        COUNTER_FIELDS,
        [(district.pk, c, stamp.day(d), last) for (c, d), last in counters.items()],
    )
    result.open_cases = sum(
        result.states.get(s, 0)
        for s in (
            CaseState.SUBMITTED,
            CaseState.ACCEPTED,
            CaseState.IN_PROGRESS,
            CaseState.SUPPLEMENT,
            CaseState.SUSPENDED,
        )
    )
    return result


# -- the history of generated cases (demo scale) ---------------------------------------------


def timeline_backfill(district: Region) -> int:
    """Timeline events for the generated cases of ``district`` that have none:
    application, acceptance, the pause a paused case is in, completion,
    delivery or withdrawal, and the review — what the final row implies.
    Reads the cases back through the ORM, so it is for the demo's thousands,
    not the benchmark's million. Returns the events written."""
    from django.contrib.contenttypes.models import ContentType

    from shequ.core.models import TimelineEvent
    from shequ.desk.cases.services import CASE_FLOW

    ct = ContentType.objects.get_for_model(Case)
    have = set(
        TimelineEvent.objects.filter(content_type=ct).values_list("object_id", flat=True).distinct()
    )
    label = {t.action: t.label for t in CASE_FLOW.transitions}
    events: list[TimelineEvent] = []

    def add(
        case: Case, at: Any, action: str, text: str, before: str, after: str, **kw: Any
    ) -> None:
        events.append(
            TimelineEvent(
                district_id=case.district_id,
                content_type=ct,
                object_id=case.pk,
                at=at,
                actor_id=kw.get("actor"),
                actor_role=kw.get("role", ""),
                action=action,
                action_label=text,
                from_state=before,
                to_state=after,
                note=kw.get("note", ""),
            )
        )

    cases = (
        Case.objects.filter(district=district)
        .exclude(pk__in=have)
        .select_related("review")
        .order_by("id")
    )

    def step(case: Case, state: str, action: str, at: Any, text: str = "", **kw: Any) -> str:
        """One transition: from the state the case is in to the target the
        workflow gives ``action`` (CASE_FLOW), as a live case would go."""
        after = str(CASE_FLOW.get(action).target)
        add(case, at, action, text or label[action], state, after, **kw)
        return after

    worker = Role.COMMUNITY_WORKER
    for case in cases.iterator(chunk_size=2000):
        state = ""
        if case.channel == Channel.ONLINE:
            state = CaseState.SUBMITTED
            add(case, case.submitted_at, "apply", "网上申请", "", state)
        if case.accepted_at is not None:
            text = "容缺受理" if not case.materials_complete and case.supplement_by else "受理"
            state = step(
                case,
                state,
                "accept",
                case.accepted_at,
                text,
                actor=case.accepted_by_id,
                role=worker,
            )
        if case.status in (CaseState.SUPPLEMENT, CaseState.SUSPENDED) and case.paused_since:
            action = "request_supplement" if case.status == CaseState.SUPPLEMENT else "suspend"
            at = dt.datetime.combine(case.paused_since, dt.time(10, 0), tzinfo=BEIJING)
            state = step(case, state, action, at, actor=case.accepted_by_id, role=worker)
        if case.completed_at is not None:
            by = {"actor": case.completed_by_id, "role": worker}
            state = step(case, state, "complete", case.completed_at, note=case.outcome_reason, **by)
            if case.delivered_at is not None:
                state = step(case, state, "deliver", case.delivered_at, **by)
        if case.status in (CaseState.WITHDRAWN, CaseState.NOT_ACCEPTED):
            action = "withdraw" if case.status == CaseState.WITHDRAWN else "decline"
            at = case.accepted_at or case.submitted_at
            state = step(case, state, action, at + dt.timedelta(hours=2), note=case.closed_reason)
        review = getattr(case, "review", None)
        if review is not None:
            text = f"评价：{review.get_rating_display()}"
            add(case, review.at, "review", text, case.status, case.status, note=review.comment)
    TimelineEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)
