"""Governance data of the benchmark district (issue 4): two years of 居民诉求
(appeals) with their "me too" supporters, ten 职能部门, stationed units with
one pairing agreement per community, and 吹哨 whistles linked to appeals.

Rows are built per community like the cases (``shequ.demo.cases``): in the
scale generator's worker processes when it has them, written with COPY /
``executemany`` by the main process, ids allocated up front. Descriptions are
Chinese sentences built from per-category templates with varied places,
times and details; ``keywords`` is what the app stores
(``core.words.keywords_of``, jieba), computed in the workers. Appeal and
whistle numbers come from the same per-community day counter as the cases'
receipt numbers (``core.numbering.receipt_next``): they continue after the
cases' last number of the day and ``ReceiptCounter`` is rewritten so live
intake continues after them.

The mix (per community): appeals spread evenly over the two years; those of
the last ~10 days still open (待分办 / 办理中 / 已吹哨), about 6 % merged into
an earlier open appeal of the same category (its supporters count them, one
``AppealSupporter`` row each), about 15 % whistled (one whistle each, to the
category's department), the rest closed by the community; about 70 % of
closed appeals rated. Whistles: mostly evaluated or closed, about 5 % with a
dispute (退回, reassigned), 4 % escalated, 8 % reported late, 10 % resolved
late; those raised in the last ~2 weeks still open.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from shequ.appeals.models import Appeal, AppealSupporter
from shequ.core.models import Grant, ReceiptCounter, Region, RegionLevel, User
from shequ.core.permissions import Role
from shequ.demo import bulk
from shequ.demo.cases import BEIJING, bench_username
from shequ.demo.people import split_evenly
from shequ.whistles.models import (
    Department,
    DepartmentKind,
    PairingAction,
    PairingAgreement,
    Unit,
    UnitKind,
    Whistle,
    WhistleDispute,
)

DAYS_BACK = 730
OPEN_DAYS = 10  # appeals of the last days are still open
WHISTLE_OPEN_DAYS = 14
MERGE_SHARE = 0.06
RATED_SHARE = 0.7
WHISTLE_TO_APPEALS = 0.15

APPEAL_FIELDS = (
    "id", "district", "community", "compound", "building", "address", "number", "kind",
    "category", "description", "keywords", "channel", "resident", "anonymous", "contact_name",
    "phone_enc", "phone_head", "phone_tail", "submitted_by", "source", "owner", "status",
    "submitted_at", "triage_due", "triage_due_uncertain", "triaged_at", "triaged_by", "decision",
    "duplicate_of", "supporters", "result", "closed_at", "closed_by", "rating", "rated_at",
    "reopened_count", "created_at",
)  # fmt: skip
SUPPORTER_FIELDS = ("appeal", "district", "community", "resident", "phone_tail", "at")
WHISTLE_FIELDS = (
    "id", "district", "street", "community", "number", "title", "description", "category",
    "place", "address", "urgency", "lead_department", "status", "raised_at", "raised_by",
    "addressed_at", "report_in_due", "resolve_due", "reported_at", "responsible_name",
    "resolved_at", "result", "evaluation", "evaluated_at", "closed_at", "dispute_reason",
    "disputes", "reassign_due", "escalation", "escalated_at",
)  # fmt: skip
LINK_FIELDS = ("whistle", "appeal", "district")
COOP_FIELDS = ("whistle", "department", "district")
DISPUTE_FIELDS = ("district", "community", "whistle", "department", "reason", "at")

# category -> (weight, department kind the whistle goes to)
CATEGORIES = {
    "sanitation": (22, DepartmentKind.URBAN_MANAGEMENT),
    "parking": (16, DepartmentKind.TRANSPORT),
    "fumes": (7, DepartmentKind.ENVIRONMENT),
    "noise": (12, DepartmentKind.ENVIRONMENT),
    "illegal_building": (6, DepartmentKind.URBAN_MANAGEMENT),
    "property": (12, DepartmentKind.HOUSING),
    "security": (6, DepartmentKind.POLICE),
    "repair": (12, DepartmentKind.HOUSING),
    "neighbour": (5, DepartmentKind.CIVIL_AFFAIRS),
    "other": (2, DepartmentKind.OTHER),
}
KINDS = (("complaint", 40), ("help", 25), ("report", 12), ("consult", 13), ("suggestion", 10))
CHANNELS = (("phone", 55), ("window", 20), ("building_head", 10), ("hotline", 15))
RATINGS = (("satisfied", 78), ("basic", 16), ("unsatisfied", 6))

TEMPLATES: dict[str, tuple[str, ...]] = {
    "sanitation": (
        "{place}的垃圾桶{when}没人清运，{extra}，异味很大，希望安排保洁及时清理。",
        "{place}旁边堆放了大量建筑垃圾和废旧家具，{when}一直没人处理，{extra}。",
        "{place}的下水道口有污水外溢，{extra}，蚊虫老鼠很多，请物业和环卫处理。",
        "{place}楼道里有人长期堆放杂物和纸箱，{extra}，卫生很差也有消防隐患。",
        "{place}附近有人遛狗不清理粪便，{when}越来越多，{extra}。",
    ),
    "parking": (
        "{place}门口{when}有车辆乱停乱放，堵住消防通道，{extra}。",
        "{place}有一辆僵尸车停放了半年多，占用车位，{extra}，希望拖走。",
        "{place}的电动车充电桩太少，{when}大家只能飞线充电，{extra}。",
        "{place}外面的人行道被汽车占道停车，{extra}，老人孩子只能走机动车道。",
        "{place}停车位划线不合理，{when}车辆进出困难，{extra}。",
    ),
    "fumes": (
        "{place}楼下新开的饭店排烟管道直接对着住户窗户，{when}油烟很大，{extra}。",
        "{place}附近烧烤摊{when}营业到深夜，油烟熏得没法开窗，{extra}。",
        "{place}底商餐馆没有安装油烟净化设备，{extra}，衣服晾在外面都有味道。",
    ),
    "noise": (
        "{place}有住户装修{when}从早上七点就开始电钻施工，{extra}，严重扰民。",
        "{place}旁边广场舞{when}音响开得很大声，{extra}，老人孩子休息不好。",
        "{place}附近工地深夜施工噪音很大，{when}持续到凌晨，{extra}。",
        "{place}门口商户用喇叭循环播放广告，{when}吵得不行，{extra}。",
    ),
    "illegal_building": (
        "{place}一楼住户私搭乱建，在院子里加盖彩钢房，{extra}，影响通行和采光。",
        "{place}顶楼有人违建阳光房，{when}还在继续施工，{extra}。",
        "{place}有人圈占公共绿地种菜搭棚，{extra}，希望城管依法拆除。",
    ),
    "property": (
        "{place}的电梯{when}又坏了，物业维修不及时，{extra}，老人上下楼很困难。",
        "{place}物业收了物业费但保安不在岗，门禁形同虚设，{extra}。",
        "{place}的门禁系统坏了{when}，外来人员随便进出，{extra}，物业一直推诿。",
        "{place}物业公示的物业费收支不清楚，{extra}，业委会希望社区协调。",
    ),
    "security": (
        "{place}{when}发生了几起电动车被盗，监控却是坏的，{extra}。",
        "{place}楼道里的消防栓没有水，灭火器也过期了，{extra}，存在安全隐患。",
        "{place}附近{when}有可疑人员晚上在单元门口徘徊，{extra}，希望加强巡逻。",
    ),
    "repair": (
        "{place}的路灯{when}一直不亮，晚上出行很不方便，{extra}。",
        "{place}的井盖破损松动，{extra}，行人和车辆经过很危险。",
        "{place}楼顶漏水{when}，下雨天家里墙面发霉，{extra}，希望维修。",
        "{place}的下水管道堵塞，{when}污水返到地漏里，{extra}。",
        "{place}门口的道路坑洼不平，{extra}，雨天积水严重。",
    ),
    "neighbour": (
        "{place}楼上邻居{when}深夜拖动桌椅、跺脚，沟通过几次没有效果，{extra}。",
        "{place}邻居养的大狗不拴绳，{when}吓到孩子，{extra}，希望社区调解。",
        "{place}邻居把空调外机装在我家窗户边上，{extra}，协商不成产生矛盾。",
    ),
    "other": (
        "{place}的公共健身器材{when}损坏了，{extra}，希望更换。",
        "{place}附近缺少便民菜店和快递驿站，{extra}，建议社区协调引进。",
        "{place}的老年食堂{when}饭菜质量下降，{extra}，希望社区关注。",
    ),
}
PLACES = (
    "{compound}{building}", "{compound}{building}{unit}单元", "{compound}北门", "{compound}南门",
    "{compound}东侧", "{compound}西侧小路", "{compound}中心花园", "{compound}地下车库入口",
    "{compound}菜市场旁", "{compound}幼儿园门口",
)  # fmt: skip
WHENS = (
    "最近一周", "这半个月", "已经三天", "好几个月了", "每天晚上", "周末", "一个多月",
    "从上个月开始", "连续几天", "雨后",
)  # fmt: skip
EXTRAS = (
    "我们打过物业电话没有人管", "已经向楼栋长反映过", "邻居们意见都很大", "家里有老人和小孩",
    "拍了照片可以提供", "多次沟通都没有结果", "天气热了更加明显", "给大家的生活带来很大不便",
    "晚上睡不好觉", "怕出安全事故", "孩子上学要经过这里", "希望社区出面协调",
)  # fmt: skip
RESULTS = {
    "self": (
        "社区已联系物业现场处理，问题已解决并回访居民。",
        "网格员已到现场核实，协调相关方完成整改。",
        "已组织双方协商，达成一致意见。",
    ),
    "whistle": ("部门已到场处置，问题已解决。", "经部门执法处理，已整改到位。"),
}
WHISTLE_RESULTS = (
    "已到现场处置完毕，拍照留存。",
    "已责令当事人限期整改，复查合格。",
    "已联合物业完成维修，居民认可。",
    "已依法立案查处，现场恢复原状。",
)
DISPUTE_REASONS = ("不属于本部门职责，建议改派。", "事项涉及产权问题，应由住建部门牵头。")
RESPONSIBLE = ("王建国", "李明", "张伟", "刘洋", "陈静", "赵磊", "孙丽", "周强")

DEPARTMENTS = (
    (DepartmentKind.URBAN_MANAGEMENT, "城市管理综合执法局"),
    (DepartmentKind.HOUSING, "住房和城乡建设局"),
    (DepartmentKind.POLICE, "公安分局"),
    (DepartmentKind.MARKET, "市场监督管理局"),
    (DepartmentKind.ENVIRONMENT, "生态环境分局"),
    (DepartmentKind.TRANSPORT, "交通运输局"),
    (DepartmentKind.FIRE, "消防救援大队"),
    (DepartmentKind.HEALTH, "卫生健康局"),
    (DepartmentKind.CIVIL_AFFAIRS, "民政局"),
    (DepartmentKind.OTHER, "政务服务中心"),
)
UNITS = (
    (UnitKind.ENTERPRISE, "供电公司"), (UnitKind.ENTERPRISE, "燃气公司"),
    (UnitKind.ENTERPRISE, "自来水公司"), (UnitKind.ENTERPRISE, "移动分公司"),
    (UnitKind.SCHOOL, "第一中学"), (UnitKind.SCHOOL, "实验小学"),
    (UnitKind.HOSPITAL, "中心医院"), (UnitKind.HOSPITAL, "中医院"),
    (UnitKind.INSTITUTION, "税务局"), (UnitKind.INSTITUTION, "人民法院"),
    (UnitKind.ENTERPRISE, "工商银行支行"), (UnitKind.ENTERPRISE, "邮政分公司"),
)  # fmt: skip
ACTIONS = ("组织志愿者清扫楼道", "开放单位停车位", "开展义诊进社区", "捐赠健身器材", "普法讲座")


def _pick(rnd: random.Random, weighted: Sequence[tuple[Any, int]]) -> Any:
    return rnd.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def describe(rnd: random.Random, category: str, compound: str, building: str) -> str:
    place = rnd.choice(PLACES).format(compound=compound, building=building, unit=rnd.randint(1, 2))
    return rnd.choice(TEMPLATES[category]).format(
        place=place, when=rnd.choice(WHENS), extra=rnd.choice(EXTRAS)
    )


def _workdays_after(day: dt.date, n: int) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


# -- building rows (in worker processes) ------------------------------------------------------


@dataclass
class GovTask:
    seed: str
    district_id: int
    street_id: int | None
    community_id: int
    community_code: str
    places: list[tuple[int | None, int | None, str, str]]  # compound id, building id, names
    applicants: list[tuple]
    appeal_ids: Sequence[int]
    whistle_ids: Sequence[int]
    counters: dict[dt.date, int]  # the cases' last receipt seq per day
    departments: dict[str, int]  # department kind -> id
    worker_id: int
    secretary_id: int
    today: dt.date
    now: dt.datetime
    dates_as_text: bool


@dataclass
class GovRows:
    appeals: list[tuple] = field(default_factory=list)
    supporters: list[tuple] = field(default_factory=list)
    whistles: list[tuple] = field(default_factory=list)
    links: list[tuple] = field(default_factory=list)
    cooperating: list[tuple] = field(default_factory=list)
    disputes: list[tuple] = field(default_factory=list)
    counters: dict[dt.date, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def build_rows(task: GovTask) -> GovRows:
    """Appeals, supporters, whistles of one community as final table rows."""
    from shequ.core.words import keywords_of

    started = time.process_time()
    rnd = random.Random(task.seed)  # noqa: S311 - test data
    out = GovRows()
    counters = dict(task.counters)

    def stamp(value: Any) -> Any:
        if value is None or not task.dates_as_text:
            return value
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value.isoformat()

    def number(at: dt.datetime, prefix: str = "") -> str:
        day = at.astimezone(BEIJING).date()
        counters[day] = counters.get(day, 0) + 1
        return f"{prefix}{task.community_code}{day:%Y%m%d}{counters[day]:05d}"

    n = len(task.appeal_ids)
    span = DAYS_BACK * 86400
    start = dt.datetime.combine(task.today, dt.time(0), BEIJING) - dt.timedelta(days=DAYS_BACK)
    offsets = sorted(rnd.randrange(span) for _ in range(n))
    n_whistles = len(task.whistle_ids)
    open_from = task.now - dt.timedelta(days=OPEN_DAYS)
    whistle_open_from = task.now - dt.timedelta(days=WHISTLE_OPEN_DAYS)
    # a duplicate follows its original within a month (longer when a
    # community has few appeals, so small scales still have some)
    merge_window = dt.timedelta(days=max(30, DAYS_BACK * 20 / max(n, 1)))
    # which appeals are whistled: spread evenly over the span
    whistled = set(rnd.sample(range(n), n_whistles)) if n_whistles <= n else set(range(n))
    whistle_ids = iter(task.whistle_ids)
    categories = list(CATEGORIES.items())
    open_by_category: dict[str, list[int]] = defaultdict(list)  # recent appeals, index
    supporters_of: dict[int, int] = defaultdict(int)
    rows: list[dict[str, Any]] = []
    for i, (appeal_id, offset) in enumerate(zip(task.appeal_ids, offsets, strict=True)):
        at = start + dt.timedelta(seconds=offset)
        if at > task.now:
            at = task.now - dt.timedelta(minutes=rnd.randint(1, 600))
        category = rnd.choices([c for c, _ in categories], [w for _, (w, _k) in categories])[0]
        compound_id, building_id, compound, building = rnd.choice(task.places)
        text = describe(rnd, category, compound, building)
        applicant: Any = rnd.choice(task.applicants) if task.applicants else None
        channel = _pick(rnd, CHANNELS)
        anonymous = applicant is None or (channel == "hotline" and rnd.random() < 0.2)
        triage_due = _workdays_after(at.astimezone(BEIJING).date(), 2)
        row: dict[str, Any] = {
            "id": appeal_id,
            "number": number(at),
            "kind": _pick(rnd, KINDS),
            "category": category,
            "description": text,
            "keywords": keywords_of(text),
            "channel": channel,
            "compound": compound_id,
            "building": building_id,
            "at": at,
            "triage_due": triage_due,
            "status": "closed",
            "triaged_at": None,
            "triaged_by": None,
            "decision": "",
            "duplicate_of": None,
            "result": "",
            "closed_at": None,
            "closed_by": None,
            "rating": "",
            "rated_at": None,
            "resident": None if anonymous else applicant[0],
            "contact_name": "" if anonymous else applicant[1],
            "phone_enc": None if anonymous else applicant[5],
            "phone_head": "" if anonymous else applicant[6],
            "phone_tail": "" if anonymous else applicant[7],
        }
        triaged_at = at + dt.timedelta(hours=rnd.uniform(0.5, 30))
        recent = [j for j in open_by_category[category] if rows[j]["at"] > at - merge_window]
        open_by_category[category] = recent[-20:]
        if i not in whistled and recent and rnd.random() < MERGE_SHARE:
            # a duplicate of a recent appeal of the same category
            original = rows[rnd.choice(recent)]
            row |= {
                "status": "merged",
                "decision": "merge",
                "duplicate_of": original["id"],
                "triaged_at": triaged_at,
                "triaged_by": task.worker_id,
            }
            supporters_of[original["id"]] += 1
            out.supporters.append(
                (
                    original["id"],
                    task.district_id,
                    task.community_id,
                    row["resident"],
                    row["phone_tail"],
                    stamp(triaged_at),
                )
            )
        elif i in whistled:
            w_id = next(whistle_ids)
            w_open = at > whistle_open_from
            row |= {
                "decision": "whistle",
                "triaged_at": triaged_at,
                "triaged_by": task.worker_id,
                "status": "whistled" if w_open else "closed",
            }
            state = _whistle(rnd, task, out, w_id, row, triaged_at, number, stamp, w_open)
            if state in ("resolved", "evaluated", "closed"):
                row |= {"status": "closed"}
            if row["status"] == "closed":
                done = triaged_at + dt.timedelta(days=rnd.uniform(2, 8))
                row |= {
                    "result": rnd.choice(RESULTS["whistle"]),
                    "closed_at": min(done, task.now),
                    "closed_by": task.worker_id,
                }
        elif at > open_from:
            roll = rnd.random()
            if roll < 0.4:
                row |= {"status": "submitted"}
            else:
                row |= {
                    "status": "handling",
                    "decision": "self",
                    "triaged_at": min(triaged_at, task.now),
                    "triaged_by": task.worker_id,
                }
            open_by_category[category].append(i)
        else:
            done = triaged_at + dt.timedelta(days=rnd.uniform(0.5, 6))
            row |= {
                "decision": "self",
                "triaged_at": triaged_at,
                "triaged_by": task.worker_id,
                "result": rnd.choice(RESULTS["self"]),
                "closed_at": done,
                "closed_by": task.worker_id,
            }
            open_by_category[category].append(i)
        if row["status"] == "closed" and rnd.random() < RATED_SHARE:
            row |= {
                "rating": _pick(rnd, RATINGS),
                "rated_at": min(
                    row["closed_at"] + dt.timedelta(hours=rnd.uniform(1, 72)), task.now
                ),
            }
        rows.append(row)
    for row in rows:
        out.states[row["status"]] = out.states.get(row["status"], 0) + 1
        out.appeals.append(
            (
                row["id"], task.district_id, task.community_id, row["compound"], row["building"],
                "", row["number"], row["kind"], row["category"], row["description"],
                row["keywords"], row["channel"], row["resident"], row["resident"] is None,
                row["contact_name"], row["phone_enc"], row["phone_head"], row["phone_tail"],
                task.worker_id if row["channel"] != "phone" else None, "", task.worker_id,
                row["status"], stamp(row["at"]), stamp(row["triage_due"]), False,
                stamp(row["triaged_at"]), row["triaged_by"], row["decision"],
                row["duplicate_of"], supporters_of.get(row["id"], 0), row["result"],
                stamp(row["closed_at"]), row["closed_by"], row["rating"], stamp(row["rated_at"]),
                0, stamp(row["at"]),
            )
        )  # fmt: skip
    out.counters = {d: v for d, v in counters.items() if task.counters.get(d) != v}
    out.seconds = time.process_time() - started
    return out


def _whistle(rnd, task, out, w_id, appeal, raised_at, number, stamp, still_open) -> str:
    """One whistle for ``appeal``; returns its state."""
    lead_kind = CATEGORIES[appeal["category"]][1]
    lead = task.departments[str(lead_kind)]
    urgent = rnd.random() < 0.1
    addressed_at = raised_at
    disputes, dispute_reason, reassign_due = 0, "", None
    if rnd.random() < 0.05:
        # the first department said "not ours"; the street reassigned it
        first = task.departments[rnd.choice([k for k in task.departments if k != str(lead_kind)])]
        at = raised_at + dt.timedelta(hours=rnd.uniform(1, 20))
        out.disputes.append(
            (
                task.district_id,
                task.community_id,
                w_id,
                first,
                rnd.choice(DISPUTE_REASONS),
                stamp(at),
            )
        )
        disputes, dispute_reason = 1, out.disputes[-1][4]
        addressed_at = at + dt.timedelta(hours=rnd.uniform(2, 24))
    report_due = addressed_at + (dt.timedelta(hours=2) if urgent else dt.timedelta(days=1))
    resolve_due = addressed_at + dt.timedelta(days=7)
    late_report = rnd.random() < 0.08
    reported_at = addressed_at + (
        dt.timedelta(hours=rnd.uniform(2.5, 30))
        if late_report
        else (report_due - addressed_at) * rnd.uniform(0.1, 0.9)
    )
    late_resolve = rnd.random() < 0.10
    resolved_at = reported_at + dt.timedelta(
        days=rnd.uniform(7.5, 15) if late_resolve else rnd.uniform(0.5, 6)
    )
    escalation = 0
    escalated_at = None
    if late_resolve and rnd.random() < 0.4:
        escalation = 1 if rnd.random() < 0.75 else 2
        escalated_at = resolve_due + dt.timedelta(hours=1)
    now = task.now
    if still_open or resolved_at > now:
        if disputes and addressed_at > now:
            state = "disputed"
            addressed_at = min(addressed_at, now)
            reassign_due = raised_at + dt.timedelta(days=2)
            reported_at = resolved_at = None
        elif reported_at > now:
            state, reported_at, resolved_at = "raised", None, None
        elif rnd.random() < 0.3:
            state, resolved_at = "reported", None
        elif resolved_at > now:
            state, resolved_at = "handling", None
        else:
            state = "resolved"
        if escalated_at is not None and escalated_at > now:
            escalation, escalated_at = 0, None
    else:
        state = "evaluated" if rnd.random() < 0.85 else "closed"
    evaluation, evaluated_at, closed_at, result = "", None, None, ""
    if resolved_at is not None:
        result = rnd.choice(WHISTLE_RESULTS)
    if state in ("evaluated", "closed"):
        evaluated_at = resolved_at + dt.timedelta(hours=rnd.uniform(2, 48))
        evaluation = _pick(rnd, (("satisfied", 80), ("basic", 15), ("unsatisfied", 5)))
        closed_at = evaluated_at
        if state == "closed":
            evaluation, evaluated_at = "", None
            closed_at = resolved_at + dt.timedelta(days=3)
    title = appeal["description"].split("，")[0][:60]
    out.whistles.append(
        (
            w_id, task.district_id, task.street_id, task.community_id, number(raised_at, "W"),
            title, appeal["description"], appeal["category"], appeal["building"], "",
            "urgent" if urgent else "normal", lead, state, stamp(raised_at), task.secretary_id,
            stamp(addressed_at), stamp(report_due), stamp(resolve_due), stamp(reported_at),
            rnd.choice(RESPONSIBLE) if reported_at is not None else "", stamp(resolved_at), result,
            evaluation, stamp(evaluated_at), stamp(closed_at), dispute_reason, disputes,
            stamp(reassign_due), escalation, stamp(escalated_at),
        )
    )  # fmt: skip
    out.links.append((w_id, appeal["id"], task.district_id))
    if rnd.random() < 0.2:
        other = rnd.choice([d for d in task.departments.values() if d != lead])
        out.cooperating.append((w_id, other, task.district_id))
    return state


# -- the run ------------------------------------------------------------------------------------


@dataclass
class GovernanceResult:
    departments: int = 0
    units: int = 0
    agreements: int = 0
    actions: int = 0
    appeals: int = 0
    supporters: int = 0
    whistles: int = 0
    disputes: int = 0
    states: dict[str, int] = field(default_factory=dict)
    compute_seconds: float = 0.0
    write_seconds: float = 0.0


def loaded_models() -> tuple:
    """The tables the generator fills in bulk (their indexes are dropped)."""
    return (
        Appeal,
        AppealSupporter,
        Whistle,
        Whistle.appeals.through,
        Whistle.cooperating.through,
        WhistleDispute,
    )


def district_admin(district: Region, prefix: str = "bench") -> User:
    """The district's administrator account (``bench-<code>-admin1``)."""
    username = bench_username(district.code, "admin")
    user = User.objects.filter(username=username).first()
    if user is None:
        from django.contrib.auth.hashers import make_password

        user = User.objects.create(
            username=username, full_name=f"{district.name}管理员", password=make_password(None)
        )
    Grant.objects.get_or_create(user=user, role=Role.DISTRICT_ADMIN, region=district)
    return user


def generate_governance(
    *,
    district: Region,
    communities: list[Region],
    applicants: dict[int, list[tuple]],
    appeals: int,
    whistles: int,
    seed: str,
    pool: Any = None,
    say: Callable[[str], None] = lambda _m: None,
) -> GovernanceResult:
    """Departments, units, pairing and ``appeals`` appeals / ``whistles``
    whistles spread evenly over ``communities``. Runs inside the caller's
    transaction after the desk (its receipt counters are continued)."""
    result = GovernanceResult()
    now = timezone.now()
    today = timezone.localdate()
    district_admin(district)
    departments = Department.objects.bulk_create(
        [
            Department(district=district, name=f"{district.name}{name}", kind=kind)
            for kind, name in DEPARTMENTS
        ]
    )
    result.departments = len(departments)
    units = Unit.objects.bulk_create(
        [Unit(district=district, name=f"{district.name}{name}", kind=kind) for kind, name in UNITS]
    )
    result.units = len(units)
    rnd = random.Random(seed)  # noqa: S311 - test data
    agreements = PairingAgreement.objects.bulk_create(
        [
            PairingAgreement(
                district=district,
                community=c,
                unit=units[i % len(units)],
                starts_on=today - dt.timedelta(days=DAYS_BACK),
                ends_on=today + dt.timedelta(days=365),
                contact_name="联络人",
                created_at=now - dt.timedelta(days=DAYS_BACK),
            )
            for i, c in enumerate(communities)
        ]
    )
    result.agreements = len(agreements)
    actions = [
        PairingAction(
            district=district,
            community_id=a.community_id,
            agreement=a,
            kind="volunteer",
            what=rnd.choice(ACTIONS),
            date=today - dt.timedelta(days=rnd.randrange(DAYS_BACK)),
            people=rnd.randint(3, 30),
            logged_at=now,
        )
        for a in agreements
        for _ in range(8)
    ]
    PairingAction.objects.bulk_create(actions, batch_size=1000)
    result.actions = len(actions)
    dept_ids = {d.kind: d.pk for d in departments}

    staff = {
        u["username"]: u["id"]
        for u in User.objects.filter(
            username__in=[bench_username(c.code, k) for c in communities for k in ("w", "s")]
        ).values("username", "id")
    }
    counters: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for c_id, day, last in ReceiptCounter.objects.filter(community__district=district).values_list(
        "community_id", "day", "last"
    ):
        counters[c_id][day] = last
    places: dict[int, list[tuple[int | None, int | None, str, str]]] = defaultdict(list)
    names = dict(
        Region.objects.filter(district=district, level=RegionLevel.COMPOUND).values_list(
            "id", "name"
        )
    )
    for b_id, b_name, compound_id, c_id in Region.objects.filter(
        district=district, level=RegionLevel.BUILDING
    ).values_list("id", "name", "compound_id", "community_id"):
        places[c_id].append((compound_id, b_id, names[compound_id], b_name))

    appeal_quota = split_evenly(appeals, [1] * len(communities))
    whistle_quota = split_evenly(whistles, [1] * len(communities))
    appeal_ids = bulk.allocate_ids(Appeal, appeals)
    whistle_ids = bulk.allocate_ids(Whistle, whistles)
    text = connection.vendor == "sqlite"
    tasks = []
    a = w = 0
    for c, n_a, n_w in zip(communities, appeal_quota, whistle_quota, strict=True):
        tasks.append(
            GovTask(
                seed=f"{seed}:gov:{c.code}",
                district_id=district.pk,
                street_id=c.street_id,
                community_id=c.pk,
                community_code=c.code,
                places=sorted(places[c.pk]) or [(None, None, c.name, "")],
                applicants=applicants.get(c.pk, []),
                appeal_ids=appeal_ids[a : a + n_a],
                whistle_ids=whistle_ids[w : w + min(n_w, n_a)],
                counters=counters.get(c.pk, {}),
                departments={str(k): v for k, v in dept_ids.items()},
                worker_id=staff[bench_username(c.code, "w")],
                secretary_id=staff[bench_username(c.code, "s")],
                today=today,
                now=now,
                dates_as_text=text,
            )
        )
        a += n_a
        w += min(n_w, n_a)
    new_counters: dict[tuple[int, dt.date], int] = {}
    chunks = pool.imap(build_rows, tasks) if pool is not None else map(build_rows, tasks)
    for done, (task, chunk) in enumerate(zip(tasks, chunks, strict=True), 1):
        started = time.perf_counter()
        bulk.write(Appeal, APPEAL_FIELDS, chunk.appeals)
        bulk.write(AppealSupporter, SUPPORTER_FIELDS, chunk.supporters)
        bulk.write(Whistle, WHISTLE_FIELDS, chunk.whistles)
        bulk.write(Whistle.appeals.through, LINK_FIELDS, chunk.links)
        bulk.write(Whistle.cooperating.through, COOP_FIELDS, chunk.cooperating)
        bulk.write(WhistleDispute, DISPUTE_FIELDS, chunk.disputes)
        result.write_seconds += time.perf_counter() - started
        result.compute_seconds += chunk.seconds
        for day, last in chunk.counters.items():
            new_counters[(task.community_id, day)] = last
        result.appeals += len(chunk.appeals)
        result.supporters += len(chunk.supporters)
        result.whistles += len(chunk.whistles)
        result.disputes += len(chunk.disputes)
        for state, n in chunk.states.items():
            result.states[state] = result.states.get(state, 0) + n
        if done % 10 == 0 or done == len(tasks):
            say(f"诉求 社区 {done}/{len(tasks)}：{result.appeals:,}，吹哨 {result.whistles:,}")
    counters_update(new_counters, text)
    return result


def counters_update(new: dict[tuple[int, dt.date], int], text: bool) -> None:
    """Raise the day counters the appeals and whistles took numbers from."""
    existing = set(
        ReceiptCounter.objects.filter(community_id__in={c for c, _d in new}).values_list(
            "community_id", "day"
        )
    )
    district_of = dict(
        Region.objects.filter(pk__in={c for c, _d in new}).values_list("id", "district_id")
    )
    inserts = [
        (district_of[c], c, d.isoformat() if text else d, last)
        for (c, d), last in new.items()
        if (c, d) not in existing
    ]
    bulk.write(ReceiptCounter, ("district", "community", "day", "last"), inserts)
    updates = [(last, c, d) for (c, d), last in new.items() if (c, d) in existing]
    if updates:
        table = connection.ops.quote_name(ReceiptCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET last = %s WHERE community_id = %s AND day = %s",  # noqa: S608
                updates,
            )
