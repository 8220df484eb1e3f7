"""What the demo's deliberation is made of, as data: the district's 协商目录
(eight categories, nineteen items, and 站前社区's local item) and, per
community, its script — the topics, then the meetings with their agendas,
each agenda item with the result it aims at and, when it passes, the
outcome with its weighted tasks. ``writer`` turns a script into rows."""

from __future__ import annotations

from dataclasses import dataclass

from shequ.deliberation.models import (
    MatterLevel,
    MeetingForm,
    OutcomeRating,
    OwnerKind,
    Participant,
    ProposerKind,
    TopicState,
    VoteRule,
)

SEED = "20260101:deliberation"
BASIS = "《关于加强城乡社区协商的意见》"
OLD_ESTATES = "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号）"
CIVIL_CODE = "《中华人民共和国民法典》"

F, P = MeetingForm, Participant


@dataclass(frozen=True)
class Item:
    code: str
    category: str
    name: str
    content: str
    forms: tuple[str, ...]
    participants: tuple[str, ...]
    rule: str
    level: str
    basis: str


CATALOG: tuple[Item, ...] = (
    Item("HJ-01", "环境改造", "加装电梯", "既有住宅加装电梯的选址、设计方案、费用分摊和对低层住户的补偿，由本栋住户协商。",
         (F.COUNCIL, F.JOINT, F.DIALOGUE, F.ONLINE), (P.STAKEHOLDERS, P.RESIDENT_REPS, P.OWNERS_COMMITTEE, P.PROPERTY),
         VoteRule.TWO_THIRDS, MatterLevel.BUILDING, f"{BASIS}；{OLD_ESTATES}"),
    Item("HJ-02", "环境改造", "老旧小区改造", "老旧小区改造的内容、施工安排、居民出资和改造后的长效管理，由社区组织居民、产权单位和相关部门协商。",
         (F.JOINT, F.COUNCIL, F.HEARING), (P.RESIDENT_REPS, P.PARTY_MEMBERS, P.OWNERS_COMMITTEE, P.PROPERTY, P.DEPARTMENTS),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, f"{BASIS}；{OLD_ESTATES}"),
    Item("HJ-03", "环境改造", "楼道堆物清理", "楼道、消防通道堆放杂物的清理时间、方式和今后楼道物品摆放的约定。",
         (F.COUNCIL, F.JOINT, F.ONLINE), (P.STAKEHOLDERS, P.RESIDENT_REPS, P.PROPERTY),
         VoteRule.MAJORITY, MatterLevel.BUILDING, f"{BASIS}；《中华人民共和国消防法》第二十八条"),
    Item("TC-01", "停车管理", "车位划分", "小区公共道路和场地上停车位的施划、分配办法和收费标准。",
         (F.JOINT, F.COUNCIL, F.ONLINE), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS, P.STAKEHOLDERS),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, f"{CIVIL_CODE}第二百七十五条、第二百七十六条；{BASIS}"),
    Item("TC-02", "停车管理", "非机动车棚", "非机动车棚和电动自行车集中充电设施的选址、建设和收费管理。",
         (F.COUNCIL, F.DIALOGUE, F.ONLINE), (P.RESIDENT_REPS, P.STAKEHOLDERS, P.PROPERTY),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, f"{BASIS}；《高层民用建筑消防安全管理规定》"),
    Item("WY-01", "物业服务", "物业费调整", "物业服务收费标准的调整方案及对应的服务标准，由业主共同决定。",
         (F.HEARING, F.ONLINE), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS),
         VoteRule.OWNERS, MatterLevel.COMPOUND, f"{CIVIL_CODE}第二百七十八条；《物业管理条例》"),
    Item("WY-02", "物业服务", "选聘物业", "选聘、续聘和解聘物业服务企业及物业服务合同的主要内容，由业主共同决定。",
         (F.ONLINE, F.HEARING), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS, P.DEPARTMENTS),
         VoteRule.OWNERS, MatterLevel.COMPOUND, f"{CIVIL_CODE}第二百七十八条第一款第四项；《物业管理条例》"),
    Item("WY-03", "物业服务", "物业服务质量评议", "对照物业服务合同评议保洁、秩序维护、绿化和维修服务，评议结果作为续聘的参考。",
         (F.JOINT, F.COUNCIL, F.ONLINE), (P.RESIDENT_REPS, P.OWNERS_COMMITTEE, P.PROPERTY),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, f"《物业管理条例》；{BASIS}"),
    Item("GS-01", "公共收益", "公共收益使用", "利用共有部分产生的广告、停车、场地租赁等收入扣除合理成本后的使用方案，由业主共同决定。",
         (F.ONLINE, F.HEARING), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS),
         VoteRule.OWNERS, MatterLevel.COMPOUND, f"{CIVIL_CODE}第二百七十八条、第二百八十二条"),
    Item("GS-02", "公共收益", "维修资金使用", "使用专项维修资金维修、更新和改造电梯、屋顶、外墙、供水设施等共有部分，由业主共同决定。",
         (F.ONLINE, F.HEARING), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS),
         VoteRule.OWNERS, MatterLevel.COMPOUND,
         f"{CIVIL_CODE}第二百七十八条第一款第五项、第二百八十一条；《住宅专项维修资金管理办法》"),
    Item("GS-03", "公共收益", "共有部分经营", "利用小区共有部分设置广告、出租场地或者改变共有部分用途，由业主共同决定。",
         (F.ONLINE, F.HEARING), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS),
         VoteRule.OWNERS_MAJOR, MatterLevel.COMPOUND, f"{CIVIL_CODE}第二百七十八条第一款第八项、第二款"),
    Item("AQ-01", "安全防盗", "门禁安装", "小区出入口、单元门禁和车辆道闸的安装方案、费用来源和管理办法。",
         (F.COUNCIL, F.JOINT, F.ONLINE), (P.RESIDENT_REPS, P.OWNERS_COMMITTEE, P.PROPERTY),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, BASIS),
    Item("AQ-02", "安全防盗", "监控", "公共区域视频监控的点位、建设费用、接入方式和个人信息保护要求。",
         (F.COUNCIL, F.JOINT, F.ONLINE), (P.RESIDENT_REPS, P.PROPERTY, P.DEPARTMENTS),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, f"{BASIS}；《中华人民共和国个人信息保护法》第二十六条"),
    Item("YY-01", "油烟噪音", "餐饮油烟", "临街餐饮店油烟、异味扰民的整改措施、营业时间和监督办法，邀请经营者和相关部门共同协商。",
         (F.DIALOGUE, F.JOINT), (P.STAKEHOLDERS, P.RESIDENT_REPS, P.DEPARTMENTS, P.UNITS),
         VoteRule.CONSENSUS, MatterLevel.COMMUNITY, f"《中华人民共和国大气污染防治法》第八十一条；{BASIS}"),
    Item("YY-02", "油烟噪音", "广场舞噪音", "广场舞、晨练等公共场所文体活动的时段、音量和场地约定。",
         (F.DIALOGUE, F.COUNCIL), (P.STAKEHOLDERS, P.RESIDENT_REPS, P.PARTY_MEMBERS),
         VoteRule.MAJORITY, MatterLevel.COMMUNITY, f"《中华人民共和国噪声污染防治法》；{BASIS}"),
    Item("WM-01", "文明创建", "养犬管理", "文明养犬约定：遛犬时段、牵绳要求、犬只便溺点和劝导办法。",
         (F.COUNCIL, F.ONLINE), (P.RESIDENT_REPS, P.PARTY_MEMBERS, P.STAKEHOLDERS, P.PROPERTY),
         VoteRule.MAJORITY, MatterLevel.COMMUNITY, f"《中华人民共和国动物防疫法》；{BASIS}"),
    Item("WM-02", "文明创建", "垃圾分类", "垃圾分类投放点的设置、投放时间和督导安排。",
         (F.COUNCIL, F.ONLINE), (P.RESIDENT_REPS, P.PROPERTY, P.STAKEHOLDERS),
         VoteRule.MAJORITY, MatterLevel.COMPOUND, f"《中华人民共和国固体废物污染环境防治法》；{BASIS}"),
    Item("GY-01", "居民公约", "居民公约修订", "居民公约的制定和修订，经居民会议讨论通过后报街道备案。",
         (F.COUNCIL, F.HEARING), (P.RESIDENT_REPS, P.PARTY_MEMBERS, P.OWNERS_COMMITTEE, P.UNITS),
         VoteRule.TWO_THIRDS, MatterLevel.COMMUNITY, f"《中华人民共和国城市居民委员会组织法》第十五条；{BASIS}"),
    Item("GY-02", "居民公约", "管理规约修订", "小区管理规约的制定和修改，由业主共同决定。",
         (F.ONLINE, F.HEARING), (P.OWNERS_COMMITTEE, P.PROPERTY, P.RESIDENT_REPS),
         VoteRule.OWNERS, MatterLevel.COMPOUND, f"{CIVIL_CODE}第二百七十八条第一款第二项"),
)  # fmt: skip
# 站前社区's own item: the station square's night market.
LOCAL_ITEM = Item(
    "210302001001-YY-03", "油烟噪音", "夜市摊点管理",
    "站前广场夜市摊点的经营范围、时段、油烟和卫生保洁责任，邀请摊主、周边住户和城管执法部门协商。",
    (F.DIALOGUE, F.COUNCIL, F.JOINT), (P.STAKEHOLDERS, P.RESIDENT_REPS, P.DEPARTMENTS),
    VoteRule.MAJORITY, MatterLevel.COMMUNITY, f"{BASIS}；《站前社区居民议事规则》",
)  # fmt: skip
CATALOG_DAYS = 180  # the catalog was published half a year ago


# -- the scripts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class T:
    """A topic: ``compound`` is the community's n-th compound (by code),
    ``building`` the number of its building; ``proposer`` a ProposerKind or
    "demo" (the demo resident). ``state`` is where it stops unless a
    meeting's agenda takes it further."""

    key: str
    item: str
    title: str
    description: str
    days: float  # proposed this many days ago
    compound: int | None = None
    building: int | None = None
    proposer: str = ProposerKind.COMMUNITY
    body: str = ""
    state: str = TopicState.ACCEPTED
    cosigners: int = 0  # co-signers so far, for a topic still collecting them
    reason: str = ""  # rejected
    demo_cosigns: bool = False


@dataclass(frozen=True)
class Task:
    title: str
    weight: int
    due: int  # days after the decision
    progress: int = 0
    at: float = 0  # the last progress report, days after the decision


@dataclass(frozen=True)
class Out:
    owner: str  # OwnerKind
    name: str  # the owner's name (a department's, looked up)
    tasks: tuple[Task, ...]
    shelved: str = ""
    shelved_at: float = 0
    reviews: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class A:
    topic: str
    passes: bool = True
    decision: str = ""
    outcome: Out | None = None
    objection: tuple[str, str] = ("", "")  # a resident's objection and the community's answer
    secret: bool = False


@dataclass(frozen=True)
class M:
    """A meeting starting ``days`` from today (negative: past) at ``hour``.
    ``invitees``: (role, n, body) for n residents, (role, name, body) for a
    named person; ``absent`` and ``proxy`` index that flattened list."""

    form: str
    title: str
    days: int
    hour: tuple[int, int]
    agenda: tuple[A, ...]
    place: str = ""
    noticed: int = 5  # the notice went out this many days before the start
    window: int = 0  # an online consultation's days
    compound: int | None = None
    invitees: tuple[tuple[str, int | str, str], ...] = ()
    absent: tuple[int, ...] = ()
    proxy: int | None = None
    speeches: tuple[tuple[int | str, str], ...] = ()


@dataclass(frozen=True)
class Script:
    code: str
    topics: tuple[T, ...]
    meetings: tuple[M, ...]


R, S = ProposerKind, TopicState
ZQ_HALL = "站前社区红旗驿站居民议事厅"
LM_HALL = "利民社区党群服务中心会议室"
TT_HALL = "铁塔社区红旗驿站会议室"
ZQ_PROPERTY = ("property", "李建华", "宏达物业站前项目部")
LM_PROPERTY = ("property", "赵志强", "安居物业利民项目部")
TT_PROPERTY = ("property", "孙立新", "城建物业铁塔项目部")

ZHANQIAN = Script("210302001001", topics=(
    T("T1", "HJ-01", "站前小区3号楼加装电梯意见征集",
      "3号楼建于1998年，共六层，住户中60岁以上老人占一半以上，上下楼十分困难。多数住户希望加装电梯，"
      "想请社区组织协商电梯选址、费用分摊和对一二楼住户的补偿办法。", 84, 0, 3, R.RESIDENT),
    T("T2", "TC-02", "小区东门电动车棚选址",
      "站前小区现有车棚只有一个，电动车停不下，很多人把车推进楼道充电，存在火灾隐患。建议在东门内侧空地"
      "新建一处带充电桩的电动车棚，请大家一起商量具体位置和收费办法。", 88, 0, None, R.RESIDENT,
      demo_cosigns=True),
    T("T3", "TC-01", "胜利花园中心绿地改建停车位",
      "胜利花园车位缺口大，业委会提议将中心绿地东侧约400平方米改建为20个地面停车位。也有居民担心绿地减少、"
      "孩子没有活动场地，需要协商决定。", 80, 1, None, R.OWNERS_COMMITTEE, "胜利花园业主委员会"),
    T("T4", "YY-01", "烧烤店油烟扰民协商",
      "站前街12号楼下烧烤店每天营业到深夜，油烟直排，楼上住户常年不敢开窗，多次投诉后仍未根本解决。社区拟"
      "邀请店主、住户代表和生态环境部门一起协商油烟净化和营业时间问题。", 48),
    T("T5", "GS-01", "站前小区年度公共收益使用方案",
      "小区电梯广告、地面停车和快递柜场地等公共收益去年共计8.6万元。业委会提出使用方案：4万元更换单元门禁，"
      "3万元用于楼道照明改造，其余留作应急维修。按照民法典第二百七十八条，由业主共同决定。", 20, 0, None,
      R.OWNERS_COMMITTEE, "站前小区业主委员会"),
    T("T6", "AQ-01", "站前小区单元门禁系统升级改造",
      "小区单元门禁已使用十余年，多处损坏，外来人员随意进出。物业提出将单元门禁统一更换为刷卡加人脸识别门禁，"
      "老人可保留钥匙开门，请居民在线上表达意见。", 18, 0, None, R.PROPERTY, "宏达物业站前项目部"),
    T("T7", "HJ-03", "1号楼楼道堆物清理及消防通道整治",
      "1号楼各单元楼道里堆放了旧家具、纸箱和自行车，有的还占了消防通道，晚上上下楼容易磕碰。建议由楼栋长牵头，"
      "约定时间统一清理，并商量以后楼道物品摆放的规矩。", 12, 0, 1, "demo"),
    T("T8", "AQ-02", "站前小区增设监控探头",
      "最近小区北门和车棚附近接连发生电动车电瓶被盗，现有监控有盲区、画面不清。建议在北门、车棚和各单元口"
      "增设高清监控探头，费用从公共收益中列支，请大家附议。", 4, 0, None, R.RESIDENT, state=S.COSIGNING,
      cosigners=4),
    T("T9", "YY-02", "站前广场广场舞音响音量与时段约定",
      "站前广场每天晚上有三支广场舞队同时活动，音响音量很大，一直持续到晚上九点半以后，临街住户反映影响休息。"
      "建议社区组织舞队和住户代表一起约定活动时段和音量。", 6, proposer=R.PARTY_MEMBER, state=S.COSIGNING,
      cosigners=3),
    T("T10", "WY-01", "解放路小区物业费调整",
      "解放路小区物业费多年来一直为每月每平方米0.45元，物业公司提出因人工和能耗成本上涨，拟调整为0.60元，"
      "并同步公开收支明细和服务标准，请社区组织业主协商。", 2, 2, None, R.PROPERTY, "城建物业解放路项目部",
      state=S.REVIEW),
    T("T11", "TC-01", "请社区为我家车位安装充电桩",
      "我在解放路小区有产权车位，想安装电动汽车充电桩，物业一直不同意，希望社区出面协调。", 25, 2, None,
      R.RESIDENT, state=S.REJECTED,
      reason="该事项属于业主个人与物业服务企业之间的事务，不属于小区公共事务，不列入协商议题。社区已联系物业"
             "说明报装流程，您可持车位产权证明直接向物业和供电公司申请。"),
    T("T12", LOCAL_ITEM.code, "站前广场夜市摊点经营时间与卫生管理",
      "站前广场夜市摊点逐渐增多，带来便利的同时也有占道、油烟和垃圾问题。社区拟组织摊主、周边住户和城管执法"
      "部门协商，确定摊点范围、经营时间和卫生保洁责任。", 10),
    T("T13", "GY-01", "站前社区居民公约修订（文明养犬与楼道管理条款）",
      "现行居民公约制定于2016年，没有文明养犬、楼道堆物和高空抛物方面的约定。社区两委拟增加相关条款，"
      "先在议事会上讨论，再提交居民会议表决。", 9),
), meetings=(
    M(F.COUNCIL, "站前社区居民议事会", -70, (14, 30), place=ZQ_HALL, noticed=6, agenda=(
        A("T1", decision="同意3号楼加装电梯，井道设在楼北侧，费用按楼层系数分摊，一二楼住户不分摊并给予适当补偿。",
          outcome=Out(OwnerKind.COMMUNITY, "站前社区", (
              Task("电梯设计方案公示", 20, 20, 100, 15), Task("签订加装协议与费用分摊", 30, 80, 60, 55),
              Task("施工安装与验收", 50, 180))),
          objection=("我家住3号楼一楼，电梯井道建在北侧会挡住厨房的采光，希望再考虑一下位置。",
                     "已请设计单位复核：井道距您家厨房窗户2.4米，采用玻璃幕墙井道减少遮光；施工前将再次征求"
                     "一楼住户意见，补偿按协商结果执行。")),
        A("T2", decision="在东门内侧空地新建电动车棚一处，配建充电桩20个，充电按电价加服务费收取。",
          outcome=Out(OwnerKind.PROPERTY, "宏达物业站前项目部", (
              Task("车棚选址公示", 20, 10, 100, 7), Task("车棚建设及充电桩安装", 60, 40, 100, 35),
              Task("验收并投入使用", 20, 50, 100, 42)),
              reviews=((OutcomeRating.SATISFIED, "车棚建得很快，充电也方便了。"),
                       (OutcomeRating.SATISFIED, "楼道里终于没有电动车了。"),
                       (OutcomeRating.BASIC, "车棚离5号楼有点远，希望晚上加装照明。")))),
        A("T3", passes=False),
    ), invitees=(("resident_reps", 6, ""), ("party_members", 2, ""),
                 ("owners_committee", 1, "站前小区业主委员会"), ZQ_PROPERTY, ("units", "刘静", "城东第一中学")),
      absent=(4, 7), proxy=3, speeches=(
        ("chair", "宣读议事规则，介绍三项议题的提出和审核情况，说明本次会议的表决规则。"),
        (0, "3号楼老人多，加装电梯是大家盼了多年的事，希望尽快定下方案，费用分摊要公平。"),
        (1, "一楼住户担心采光和噪音，建议井道用玻璃幕墙，一二楼住户不分摊费用。"),
        (9, "物业支持在东门内侧建车棚，负责日常管理和充电设施维护，充电按电价加少量服务费收取。"),
        (8, "业委会认为小区车位缺口大，改建停车位能缓解停车难，也尊重居民保留绿地的意见。"),
        (6, "绿地是小区唯一的活动场地，老人孩子都离不开，不赞成改成停车位，建议与周边单位错时共享停车。"),
        (10, "学校晚上和周末可以向居民开放部分停车位，缓解停车压力。"))),
    M(F.DIALOGUE, "烧烤店油烟扰民恳谈会", -38, (19, 0), place="站前社区党群服务中心二楼会议室", agenda=(
        A("T4", decision="店主一个月内安装油烟净化设备并改为高空排放，每晚十点后停止室外烧烤；生态环境分局监测验收，"
                         "社区每月回访住户。",
          outcome=Out(OwnerKind.DEPARTMENT, "生态环境分局", (
              Task("晚间室外烧烤时间整改", 20, 7, 100, 5), Task("安装油烟净化设备并改造排烟管道", 60, 30, 50, 20),
              Task("监测验收与住户回访", 20, 45)))),
    ), invitees=(("stakeholders", 4, ""), ("stakeholders", "王海军", "老王烧烤店"),
                 ("departments", "周海涛", "城东区生态环境分局"), ("departments", "王建国", "城东区城管执法局"),
                 ZQ_PROPERTY),
      absent=(7,), speeches=(
        ("chair", "介绍居民投诉和前期调解情况，请各方坦诚沟通，争取形成一致意见。"),
        (0, "我家就在烧烤店楼上，夏天油烟和噪音到半夜，孩子没法写作业。"),
        (4, "我们愿意整改，已经联系了净化设备厂家，希望给一个月时间，也希望邻居们理解小本生意。"),
        (5, "按照大气污染防治法，必须安装油烟净化设施并保持正常使用，分局会在整改后上门监测。"),
        (6, "夜间室外烧烤和占道经营要停止，执法队会加强夜间巡查。"),
        (1, "只要按时装好设备、十点后不在外面烤，我们同意。"))),
    M(F.ONLINE, "站前小区公共收益与门禁改造线上协商", -4, (8, 0), noticed=4, window=8, compound=0, agenda=(
        A("T5"), A("T6"))),
    M(F.COUNCIL, "站前社区居民议事会", 7, (14, 30), place=ZQ_HALL, noticed=8, agenda=(A("T12"), A("T13")),
      invitees=(("resident_reps", 6, ""), ("party_members", 2, ""), ("units", "刘静", "城东第一中学"),
                ("departments", "王建国", "城东区城管执法局"), ("stakeholders", "赵淑芬", "站前广场夜市摊主代表"))),
))  # fmt: skip

LIMIN = Script("210302001002", topics=(
    T("L1", "WY-02", "利民小区选聘新物业服务企业",
      "原物业服务合同年底到期，业主对保洁、维修响应慢意见较大。业委会提出公开选聘新的物业服务企业，"
      "选聘方案和合同主要条款已在各单元张贴，由全体业主共同决定。", 60, 0, None, R.OWNERS_COMMITTEE,
      "利民小区业主委员会"),
    T("L2", "GS-02", "使用维修资金更换利民小区二次供水水泵",
      "小区二次供水泵房的两台水泵已运行十五年，今年多次故障停水。经检测需整体更换，预算12.8万元，"
      "拟申请使用专项维修资金，按各户建筑面积分摊。", 58, 0, None, R.OWNERS_COMMITTEE, "利民小区业主委员会"),
    T("L3", "HJ-02", "园林小区老旧供排水管网改造",
      "园林小区建于上世纪90年代，地下供排水管网老化，近两年爆管十余次。社区拟申报老旧小区改造项目，"
      "需要居民就改造范围、施工期间停水安排和道路恢复等事项达成一致。", 75, 1),
    T("L4", "HJ-03", "利民小区3号楼楼道杂物清理",
      "3号楼2单元楼道长期堆放废旧纸箱和杂物，楼道灯也被挡住，晚上老人上下楼很不安全。希望社区和物业组织"
      "一次集中清理，并和大家约定以后楼道不再堆放杂物。", 76, 0, 3, R.RESIDENT),
    T("L5", "TC-01", "园林小区拓宽道路增设停车位",
      "园林小区主干道两侧停满车辆，消防车进不来。建议把道路两侧绿化带各压缩一米，划出约30个停车位。",
      78, 1, None, R.RESIDENT),
    T("L6", "YY-02", "利民社区文化广场晨练音响音量约定",
      "文化广场每天早上五点半就有晨练队伍放音乐，周边住户被吵醒，矛盾越来越大。希望社区召集晨练队伍和"
      "住户代表商量活动时间和音量标准。", 14, proposer=R.PARTY_MEMBER),
    T("L7", "AQ-01", "园林小区加装小区大门门禁",
      "园林小区三个出入口都没有门禁，外来车辆和人员随意进出，还出现过推销和盗窃。建议在南门和东门加装门禁道闸，"
      "北门晚上十点后关闭。", 5, 1, None, R.RESIDENT, state=S.COSIGNING, cosigners=6),
    T("L8", "WM-01", "利民社区文明养犬倡议",
      "近期社区内发生两起犬只伤人事件，不拴绳遛狗、犬粪不清理的现象较多。社区拟与居民协商制定文明养犬约定，"
      "包括遛狗时段、牵绳要求和犬粪清理。", 3, state=S.REVIEW),
    T("L9", "WM-02", "利民小区垃圾分类投放点调整",
      "小区现有8个垃圾投放点，其中两处紧挨住户窗户，夏天异味大。建议撤并为6个，增设洗手池和除臭设备，"
      "定时定点投放。", 16, 0),
    T("L10", "WY-03", "要求物业退还多收的停车费",
      "物业去年多收了我家三个月的停车费，一直不退，希望社区开会讨论让物业退钱。", 30, 0, None, R.RESIDENT,
      state=S.REJECTED,
      reason="该事项属于个别业主与物业服务企业的合同纠纷，不属于居民协商事项。社区已安排人民调解委员会调解，"
             "您也可以通过12345热线或诉讼途径解决。"),
    T("L11", "TC-02", "利民小区增设电动自行车集中充电点",
      "小区电动自行车有四百多辆，只有一处充电点，很多居民从楼上拉线充电。建议在4号楼和6号楼之间空地增设"
      "集中充电点，配建遮雨棚和消防设施。", 25, 0, None, R.RESIDENT),
    T("L12", "AQ-02", "园林小区出入口及车棚监控补盲",
      "园林小区现有监控探头12个，出入口和车棚存在盲区，电动车被盗后无法调取录像。拟增设探头16个并接入"
      "社区综治中心。", 12, 1),
), meetings=(
    M(F.JOINT, "利民社区协商议事联席会", -63, (9, 30), place=LM_HALL, noticed=6, agenda=(
        A("L3", decision="同意申报老旧小区改造项目，优先改造供水管网，施工分段进行，每段停水不超过8小时并提前三天通知。",
          outcome=Out(OwnerKind.DEPARTMENT, "住建局", (
              Task("管网现状勘察与方案设计", 30, 30, 100, 25), Task("申报改造资金", 20, 45, 50, 35),
              Task("分段施工", 50, 200)),
              shelved="区住建局本年度老旧小区改造资金已用完，园林小区项目列入下一年度计划，待资金下达后重新启动施工。",
              shelved_at=50)),
        A("L4", decision="由物业出车、楼栋长组织，一周内集中清理3号楼楼道杂物，清理后制定楼道物品摆放约定。",
          outcome=Out(OwnerKind.COMMUNITY, "利民社区", (
              Task("张贴清理通知", 20, 5, 100, 3), Task("集中清理楼道杂物", 60, 15, 100, 12),
              Task("制定楼道物品摆放约定", 20, 20, 100, 26)))),
        A("L5", passes=False),
    ), invitees=(("party_members", 2, ""), ("resident_reps", 5, ""), ("owners_committee", 1, "利民小区业主委员会"),
                 LM_PROPERTY, ("departments", "李志刚", "城东区住建局"), ("units", "何静", "城东区图书馆")),
      absent=(10,), proxy=4, speeches=(
        ("chair", "通报三项议题的审核情况和住建局的改造计划，请与会各方发表意见。"),
        (9, "园林小区已列入老旧小区改造储备项目，管网改造资金由区财政和产权单位共同承担，居民不需出资。"),
        (2, "改造是好事，但施工期间停水要提前通知，最好分段施工。"),
        (8, "物业配合管网改造期间的秩序维护，3号楼楼道清理物业可以出车清运。"),
        (3, "3号楼楼道堆的东西很多是老人舍不得扔的，清理前要挨家挨户做工作。"),
        (5, "园林小区道路本来就窄，再压缩绿化带会影响消防通道，不赞成增设停车位。"),
        (0, "建议党员先带头清理自家楼道杂物。"))),
    M(F.ONLINE, "利民小区业主共同决定事项线上表决", -45, (8, 0), noticed=5, window=7, compound=0, agenda=(
        A("L1", secret=True, decision="公开选聘新的物业服务企业，选聘方案和合同主要条款按公示稿执行。",
          outcome=Out(OwnerKind.COMMUNITY, "利民小区业主委员会", (
              Task("发布选聘公告", 20, 10, 100, 6), Task("组织投标与评标", 40, 30, 100, 27),
              Task("签订物业服务合同并完成交接", 40, 60, 50, 34)))),
        A("L2", decision="同意使用专项维修资金12.8万元更换二次供水水泵，按各户建筑面积分摊。",
          outcome=Out(OwnerKind.PROPERTY, "安居物业利民项目部", (
              Task("申请维修资金并公示预算", 20, 15, 100, 10), Task("水泵采购与安装", 60, 30, 100, 24),
              Task("试运行与验收", 20, 40, 100, 33)),
              reviews=((OutcomeRating.SATISFIED, "换了新水泵，高层水压稳定多了。"),
                       (OutcomeRating.SATISFIED, "停水提前通知了，施工很顺利。")))),
    )),
    M(F.COUNCIL, "利民社区居民议事会", -3, (19, 0), place=LM_HALL, agenda=(
        A("L11", decision="在4号楼与6号楼之间增设集中充电点一处，配建40个充电口、遮雨棚和灭火器，由物业负责日常管理。",
          outcome=Out(OwnerKind.PROPERTY, "安居物业利民项目部", (
              Task("充电点选址公示", 20, 10), Task("充电设施建设", 60, 40), Task("验收投用", 20, 50)))),
    ), invitees=(("resident_reps", 5, ""), ("party_members", 1, ""), LM_PROPERTY, ("stakeholders", 2, "")),
      absent=(8,), proxy=2, speeches=(
        ("chair", "介绍充电点选址方案和消防部门的意见。"),
        (6, "物业支持建设集中充电点，建成后负责日常巡查，充电每小时收费不超过0.5元。"),
        (0, "楼上拉线充电太危险了，早就该建了。"),
        (7, "充电点离我家窗户近，希望装上遮挡，晚上不要有噪音。"),
        (5, "建议每月检查一次消防器材，发现问题及时在楼栋群里通报。"))),
    M(F.COUNCIL, "利民社区居民议事会", 7, (19, 0), place=LM_HALL, noticed=8, agenda=(A("L6"), A("L12")),
      invitees=(("resident_reps", 5, ""), ("party_members", 2, ""), ("stakeholders", "刘桂兰", "文化广场晨练队"),
                LM_PROPERTY, ("departments", "赵卫东", "站前派出所"))),
))  # fmt: skip

TIETA = Script("210302002001", topics=(
    T("TT1", "HJ-02", "老城里小区屋面防水与外墙保温改造",
      "老城里小区6栋楼都是上世纪80年代建成的砖混楼，顶层漏水、外墙脱落问题突出。老旧小区改造项目已获批，"
      "需要与居民协商施工顺序、材料选择和施工期间的安全措施。", 90, 0),
    T("TT2", "HJ-03", "铁塔小区2号楼楼道堆物清理",
      "2号楼楼道里堆满了腌菜缸、旧自行车和杂物，消防检查时被要求整改。希望社区组织住户一起清理，"
      "物业负责清运。", 92, 1, 2, R.RESIDENT),
    T("TT3", "HJ-01", "民安小区1号楼加装电梯",
      "1号楼是七层楼，高层住的多是老人，希望加装电梯。目前已有部分住户同意出资，但一楼和二楼住户担心采光和"
      "噪音，需要协商。", 94, 2, 1, R.RESIDENT),
    T("TT4", "AQ-01", "老城里小区出入口门禁道闸安装",
      "老城里小区是开放式小区，外来车辆穿行、乱停现象严重。物业提出在东西两个出入口安装车辆道闸和人行门禁，"
      "业主车辆免费登记，外来车辆临时收费。", 44, 0, None, R.PROPERTY, "城建物业铁塔项目部"),
    T("TT5", "WM-01", "铁塔小区文明养犬约定",
      "小区养犬户有六十多户，不拴绳、犬吠扰民、犬粪随地的问题经常引发邻里矛盾。建议制定小区文明养犬约定，"
      "设置犬只便溺点，由楼栋长和志愿者劝导。", 46, 1, None, R.PARTY_MEMBER),
    T("TT6", "YY-01", "铁塔路小吃街餐饮油烟治理",
      "铁塔路小吃街有十余家餐饮店，多数没有安装油烟净化设施，油烟直排进居民楼，居民反映强烈。社区拟邀请商户、"
      "住户代表和市场监管、生态环境部门协商整改办法。", 10),
    T("TT7", "TC-02", "老城里小区非机动车棚增设充电桩",
      "老城里小区车棚没有充电设施，居民只能把电池拿回家充电或飞线充电。建议在现有两个车棚内增设智能充电桩，"
      "按次收费，超时自动断电。", 15, 0, None, R.RESIDENT),
    T("TT8", "AQ-02", "铁塔小区监控补盲",
      "铁塔小区3号楼和5号楼之间的通道没有监控，晚上照明也差，前几天有居民在这里摔倒没人发现。建议增设监控"
      "和路灯。", 3, 1, None, R.RESIDENT, state=S.COSIGNING, cosigners=5),
    T("TT9", "WY-03", "民安小区物业服务质量评议",
      "民安小区居民对物业保洁、绿化养护和维修响应时间意见较多。社区拟组织居民代表、业委会和物业公司对照"
      "物业服务合同逐项评议，评议结果作为续聘依据。", 2, 2, state=S.REVIEW),
    T("TT10", "GS-01", "老城里小区公共收益收支公开与使用",
      "小区自行车棚出租和广告位每年有一笔收入，但居民从来没见过账目。建议物业每季度公示公共收益收支，"
      "并由业主共同决定今后的使用方向。", 20, 0, None, R.RESIDENT),
    T("TT11", "HJ-02", "要求拆除邻居私自扩建的阳台",
      "楼下邻居把阳台往外扩建了一米多，挡住了我家的光线，希望社区开会让他拆掉。", 28, 1, None, R.RESIDENT,
      state=S.REJECTED,
      reason="该事项属于违法建设查处，由城管执法部门依法处理，不宜通过居民协商表决决定。社区已将情况转城管执法局"
             "核查，并安排调解员上门了解情况。"),
    T("TT12", "GY-01", "铁塔社区居民公约增加高空抛物条款",
      "最近小区接连发生高空抛物，有一次花盆差点砸到孩子。建议在居民公约里增加禁止高空抛物、阳台物品固定的条款，"
      "并明确劝导和通报办法。", 7, proposer=R.PARTY_MEMBER, state=S.COSIGNING, cosigners=2),
), meetings=(
    M(F.JOINT, "铁塔社区协商议事联席会", -78, (9, 30), place=TT_HALL, noticed=6, agenda=(
        A("TT1", decision="同意按楼栋分批实施屋面防水和外墙保温改造，施工期间设置围挡和专人值守。",
          outcome=Out(OwnerKind.DEPARTMENT, "住建局", (
              Task("改造方案入户征求意见", 20, 20, 100, 14), Task("屋面防水施工", 40, 100, 70, 70),
              Task("外墙保温施工", 40, 130, 10, 72)))),
        A("TT2", decision="两周内由住户自行清理、物业集中清运2号楼楼道杂物，清理后物业每周巡查。",
          outcome=Out(OwnerKind.COMMUNITY, "铁塔社区", (
              Task("通知住户自行清理", 30, 7, 100, 5), Task("集中清运楼道杂物", 70, 14, 100, 10)),
              reviews=((OutcomeRating.SATISFIED, "楼道干净了，消防检查也通过了。"),))),
        A("TT3", passes=False),
    ), invitees=(("party_members", 2, ""), ("resident_reps", 5, ""), ("stakeholders", 2, ""), TT_PROPERTY,
                 ("departments", "李志刚", "城东区住建局"), ("units", "高峰", "城东热力有限公司")),
      absent=(6, 11), proxy=3, speeches=(
        ("chair", "说明老旧小区改造项目的批复情况和三项议题，请大家充分发表意见。"),
        (10, "老城里小区改造项目已获批，屋面防水和外墙保温按楼栋分批施工，预计工期五个月。"),
        (2, "施工期间脚手架要围挡好，老人孩子出入安全要有人管。"),
        (7, "我家住一楼，加装电梯后厨房采光会受影响，补偿方案没定之前我不同意。"),
        (8, "高层老人下楼太难了，希望一楼邻居体谅，费用我们多分摊一些。"),
        (9, "2号楼杂物清理物业出人出车，清理后每周巡查一次。"))),
    M(F.COUNCIL, "铁塔社区居民议事会", -33, (19, 0), place=TT_HALL, agenda=(
        A("TT4", decision="在东西出入口安装车辆道闸和人行门禁，业主车辆免费登记，外来车辆临时停车收费用于设备维护。",
          outcome=Out(OwnerKind.PROPERTY, "城建物业铁塔项目部", (
              Task("道闸和门禁设备采购", 30, 20, 100, 18), Task("安装调试", 50, 40, 40, 30),
              Task("业主车辆登记", 20, 45)))),
        A("TT5", decision="制定铁塔小区文明养犬约定，设置犬只便溺点两处，楼栋长和党员志愿者轮流劝导。",
          outcome=Out(OwnerKind.COMMUNITY, "铁塔社区", (
              Task("养犬约定张贴公示", 30, 10, 100, 8), Task("设置犬只便溺点", 40, 25),
              Task("志愿者劝导上岗", 30, 40, 50, 28)))),
    ), invitees=(("resident_reps", 6, ""), ("party_members", 2, ""), TT_PROPERTY),
      absent=(5,), proxy=1, speeches=(
        ("chair", "介绍门禁道闸方案和养犬约定草案。"),
        (8, "道闸和门禁由物业垫资安装，外来车辆临时停车收费用于设备维护。"),
        (0, "道闸装好后要保证救护车、消防车能随时进出。"),
        (6, "养犬约定建议由楼栋长和党员志愿者劝导，不文明养犬的在楼栋群里提醒。"),
        (3, "犬只便溺点要离儿童活动区远一点。"))),
    M(F.JOINT, "铁塔路小吃街油烟治理联席会", 7, (9, 30), place=TT_HALL, noticed=8, agenda=(A("TT6"),),
      invitees=(("resident_reps", 4, ""), ("stakeholders", 3, ""), ("stakeholders", "马丽华", "铁塔路小吃街商户代表"),
                ("departments", "孙丽华", "城东区市场监管局"), ("departments", "周海涛", "城东区生态环境分局"))),
    M(F.ONLINE, "老城里小区充电桩建设线上协商", 5, (8, 0), noticed=6, window=7, compound=0, agenda=(A("TT7"),)),
))  # fmt: skip

SCRIPTS = (ZHANQIAN, LIMIN, TIETA)
