"""What the demo's party module says: the stations, their timetables and
month-by-month plans, activity titles, the bodies the branches work with,
the employers of in-service members, transfers, needs, services and what
building heads hear on their visits. Codes are the demo tree's
(``shequ.demo.district``); texts are the ones a 社区 would write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shequ.party.models import ActivityKind, BodyKind, LocationKind, RoomKind

SEED = "20260101:party"

HOME_COMMUNITY = "210302001001"  # 站前社区
HOME_COMPOUND = HOME_COMMUNITY + "001"  # 站前小区: demo-party-secretary's branch
HOME_BUILDING = HOME_COMPOUND + "001"  # 站前小区1号楼: demo-building-head's building
LIMIN = "210302001002"  # 利民社区
XINGHUA = "210302003001"  # 兴华社区
ZHONGJU = "210302003002"  # 中巨社区 (化机小区)
# 铁塔社区 holds no member, head or visit: a demo test deletes and reloads
# its register (see ``shequ.demo.tests.test_demo``); it has its committee.
TIETA = "210302002001"

# Communities whose buildings get heads, and those whose heads (with an
# account each) log household visits.
HEADED = (HOME_COMMUNITY, LIMIN, XINGHUA, ZHONGJU)
VISITING = (HOME_COMMUNITY, LIMIN)
# Members the compounds of the stations need for their story (secretary,
# committee, duty, transfers, in-service members); a small demo's register
# is topped up from the compound's adults, who get the 党员 tag.
STORY_MEMBERS = 12

T = dt.time


@dataclass(frozen=True)
class Room:
    kind: str
    name: str
    area: str
    capacity: int


@dataclass(frozen=True)
class StationSpec:
    compound: str  # region code
    name: str
    location: str
    address: str
    area: str
    rooms: tuple[Room, ...]
    hours: tuple[tuple[int, dt.time, dt.time], ...]  # (weekday 0 = 周一, opens, closes)
    # Per month, counted back from the current one (3 = three months ago, the
    # month it opened): "ok" works; "short" opens too little, "few" holds too
    # few activities with residents, "nohost" hosts no deliberation or service.
    plan: dict[int, str]


STATIONS: tuple[StationSpec, ...] = (
    StationSpec(
        HOME_COMPOUND, "站前小区红旗驿站", LocationKind.PUBLIC_ROOM,
        "站前小区2号楼与3号楼之间公共用房", "168.50",
        (Room(RoomKind.ACTIVITY_ROOM, "党群活动室", "62.00", 40),
         Room(RoomKind.DELIBERATION_HALL, "居民议事厅", "45.00", 30),
         Room(RoomKind.OTHER, "便民服务室", "24.50", 8)),
        ((0, T(14, 0), T(17, 0)), (1, T(14, 0), T(17, 0)), (2, T(14, 0), T(17, 0)),
         (3, T(14, 0), T(17, 0)), (4, T(14, 0), T(17, 0)), (5, T(9, 0), T(11, 30))),
        {3: "short", 2: "ok", 1: "ok", 0: "ok"},
    ),
    StationSpec(
        LIMIN + "001", "利民小区红旗驿站", LocationKind.PROPERTY_ROOM,
        "利民小区物业服务中心二楼", "96.00",
        (Room(RoomKind.ACTIVITY_ROOM, "党群活动室", "48.00", 30),
         Room(RoomKind.DELIBERATION_HALL, "居民议事厅", "36.00", 20)),
        ((1, T(9, 0), T(11, 30)), (1, T(14, 30), T(17, 0)), (3, T(9, 0), T(11, 30)),
         (3, T(14, 30), T(17, 0))),
        {3: "ok", 2: "nohost", 1: "ok", 0: "ok"},
    ),
    StationSpec(
        XINGHUA + "001", "兴华小区红旗驿站", LocationKind.PUBLIC_ROOM,
        "兴华小区5号楼东侧平房（原自行车棚改建）", "120.00",
        (Room(RoomKind.ACTIVITY_ROOM, "党群活动室", "55.00", 35),
         Room(RoomKind.DELIBERATION_HALL, "居民议事厅", "40.00", 25),
         Room(RoomKind.OTHER, "四点半课堂", "20.00", 12)),
        ((0, T(15, 0), T(18, 0)), (2, T(15, 0), T(18, 0)), (4, T(15, 0), T(18, 0)),
         (5, T(9, 0), T(11, 0))),
        {3: "ok", 2: "ok", 1: "few", 0: "ok"},
    ),
)  # fmt: skip

# (kind, title, participants, residents served); 0 residents: members only.
ACTIVITIES: dict[str, tuple[tuple[str, int, int], ...]] = {
    ActivityKind.PARTY: (
        ("主题党日：重温入党誓词", 18, 0),
        ("“三会一课”支部党员大会", 15, 0),
        ("七一走访慰问老党员", 12, 6),
    ),
    ActivityKind.STUDY: (
        ("学习党的二十届三中全会精神", 20, 0),
        ("专题党课：基层治理中的党员先锋作用", 16, 0),
        ("《中国共产党章程》学习交流", 14, 0),
    ),
    ActivityKind.DELIBERATION: (
        ("居民议事会：3号楼加装电梯意见征集", 11, 24),
        ("楼院议事：地面停车位施划方案", 9, 18),
        ("物业、业委会、居民代表三方恳谈会", 12, 20),
        ("议事协商：垃圾分类投放点调整", 8, 15),
    ),
    ActivityKind.SERVICE: (
        ("为老服务：免费测血压、血糖", 8, 36),
        ("便民服务日：义务理发、磨剪子、修小家电", 10, 42),
        ("法律咨询进驿站", 4, 17),
        ("社区医生健康讲座与义诊", 6, 31),
    ),
}
# The no-hosting month's two activities with residents present.
NOHOST_ACTIVITIES: tuple[tuple[str, str, int, int], ...] = (
    (ActivityKind.PARTY, "党员志愿服务日：清理楼道小广告", 14, 9),
    (ActivityKind.STUDY, "居民读书会：身边的好人好事", 10, 12),
)


@dataclass(frozen=True)
class BodySpec:
    kind: str
    name: str  # {compound} / {community} filled in


BRANCH_BODIES: tuple[BodySpec, ...] = (
    BodySpec(BodyKind.PROPERTY, "鞍山市安居物业服务有限公司{compound}服务中心"),
    BodySpec(BodyKind.OWNERS_COMMITTEE, "{compound}业主委员会"),
)
STORY_BODIES: tuple[BodySpec, ...] = (
    BodySpec(BodyKind.VOLUNTEER_TEAM, "{compound}党员志愿服务队"),
)
COMMUNITY_BODIES: tuple[BodySpec, ...] = (
    BodySpec(BodyKind.SOCIAL_GROUP, "{community}老年协会"),
    BodySpec(BodyKind.VOLUNTEER_TEAM, "{community}“红马甲”志愿服务队"),
)

# In-service members' employers: (stationed unit or None, employer, its party organisation).
UNIT_EMPLOYERS: dict[str, str] = {
    "城东第一中学": "中共城东第一中学支部委员会",
    "城东区中心医院": "中共城东区中心医院委员会",
    "城东区图书馆": "中共城东区图书馆支部委员会",
}
# 城东热力 keeps its paper-only pairing agreement (no action after it went
# quiet), so none of its staff serves here through 双报到.
OUTSIDE_EMPLOYERS: tuple[tuple[str, str], ...] = (
    ("鞍钢集团鞍山钢铁公司", "中共鞍钢股份有限公司炼铁总厂委员会"),
    ("国网鞍山供电公司", "中共国网鞍山供电公司委员会"),
    ("鞍山市税务局", "中共鞍山市税务局机关委员会"),
    ("鞍山市第一人民医院", "中共鞍山市第一人民医院委员会"),
)
# Which units work with which community (report-ins), the community by code.
UNIT_REPORTS: tuple[tuple[str, str, str, str], ...] = (
    # (unit, community, resources, contact)
    ("城东第一中学", HOME_COMMUNITY, "周末开放操场和阅览室；教师志愿者参加“四点半课堂”课业辅导", "刘静"),
    ("城东区中心医院", HOME_COMMUNITY, "每月到红旗驿站义诊一次；家庭医生签约咨询；急救知识培训", "马丽"),
    ("城东热力有限公司", HOME_COMMUNITY, "供暖季入户检修指导；困难户取暖设施检查", "高峰"),
    ("城东区图书馆", LIMIN, "社区阅读角图书轮换；周末亲子阅读活动", "何静"),
)  # fmt: skip
SKILLS: dict[str, tuple[str, str]] = {
    # employer -> (skills, availability)
    "城东第一中学": ("中小学课业辅导、书法", "工作日18:00以后，周末上午"),
    "城东区中心医院": ("测血压血糖、健康咨询、急救培训", "每月第二个周六全天"),
    "城东区图书馆": ("阅读推广、图书整理", "周末全天"),
}
OTHER_SKILLS: tuple[tuple[str, str], ...] = (
    ("水电维修", "周末"),
    ("电脑和智能手机使用指导", "工作日晚上"),
    ("法律咨询", "每月最后一个周六上午"),
    ("摄影、宣传文稿", "周末"),
)

# (title, description, skills, wanted, posted days ago, needed by days ago
#  (negative: ahead), claims, closed days ago or None)
NEEDS: dict[str, tuple[tuple[str, str, str, int, int, int, int, int | None], ...]] = {
    HOME_COMMUNITY: (
        ("独居老人代购生活用品", "站前小区有多位独居老人行动不便，每周需要有人帮忙代购米面油和常用药。",
         "有空闲时间", 3, 140, 40, 3, None),
        ("“四点半课堂”课业辅导", "双职工家庭的孩子放学后无人照看，驿站开设四点半课堂，需要辅导老师。",
         "中小学课业辅导", 3, 135, -60, 2, None),
        ("楼道安全用电宣传入户", "电动车进楼道、飞线充电问题突出，需要党员入户讲解安全用电。",
         "", 2, 130, 70, 2, 60),
        ("老年人智能手机使用培训", "不少老人不会用手机挂号、缴费，希望每周在驿站教一次。",
         "电脑和智能手机使用指导", 2, 20, -40, 0, None),
    ),
    LIMIN: (
        ("社区阅读角周末值守", "利民小区红旗驿站阅读角周末开放，需要党员轮流值守、整理图书。",
         "阅读推广", 2, 130, -30, 1, None),
    ),
}  # fmt: skip
SERVICES: dict[str, tuple[str, ...]] = {
    "城东第一中学": ("四点半课堂作业辅导", "驿站书法兴趣课", "为小区孩子辅导中考复习"),
    "城东区中心医院": ("红旗驿站健康义诊：测血压、讲解用药", "为独居老人上门测血压", "急救知识培训"),
    "城东区图书馆": ("社区阅读角值守与图书整理", "亲子阅读活动"),
    "": ("协助网格员入户走访独居老人", "参加小区环境整治志愿服务", "协助社区开展反诈宣传",
         "为独居老人代购米面油"),
}  # fmt: skip

# Transfers of 站前社区 (days ago of each step).
TRANSFER_IN_RETIRED = {
    "from_org_name": "中共鞍钢集团矿业公司齐大山铁矿委员会离退休党支部",
    "incoming_letter_number": "鞍矿党介字〔2026〕第0137号",
    "note": "本人已退休，申请将组织关系转到居住地社区党组织。",
}
TRANSFER_IN_JOB = {
    "from_org_name": "中共鞍山华宇电子有限公司支部委员会",
    "incoming_letter_number": "华宇党字〔2026〕第012号",
    "note": "原单位已注销，本人灵活就业，组织关系转入居住地社区。",
}
TRANSFER_OUT = {
    "to_org_name": "中共大连市沙河口区春柳街道工作委员会",
    "note": "本人随子女迁居大连。",
    "returned": "接收方回函：介绍信所列接收党组织应为“中共大连市沙河口区春柳街道春柳社区委员会”，"
    "请更正后重新开具。",
}
TRANSFER_WITHIN_NOTE = "本人已在站前小区居住多年，申请将组织关系从社区党委转入小区党支部。"

# What building heads hear on their visits: (raised, follow-up); most
# visits raise nothing (blank).
VISIT_NOTES: tuple[tuple[str, str], ...] = (
    ("反映楼道声控灯不亮", "已报物业维修，三天内修好"),
    ("老人独居，腿脚不便，希望有人定期上门看看", "已纳入网格员重点关注名单"),
    ("家中下水道返味", "已联系物业疏通"),
    ("询问高龄津贴怎么申领", "已告知到社区服务大厅办理及所需材料"),
    ("楼上漏水渗到家里", "已协调楼上住户和物业查看"),
    ("对小区乱停车有意见", "已记录，提交居民议事会"),
    ("希望小区增设休息座椅", "已向社区反映"),
    ("冬季暖气不热", "已报热力公司入户测温"),
)
VISIT_APPEAL = "单元楼道声控灯坏了一个多月，老人晚上上下楼看不清，已经有人摔倒过，希望尽快维修。"
