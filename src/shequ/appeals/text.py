"""A suggested category for an appeal, from a small keyword table. The
content words behind duplicate suggestions are ``core.words``'s."""

from __future__ import annotations

from shequ.appeals.models import AppealCategory

# A few telling words per category; the category with the most hits wins.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    AppealCategory.SANITATION: (
        "垃圾", "卫生", "清扫", "保洁", "异味", "臭", "污水", "粪便", "蚊虫", "老鼠", "堆放", "脏",
    ),
    AppealCategory.PARKING: (
        "停车", "车位", "占道", "车辆", "乱停", "电动车", "充电", "汽车", "僵尸车", "停放",
    ),
    AppealCategory.FUMES: ("油烟", "烧烤", "饭店", "餐馆", "排烟", "烟道", "熏"),
    AppealCategory.NOISE: ("噪音", "吵", "扰民", "广场舞", "装修", "喇叭", "施工", "深夜"),
    AppealCategory.ILLEGAL_BUILDING: ("违建", "私搭", "乱建", "违章", "搭建", "圈占", "加盖"),
    AppealCategory.PROPERTY: ("物业", "物业费", "保安", "门禁", "业委会", "电梯"),
    AppealCategory.SECURITY: ("被盗", "小偷", "防盗", "监控", "安全", "消防", "隐患", "可疑"),
    AppealCategory.REPAIR: (
        "维修", "漏水", "路灯", "坏了", "损坏", "堵塞", "下水道", "破损", "修", "井盖", "水管",
    ),
    AppealCategory.NEIGHBOUR: ("邻居", "楼上", "楼下", "纠纷", "矛盾", "吵架", "宠物", "狗"),
}  # fmt: skip


def suggest_category(text: str) -> str | None:
    """The category whose telling words occur most often in ``text``, or
    None when none occurs (ties go to the earlier category in the table)."""
    text = text or ""
    best, best_hits = None, 0
    for category, words in CATEGORY_WORDS.items():
        hits = sum(text.count(w) for w in words)
        if hits > best_hits:
            best, best_hits = str(category), hits
    return best
