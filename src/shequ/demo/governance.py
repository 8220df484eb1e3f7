"""The demo's 吹哨报到 and 结对共建 (issue 4): departments, stationed units,
the two liaison accounts, about ninety residents' appeals in 站前社区, 利民社区
and 铁塔社区, the whistles blown over the last three months and the pairing
agreements with their commitments and actions.

Like the cases, everything is written as final rows (no service calls, so no
audit record each: ``load_demo`` writes its one ``demo.load`` record), with the
timeline events the final rows imply. A whistle's life is drawn in full
(raised, reported, started, resolved, evaluated, closed) and cut at "now", so
recent ones are still open and old ones closed. Each part is loaded once:
departments, units and accounts by name, the appeals and whistles when the
district has none, the agreements when it has none.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from shequ.appeals.models import (
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealKind,
    AppealRating,
    AppealState,
    AppealSupporter,
    TriageDecision,
)
from shequ.appeals.services import TRIAGE_DAYS
from shequ.core.models import Grant, Region, TimelineEvent, User
from shequ.core.numbering import receipt_next
from shequ.core.permissions import Role
from shequ.core.words import keywords_of
from shequ.core.workdays import add_workdays
from shequ.residents.models import Resident
from shequ.whistles.checks import last_full_quarter, phone_columns, quarter_of
from shequ.whistles.models import (
    ActionKind,
    AgreementState,
    Commitment,
    CommitmentKind,
    Department,
    DepartmentKind,
    Liaison,
    PairingAction,
    PairingAgreement,
    QuarterRating,
    Unit,
    UnitKind,
    Whistle,
    WhistleDispute,
    WhistleEvaluation,
    WhistleState,
    WhistleUrgency,
)
from shequ.whistles.whistle.services import deadlines, rule_for

SEED = "20260101:governance"

# (name, kind, head, office phone)
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("城管执法局", DepartmentKind.URBAN_MANAGEMENT, "王建国", "0412-5551001"),
    ("住建局", DepartmentKind.HOUSING, "李志刚", "0412-5551002"),
    ("站前派出所", DepartmentKind.POLICE, "赵卫东", "0412-5551003"),
    ("市场监管局", DepartmentKind.MARKET, "孙丽华", "0412-5551004"),
    ("生态环境分局", DepartmentKind.ENVIRONMENT, "周海涛", "0412-5551005"),
    ("交通局", DepartmentKind.TRANSPORT, "吴明", "0412-5551006"),
    ("消防救援大队", DepartmentKind.FIRE, "郑勇", "0412-5551007"),
    ("卫健局", DepartmentKind.HEALTH, "冯晓燕", "0412-5551008"),
    ("民政局", DepartmentKind.CIVIL_AFFAIRS, "陈秀英", "0412-5551009"),
)
# (name, kind, address, contact)
UNITS: tuple[tuple[str, str, str, str], ...] = (
    ("城东第一中学", UnitKind.SCHOOL, "城东区站前街12号", "刘老师"),
    ("城东区中心医院", UnitKind.HOSPITAL, "城东区解放路88号", "马主任"),
    ("城东热力有限公司", UnitKind.ENTERPRISE, "城东区铁塔路6号", "高经理"),
    ("城东区图书馆", UnitKind.INSTITUTION, "城东区胜利路20号", "何馆长"),
)
LIAISON_DEPARTMENT = "站前派出所"  # the department with the most whistles
LIAISON_UNIT = "城东第一中学"
LIAISON_NAMES = {Role.DEPARTMENT_LIAISON: "韩立军", Role.UNIT_LIAISON: "刘静"}

# 站前社区, 利民社区, 铁塔社区 and how many appeals each.
APPEAL_COMMUNITIES = (("210302001001", 50), ("210302001002", 20), ("210302002001", 20))
DAYS = 90  # the appeals and whistles span the last three months

# category: (kind, description, lead department, whistle title)
MATTERS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    AppealCategory.SANITATION: (
        (
            AppealKind.COMPLAINT,
            "小区垃圾桶满了三天没人清运，气味很大。",
            "城管执法局",
            "垃圾清运不及时",
        ),
        (AppealKind.REPORT, "有人在楼后空地倾倒建筑垃圾。", "城管执法局", "楼后倾倒建筑垃圾"),
    ),
    AppealCategory.PARKING: (
        (
            AppealKind.COMPLAINT,
            "消防通道被私家车长期占用，救护车进不来。",
            "交通局",
            "消防通道被占用停车",
        ),
        (AppealKind.SUGGESTION, "建议在小区门口施划临时停车位。", "交通局", "小区门口停车秩序"),
    ),
    AppealCategory.FUMES: (
        (
            AppealKind.COMPLAINT,
            "临街烧烤店油烟直排，楼上住户没法开窗。",
            "生态环境分局",
            "烧烤店油烟直排",
        ),
    ),
    AppealCategory.NOISE: (
        (
            AppealKind.COMPLAINT,
            "夜里十一点后广场舞音响声音太大。",
            "站前派出所",
            "夜间广场舞噪音扰民",
        ),
        (AppealKind.COMPLAINT, "工地夜间施工噪音扰民。", "生态环境分局", "工地夜间施工噪音"),
    ),
    AppealCategory.ILLEGAL_BUILDING: (
        (
            AppealKind.REPORT,
            "一楼住户私自扩建院墙占用公共绿地。",
            "城管执法局",
            "一楼私搭乱建占绿地",
        ),
    ),
    AppealCategory.PROPERTY: (
        (
            AppealKind.COMPLAINT,
            "物业不及时维修单元门禁，外人随意进出。",
            "住建局",
            "物业不履行维修义务",
        ),
    ),
    AppealCategory.SECURITY: (
        (
            AppealKind.HELP,
            "楼道里电动车充电，飞线从窗户拉下来，很危险。",
            "消防救援大队",
            "楼道飞线充电隐患",
        ),
        (AppealKind.REPORT, "车棚最近连续丢了几辆电动车。", "站前派出所", "车棚电动车被盗"),
    ),
    AppealCategory.REPAIR: (
        (
            AppealKind.HELP,
            "单元楼道灯坏了一个多月，老人上下楼不方便。",
            "住建局",
            "老旧楼道照明损坏",
        ),
        (AppealKind.HELP, "雨水井盖破损，晚上有人踩空。", "住建局", "雨水井盖破损"),
    ),
    AppealCategory.NEIGHBOUR: (
        (AppealKind.HELP, "楼上住户长期漏水到我家，协商不成。", "站前派出所", "邻里漏水纠纷调解"),
    ),
    AppealCategory.OTHER: (
        (AppealKind.CONSULT, "想咨询高龄津贴怎么申请。", "民政局", "高龄老人津贴办理"),
        (AppealKind.REPORT, "小区门口有无证经营的熟食摊。", "市场监管局", "无证熟食摊点"),
    ),
}
# Whistles blown by a community on its own account, without an appeal.
STANDALONE: tuple[tuple[str, str, str, str], ...] = (
    (
        AppealCategory.SECURITY,
        "消防救援大队",
        "老旧小区消防设施检查",
        "多栋楼灭火器过期，消防栓无水。",
    ),
    (AppealCategory.OTHER, "卫健局", "病媒生物防制", "小区地下室鼠患严重，需专业消杀。"),
    (AppealCategory.OTHER, "市场监管局", "临街商铺占道经营", "多家商铺将货架摆上人行道。"),
    (AppealCategory.NOISE, "站前派出所", "夜间酒后滋事", "夜市散场后常有酒后喧哗滋事。"),
    (AppealCategory.PARKING, "交通局", "公交站台被占", "公交站台前长期停放私家车。"),
    (AppealCategory.REPAIR, "住建局", "外墙皮脱落", "5号楼外墙皮大面积脱落，威胁行人安全。"),
    (AppealCategory.SANITATION, "城管执法局", "背街小巷环境整治", "背街小巷垃圾杂物堆积。"),
    (AppealCategory.OTHER, "民政局", "困难家庭临时救助", "一户因病致困家庭需临时救助。"),
    (AppealCategory.FUMES, "生态环境分局", "餐饮油烟净化设施", "小吃街餐饮店油烟净化器未开启。"),
    (
        AppealCategory.SECURITY,
        "站前派出所",
        "电信诈骗防范宣传",
        "近期老人接到冒充客服诈骗电话较多。",
    ),
    (AppealCategory.REPAIR, "住建局", "二次供水水箱清洗", "居民反映自来水发黄，水箱多年未清洗。"),
    (AppealCategory.SANITATION, "城管执法局", "绿化带毁绿种菜", "绿化带被居民开荒种菜。"),
)
RESULTS = (
    "已到现场处置完毕，并向居民反馈。",
    "已责令整改，复查合格。",
    "已联合社区现场调解，双方达成一致。",
    "已完成维修，居民确认。",
)


@dataclass
class GovernanceResult:
    rows: int = 0
    users: int = 0
    grants: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


class TimelineEvents:
    """Timeline events gathered for one bulk insert (objects saved first)."""

    def __init__(self) -> None:
        self.pending: list[tuple[Any, dict[str, Any]]] = []

    def add(self, obj: Any, at: dt.datetime, action: str, label: str, before: str, after: str,
            actor: User | None = None, role: str = "", note: str = "", data: dict | None = None
            ) -> None:  # fmt: skip
        self.pending.append(
            (
                obj,
                {
                    "at": at,
                    "actor": actor,
                    "actor_role": role,
                    "action": action,
                    "action_label": label,
                    "from_state": before,
                    "to_state": after,
                    "note": note,
                    "data": data or {},
                },
            )  # fmt: skip
        )

    def save(self) -> int:
        cts: dict[type, ContentType] = {}
        rows = []
        for obj, kw in self.pending:
            ct = cts.setdefault(type(obj), ContentType.objects.get_for_model(type(obj)))
            rows.append(TimelineEvent(district_id=obj.district_id, content_type=ct, object_id=obj.pk,
                                      **kw))  # fmt: skip
        TimelineEvent.objects.bulk_create(rows, batch_size=500)
        return len(rows)


def _bodies(district: Region) -> tuple[dict[str, Department], dict[str, Unit], int]:
    made = 0
    have = {d.name: d for d in Department.objects.filter(district=district)}
    for name, kind, head, phone in DEPARTMENTS:
        if name not in have:
            have[name] = Department.objects.create(
                district=district, name=name, kind=kind, head_name=head, **phone_columns(phone)
            )
            made += 1
    units = {u.name: u for u in Unit.objects.filter(district=district)}
    for name, kind, address, contact in UNITS:
        if name not in units:
            units[name] = Unit.objects.create(
                district=district, name=name, kind=kind, address=address, contact=contact
            )
            made += 1
    return have, units, made


def _liaisons(district: Region, departments: dict[str, Department], units: dict[str, Unit],
              result: GovernanceResult) -> list[tuple[str, str, str]]:  # fmt: skip
    accounts = []
    for role, body_name in (
        (Role.DEPARTMENT_LIAISON, LIAISON_DEPARTMENT),
        (Role.UNIT_LIAISON, LIAISON_UNIT),
    ):
        username = "demo-" + role.value.replace("_", "-")
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=LIAISON_NAMES[role])
            user.set_password(settings.SHEQU_DEMO_PASSWORD)
            user.save()
            result.users += 1
        if not Grant.objects.filter(user=user, role=role, region=district).exists():
            Grant.objects.create(user=user, role=role, region=district)
            result.grants += 1
        body: dict[str, Any] = (
            {"department": departments[body_name]}
            if role == Role.DEPARTMENT_LIAISON
            else {"unit": units[body_name]}
        )
        if not Liaison.objects.filter(user=user, **body).exists():
            Liaison.objects.create(user=user, district=district, **body)
            result.rows += 1
        accounts.append((username, role.label, body_name))
    return accounts


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of office hours on ``day``, Beijing time."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)))
    )


@dataclass
class _Actors:
    worker: dict[int, User]  # community pk → the worker who triages
    liaison: User


def community_workers(communities: list[Region]) -> dict[int, User]:
    """The demo worker in 站前社区; the generated desk workers elsewhere."""
    home = User.objects.get(username="demo-community-worker")
    out = {}
    for c in communities:
        if c.code == "210302001001":
            out[c.pk] = home
            continue
        grant = (
            Grant.objects.filter(region=c, role=Role.COMMUNITY_WORKER)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        out[c.pk] = grant.user if grant else home
    return out


def _appeals(district: Region, departments: dict[str, Department], events: TimelineEvents,
             now: dt.datetime) -> tuple[int, list[tuple[Appeal, str, str, str]]]:  # fmt: skip
    """The appeals (final rows) and those triaged into a whistle:
    (appeal, lead department, whistle title, category)."""
    rng = random.Random(SEED + ":appeals")  # noqa: S311 - test data
    communities = [Region.objects.get(code=code) for code, _ in APPEAL_COMMUNITIES]
    workers = community_workers(communities)
    resident_user = User.objects.filter(username="demo-resident").first()
    made = 0
    to_whistle: list[tuple[Appeal, str, str, str, str]] = []  # + where its whistle stops
    categories = sorted(MATTERS)
    for community, (_code, n) in zip(communities, APPEAL_COMMUNITIES, strict=True):
        people = list(
            Resident.objects.filter(community=community, phone_enc__isnull=False)
            .order_by("id")
            .values_list("id", "name", "phone_enc", "phone_head", "phone_tail", "user_id")[:200]
        )
        places = list(
            Region.objects.filter(community=community, level=5).order_by("code")  # buildings
        )
        worker = workers[community.pk]
        ages = sorted((rng.uniform(0.1, DAYS) for _ in range(n)), reverse=True)
        # The newest appeals of the first community are pinned, whatever the
        # hour the demo is loaded at: two waiting for triage, one in hand, a
        # duplicate merged into it, and one whistled to a department that has
        # reported in but not finished.
        pins: dict[int, str] = {}
        if community.pk == communities[0].pk and n >= 8:
            pins = {n - 5: "whistle", n - 4: "self", n - 3: "merge", n - 2: "new", n - 1: "new"}
            for index, age in (
                (n - 5, 2.0),
                (n - 4, 1.5),
                (n - 3, 1.0),
                (n - 2, 0.03),
                (n - 1, 0.02),
            ):
                ages[index] = age
        pinned_open: Appeal | None = None
        open_by_cat: dict[str, tuple[Appeal, dt.datetime | None]] = {}
        for i, age in enumerate(ages):
            pin = pins.get(i, "")
            category = (
                categories[i % len(categories)] if i < len(categories) else rng.choice(categories)
            )
            if pin == "merge" and pinned_open is not None:
                category = pinned_open.category
            kind, text, lead, title = rng.choice(MATTERS[category])
            submitted = now - dt.timedelta(days=age)
            if not pin and (submitted.hour < 7 or submitted.hour > 21):
                submitted = submitted.replace(hour=rng.randint(8, 20))
                if submitted > now:
                    submitted -= dt.timedelta(days=1)
            building = rng.choice(places) if places else None
            person = rng.choice(people) if people else None
            if community.code == "210302001001" and i % 9 == 4 and resident_user is not None:
                mine = [p for p in people if p[5] == resident_user.pk]
                person = mine[0] if mine else person
            channel = rng.choice(
                [AppealChannel.PHONE] * 5 + [AppealChannel.WINDOW] * 2
                + [AppealChannel.BUILDING_HEAD, AppealChannel.HOTLINE]
            )  # fmt: skip
            local = timezone.localtime(submitted).date()
            due = add_workdays(local, TRIAGE_DAYS)
            appeal = Appeal(
                district=district,
                community=community,
                compound_id=building.compound_id if building else None,
                building=building,
                address=f"{building.name}附近" if building else "",
                number=receipt_next(community=community, day=local),
                kind=kind,
                category=category,
                description=text,
                keywords=keywords_of(text),
                channel=channel,
                resident_id=person[0] if person else None,
                contact_name=person[1] if person else "",
                phone_enc=person[2] if person else None,
                phone_head=person[3][:3] if person else "",
                phone_tail=person[4] if person else "",
                submitted_by=(
                    User(pk=person[5]) if person and person[5] and channel == "phone" else worker
                ),
                owner=worker,
                status=AppealState.SUBMITTED,
                submitted_at=submitted,
                triage_due=due.date,
                triage_due_uncertain=due.uncertain,
            )
            # What happened next, by age: under a day it waits for triage.
            triaged = submitted + dt.timedelta(hours=rng.uniform(1, 20))
            draw = rng.random()
            plan = "new"
            if pin:
                plan = pin
                original = pinned_open
                triaged = min(triaged, now - dt.timedelta(hours=1)) if pin != "new" else now
                if pin == "merge" and original is None:
                    plan = "self"
            elif triaged < now:
                # An earlier appeal of the category still open at this triage.
                entry = open_by_cat.get(category)
                original = entry[0] if entry and (entry[1] is None or entry[1] > triaged) else None
                if original is not None and draw < 0.18:
                    plan = "merge"
                elif draw < 0.40:
                    plan = "whistle"
                else:
                    plan = "self"
            appeal.save()
            made += 1
            events.add(appeal, submitted, "submit", "提出诉求", "", "submitted",
                       actor=appeal.submitted_by, role="resident" if channel == "phone" else
                       "community_worker")  # fmt: skip
            if plan == "new":
                open_by_cat.setdefault(category, (appeal, None))
                continue
            appeal.triaged_at, appeal.triaged_by = triaged, worker
            if plan == "merge":
                appeal.status, appeal.decision = AppealState.MERGED, TriageDecision.MERGE
                appeal.duplicate_of = original
                original.supporters += 1
                Appeal.objects.filter(pk=original.pk).update(supporters=original.supporters)
                events.add(appeal, triaged, "triage", "分办", "submitted", "merged", worker,
                           "community_worker", note=f"合并至 {original.number}")  # fmt: skip
                events.add(original, triaged, "absorb", "合并重复诉求", original.status,
                           original.status, worker, "community_worker",
                           data={"merged": appeal.number, "supporters_added": 1})  # fmt: skip
                if person and person[5]:
                    AppealSupporter.objects.create(
                        appeal=original, district=district, community=community,
                        resident_id=person[0], user_id=person[5], at=triaged,
                    )  # fmt: skip
                    made += 1
            elif plan == "whistle":
                appeal.status, appeal.decision = AppealState.WHISTLED, TriageDecision.WHISTLE
                to_whistle.append((appeal, lead, title, category, "report_in" if pin else ""))
            else:
                appeal.status, appeal.decision = AppealState.HANDLING, TriageDecision.SELF
                events.add(appeal, triaged, "triage", "分办", "submitted", "handling", worker,
                           "community_worker", note="社区自办自结")  # fmt: skip
                closed = triaged + dt.timedelta(days=rng.uniform(0.5, 6))
                if pin:  # still in hand
                    closed = now + dt.timedelta(days=30)
                    pinned_open = appeal
                open_by_cat[category] = (appeal, closed if closed < now else None)
                if closed < now:
                    appeal.status = AppealState.CLOSED
                    appeal.result, appeal.closed_at, appeal.closed_by = (
                        rng.choice(RESULTS), closed, worker)  # fmt: skip
                    events.add(appeal, closed, "close", "办结", "handling", "closed", worker,
                               "community_worker", note=appeal.result)  # fmt: skip
                    rated = closed + dt.timedelta(hours=rng.uniform(2, 48))
                    if rated < now and rng.random() < 0.7:
                        appeal.rating = rng.choice(
                            [AppealRating.SATISFIED] * 6 + [AppealRating.BASIC] * 3
                            + [AppealRating.UNSATISFIED]
                        )  # fmt: skip
                        appeal.rated_at = rated
                        events.add(appeal, rated, "rate", "评价", "closed", "closed",
                                   note=appeal.get_rating_display())  # fmt: skip
            appeal.save()
    return made, to_whistle


def _whistle_life(w: Whistle, rng: random.Random, now: dt.datetime, events: TimelineEvents,
                  raiser: User, liaison: User | None, *, silent: bool = False,
                  stop: str = "") -> None:  # fmt: skip
    """Report-in, start, resolution, evaluation and closing from
    ``addressed_at`` on, each only if its moment has come."""
    t = w.addressed_at
    dept_actor = liaison if liaison and w.lead_department.name == LIAISON_DEPARTMENT else None
    steps: list[tuple[str, dt.datetime]] = []
    if silent:  # never reports in: overdue, escalated
        pass
    else:
        late = rng.random() < 0.15 and not stop
        reported = t + (dt.timedelta(days=rng.uniform(1.5, 3)) if late else
                        dt.timedelta(hours=rng.uniform(0.5, 1.8 if w.urgency == "urgent" else 6)))  # fmt: skip
        started = reported + dt.timedelta(hours=rng.uniform(1, 24))
        resolved = started + dt.timedelta(days=rng.uniform(0.5, 8 if rng.random() < 0.2 else 4))
        evaluated = resolved + dt.timedelta(days=rng.uniform(0.3, 3))
        closed = evaluated + dt.timedelta(days=rng.uniform(0, 10))
        steps = [("report_in", reported), ("start", started), ("resolve", resolved),
                 ("evaluate", evaluated), ("close", closed)]  # fmt: skip
    for action, at in steps:
        if at >= now or (stop and steps.index((action, at)) > [a for a, _ in steps].index(stop)):
            break
        before = w.status
        if action == "report_in":
            w.status, w.reported_at = WhistleState.REPORTED, at
            w.responsible_name = rng.choice(["张伟", "李强", "王磊", "刘洋", "陈杰", "杨帆"])
            events.add(w, at, action, "报到", before, w.status, dept_actor, "department_liaison",
                       data={"responsible_name": w.responsible_name})  # fmt: skip
        elif action == "start":
            w.status = WhistleState.HANDLING
            events.add(w, at, action, "开始处置", before, w.status, dept_actor,
                       "department_liaison")  # fmt: skip
        elif action == "resolve":
            w.status, w.resolved_at, w.result = WhistleState.RESOLVED, at, rng.choice(RESULTS)
            events.add(w, at, action, "办结", before, w.status, dept_actor, "department_liaison",
                       note=w.result)  # fmt: skip
        elif action == "evaluate":
            w.status, w.evaluated_at = WhistleState.EVALUATED, at
            w.evaluation = rng.choice(
                [WhistleEvaluation.SATISFIED] * 6 + [WhistleEvaluation.BASIC] * 3
                + [WhistleEvaluation.UNSATISFIED]
            )  # fmt: skip
            events.add(w, at, action, "社区评价", before, w.status, raiser, "community_worker",
                       data={"evaluation": w.evaluation})  # fmt: skip
        else:
            w.status, w.closed_at = WhistleState.CLOSED, at
            events.add(w, at, action, "关闭", before, w.status, raiser, "community_worker")
    # 督办 as ``shequ tick`` would have done by now.
    if w.status in (WhistleState.RAISED, WhistleState.REPORTED, WhistleState.HANDLING):
        due = w.report_in_due if w.status == WhistleState.RAISED else w.resolve_due
        if now > due:
            limit = max(due - w.addressed_at, dt.timedelta(hours=1))
            for level, at in ((1, due + dt.timedelta(minutes=5)),
                              (2, due + limit + dt.timedelta(minutes=5))):  # fmt: skip
                if at < now:
                    w.escalation, w.escalated_at = level, at
                    events.add(w, at, "escalate", "街道督办" if level == 1 else "区级督办",
                               w.status, w.status, None, "",
                               note="逾期未报到" if w.status == "raised" else "逾期未办结",
                               data={"level": level})  # fmt: skip


def _whistles(district: Region, departments: dict[str, Department],
              triaged: list[tuple[Appeal, str, str, str, str]], events: TimelineEvents, now: dt.datetime,
              liaison: User | None) -> int:  # fmt: skip
    rng = random.Random(SEED + ":whistles")  # noqa: S311 - test data
    home = Region.objects.get(code="210302001001")
    raiser_of = community_workers([home, *{a.community for a, *_ in triaged}])
    plans: list[dict[str, Any]] = []
    for appeal, lead, title, category, stop in triaged:
        plans.append({"at": appeal.triaged_at, "community": appeal.community, "lead": lead,
                      "title": title, "category": category, "appeals": [appeal],
                      "description": appeal.description, "stop": stop})  # fmt: skip
    for k, (category, lead, title, text) in enumerate(STANDALONE):
        day = timezone.localdate(now) - dt.timedelta(days=3 + k * 7)
        plans.append({"at": _at(rng, day), "community": home, "lead": lead, "title": title,
                      "category": category, "appeals": [], "description": text,
                      # the four most recent stay reported, resolved, evaluated, handling
                      "stop": ("report_in", "resolve", "evaluate", "start", "")[min(k, 4)]})  # fmt: skip
    # The special ones, in 站前社区: disputed by 城管执法局 and reassigned to 站前派出所;
    # disputed yesterday and waiting for the street; and one that never reported in.
    today = timezone.localdate(now)
    plans.append({"at": _at(rng, today - dt.timedelta(days=20)), "community": home,
                  "lead": "城管执法局", "title": "小区内群租房安全隐患", "category": "security",
                  "appeals": [], "description": "一套住房隔成八间出租，人员复杂。",
                  "reassign": "站前派出所"})  # fmt: skip
    plans.append({"at": now - dt.timedelta(hours=26), "community": home, "lead": "住建局",
                  "title": "小区路灯杆倾斜", "category": "repair", "appeals": [],
                  "description": "路灯杆被车撞后倾斜，有倒塌危险。", "dispute_only": True})  # fmt: skip
    plans.append({"at": now - dt.timedelta(days=4), "community": home, "lead": "城管执法局",
                  "title": "占道堆放废品", "category": "sanitation", "appeals": [],
                  "description": "废品收购点占用人行道堆放。", "silent": True,
                  "urgency": WhistleUrgency.URGENT})  # fmt: skip
    plans.sort(key=lambda p: p["at"])
    made = 0
    for p in plans:
        community, at = p["community"], p["at"]
        raiser = raiser_of.get(community.pk) or raiser_of[home.pk]
        urgency = p.get("urgency") or (
            WhistleUrgency.URGENT if rng.random() < 0.15 else WhistleUrgency.NORMAL
        )
        rule = rule_for(district_id=district.pk, category=p["category"])
        report_due, resolve_due = deadlines(start=at, urgency=urgency, rule=rule)
        lead = departments[p["lead"]]
        w = Whistle(
            district=district,
            street_id=community.street_id,
            community=community,
            number="W" + receipt_next(community=community, day=timezone.localdate(at)),
            title=p["title"],
            description=p["description"],
            category=p["category"],
            urgency=urgency,
            lead_department=lead,
            status=WhistleState.RAISED,
            raised_at=at,
            raised_by=raiser,
            addressed_at=at,
            report_in_due=report_due,
            resolve_due=resolve_due,
        )
        w.save()
        made += 1
        if p["appeals"]:
            w.appeals.set(p["appeals"], through_defaults={"district_id": w.district_id})
            made += len(p["appeals"])
        events.add(w, at, "raise", "吹哨", "", "raised", raiser, "community_worker",
                   data={"lead": lead.name, "appeals": [a.number for a in p["appeals"]]})  # fmt: skip
        for a in p["appeals"]:
            events.add(a, at, "whistle", "吹哨", "submitted", "whistled", raiser,
                       "community_worker", note=f"吹哨 {w.number}")  # fmt: skip
        if "reassign" in p or p.get("dispute_only"):
            disputed = at + dt.timedelta(hours=3)
            reason = "该事项不属于本部门职责，建议由公安机关处理。" if "reassign" in p else \
                "路灯归属供电公司，不属本部门职责。"  # fmt: skip
            w.status, w.dispute_reason, w.disputes = WhistleState.DISPUTED, reason, 1
            w.reassign_due = deadlines(start=disputed, urgency="normal", rule=rule)[0]
            WhistleDispute.objects.create(district=district, community=community, whistle=w,
                                          department=lead, reason=reason, at=disputed)  # fmt: skip
            made += 1
            events.add(w, disputed, "dispute", "退回", "raised", "disputed", None,
                       "department_liaison", note=reason)  # fmt: skip
            if "reassign" in p:
                moved = disputed + dt.timedelta(hours=20)
                new = departments[p["reassign"]]
                w.lead_department, w.addressed_at, w.status = new, moved, WhistleState.RAISED
                w.report_in_due, w.resolve_due = deadlines(start=moved, urgency=urgency, rule=rule)
                w.reassign_due = None
                events.add(w, moved, "reassign", "改派", "disputed", "raised",
                           User.objects.filter(username="demo-street-officer").first(),
                           "street_officer", data={"department": new.name})  # fmt: skip
                _whistle_life(w, rng, now, events, raiser, liaison)
        else:
            _whistle_life(
                w,
                rng,
                now,
                events,
                raiser,
                liaison,
                silent=p.get("silent", False),
                stop=p.get("stop", ""),
            )
        w.save()
        for a in p["appeals"]:
            if w.evaluated_at is not None:
                a.status, a.result, a.closed_at, a.closed_by = (
                    AppealState.CLOSED, w.result, w.evaluated_at, raiser)  # fmt: skip
                events.add(a, w.evaluated_at, "whistle_close", "吹哨办结", "whistled", "closed",
                           raiser, "community_worker", note=f"吹哨 {w.number} 已办结")  # fmt: skip
                rated = w.evaluated_at + dt.timedelta(days=1)
                if rated < now and rng.random() < 0.6:
                    a.rating, a.rated_at = AppealRating.SATISFIED, rated
                    events.add(a, rated, "rate", "评价", "closed", "closed", note="满意")
                a.save()
    return made


def _pairing(district: Region, departments: dict[str, Department], units: dict[str, Unit],
             now: dt.datetime) -> int:  # fmt: skip
    rng = random.Random(SEED + ":pairing")  # noqa: S311 - test data
    today = timezone.localdate(now)
    home = Region.objects.get(code="210302001001")
    limin = Region.objects.get(code="210302001002")
    tieta = Region.objects.get(code="210302002001")
    worker = User.objects.get(username="demo-community-worker")
    quarter_start, _ = last_full_quarter(today)
    # (community, partner, contact, commitments [(kind, qty, what)], action every n days,
    #  paper only)
    specs: list[tuple[Region, Unit | Department, str, list[tuple[str, int, str]], int, bool]] = [
        (home, units["城东第一中学"], "刘静", [(CommitmentKind.VENUE, 1, "周末开放操场"),
         (CommitmentKind.VOLUNTEERS, 20, "师生志愿服务")], 21, False),
        (home, units["城东区中心医院"], "马丽", [(CommitmentKind.SKILLS, 12, "每月义诊一次"),
         (CommitmentKind.VOLUNTEERS, 10, "健康讲座")], 30, False),
        (home, units["城东热力有限公司"], "高峰", [(CommitmentKind.PARKING, 30, "夜间开放停车位"),
         (CommitmentKind.FUNDS, 20000, "困难户取暖补贴")], 0, True),
        (limin, units["城东区图书馆"], "何静", [(CommitmentKind.VENUE, 1, "社区阅读角")], 35, False),
        (tieta, departments["站前派出所"], "赵卫东", [(CommitmentKind.SKILLS, 4, "防诈骗宣讲")],
         45, False),
    ]  # fmt: skip
    made = 0
    starts = today - dt.timedelta(days=300)
    for community, partner, contact, commitments, every, paper_only in specs:
        is_unit = isinstance(partner, Unit)
        created = _at(rng, starts)
        agreement = PairingAgreement.objects.create(
            district=district,
            community=community,
            unit=partner if is_unit else None,
            department=None if is_unit else partner,
            starts_on=starts,
            ends_on=starts.replace(year=starts.year + 3),
            contact_name=contact,
            status=AgreementState.ACTIVE,
            paper_only_since=quarter_start if paper_only else None,
            note="年度共建协议",
            created_at=created,
            created_by=worker,
        )
        made += 1
        lines = []
        for kind, qty, what in commitments:
            lines.append(
                Commitment.objects.create(
                    district=district,
                    community=community,
                    agreement=agreement,
                    kind=kind,
                    quantity=Decimal(qty),
                    quantity_unit=_unit_of(kind),
                    description=what,
                    created_at=created,
                    created_by=worker,
                )  # fmt: skip
            )
            made += 1
        actions = []
        # The "paper only" one did something once, long before the last full quarter.
        days = [starts + dt.timedelta(days=20)] if paper_only else [
            starts + dt.timedelta(days=d) for d in range(10, 300, every)
        ]  # fmt: skip
        for day in days:
            if day > today or (paper_only and day >= quarter_start):
                continue
            line = rng.choice(lines)
            kind = {
                CommitmentKind.VENUE: ActionKind.RESOURCE,
                CommitmentKind.PARKING: ActionKind.RESOURCE,
                CommitmentKind.VOLUNTEERS: ActionKind.VOLUNTEER,
                CommitmentKind.SKILLS: ActionKind.SKILLS,
                CommitmentKind.FUNDS: ActionKind.FUNDS,
            }.get(line.kind, ActionKind.OTHER)
            actions.append(
                PairingAction(
                    district=district,
                    community=community,
                    agreement=agreement,
                    commitment=line,
                    kind=kind,
                    what=line.description,
                    date=day,
                    hours=Decimal(rng.choice([2, 3, 4])),
                    people=rng.randint(3, 25),
                    resources=line.description if kind == ActionKind.RESOURCE else "",
                    amount=Decimal(5000) if kind == ActionKind.FUNDS else None,
                    logged_at=_at(rng, day),
                    logged_by=worker,
                )  # fmt: skip
            )
        PairingAction.objects.bulk_create(actions)
        made += len(actions)
        # Ratings of the full quarters since it started.
        q_day = starts
        while True:
            q_start, q_end = _quarter_span(q_day)
            if q_end >= today or q_end <= starts:
                break
            QuarterRating.objects.create(
                district=district, community=community, agreement=agreement,
                quarter=quarter_of(q_start), score=2 if paper_only else rng.choice([4, 4, 3]),
                comment="仅签协议，未见实际行动" if paper_only else "共建活动开展较好",
                rated_at=_at(rng, q_end + dt.timedelta(days=5)), rated_by=worker,
            )  # fmt: skip
            made += 1
            q_day = q_end + dt.timedelta(days=1)
    return made


def _quarter_span(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    nxt = dt.date(day.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _unit_of(kind: str) -> str:
    from shequ.whistles.models import COMMITMENT_UNITS

    return COMMITMENT_UNITS[CommitmentKind(kind)]


def load_governance(district: Region) -> GovernanceResult:
    """Departments, units, liaisons, appeals, whistles and pairing of the demo
    district, each loaded once. Call inside ``load_demo``'s transaction."""
    result = GovernanceResult()
    departments, units, result.rows = _bodies(district)
    accounts = _liaisons(district, departments, units, result)
    now = timezone.now()
    events = TimelineEvents()
    liaison = User.objects.filter(username="demo-department-liaison").first()
    if (
        not Appeal.objects.filter(district=district).exists()
        and not Whistle.objects.filter(district=district).exists()
    ):
        made, triaged = _appeals(district, departments, events, now)
        result.rows += made
        result.rows += _whistles(district, departments, triaged, events, now, liaison)
    if not PairingAgreement.objects.filter(district=district).exists():
        result.rows += _pairing(district, departments, units, now)
    result.rows += events.save()
    result.counts = {
        "职能部门": Department.objects.filter(district=district).count(),
        "驻区单位": Unit.objects.filter(district=district).count(),
        "诉求": Appeal.objects.filter(district=district).count(),
        "吹哨": Whistle.objects.filter(district=district).count(),
        "共建协议": PairingAgreement.objects.filter(district=district).count(),
    }
    result.accounts = accounts
    return result
