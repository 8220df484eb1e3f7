"""Chinese text of appeals: content words (jieba) for duplicate suggestions
and a suggested category from a small keyword table. No network model.

jieba loads its dictionary on first use (about a second): it is done once per
process. Its cache file goes to SHEQU_VAR_DIR rather than the system temp
directory, and its log chatter is turned down.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from django.conf import settings

from shequ.appeals.models import AppealCategory

_lock = threading.Lock()
_ready = False

# Words that say nothing about what the appeal is about. Single characters
# are dropped anyway.
STOP_WORDS = frozenset(
    [
        "我们",
        "你们",
        "他们",
        "她们",
        "它们",
        "自己",
        "大家",
        "这个",
        "那个",
        "这些",
        "那些",
        "这里",
        "那里",
        "这样",
        "那样",
        "这么",
        "那么",
        "什么",
        "怎么",
        "怎么办",
        "为什么",
        "如何",
        "哪里",
        "哪些",
        "一个",
        "一些",
        "一下",
        "一直",
        "一点",
        "一样",
        "已经",
        "还是",
        "还有",
        "而且",
        "但是",
        "可是",
        "因为",
        "所以",
        "如果",
        "虽然",
        "然后",
        "或者",
        "以及",
        "并且",
        "希望",
        "请求",
        "要求",
        "反映",
        "问题",
        "情况",
        "现在",
        "目前",
        "每天",
        "经常",
        "总是",
        "非常",
        "特别",
        "比较",
        "严重",
        "影响",
        "能够",
        "可以",
        "需要",
        "没有",
        "不能",
        "不是",
        "就是",
        "社区",
        "居民",
        "小区",
        "谢谢",
        "麻烦",
        "帮忙",
        "解决",
        "处理",
        "尽快",
        "相关",
        "部门",
        "有关",
        "时候",
        "时间",
        "晚上",
        "白天",
        "早上",
        "今天",
        "昨天",
        "最近",
        "好几",
    ]
)

_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]*$")

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


def _jieba():
    """The jieba module, its dictionary loaded (once per process)."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = str(settings.VAR_DIR)
                jieba.dt.initialize()
                _ready = True
    return jieba


def content_words(text: str) -> list[str]:
    """The distinct content words of ``text``, in order of appearance."""
    seen: dict[str, None] = {}
    for word in _jieba().lcut(text or ""):
        word = word.strip().lower()
        if len(word) < 2 or word in STOP_WORDS or not _WORD.match(word):
            continue
        seen.setdefault(word, None)
    return list(seen)


def keywords_of(text: str) -> str:
    """What ``Appeal.keywords`` stores: content words, space separated."""
    return " ".join(content_words(text))[:4000]


def shared_score(words: Iterable[str], other: str) -> int:
    """How many of ``words`` also occur in ``other`` (a stored keywords text)."""
    mine = set(words)
    return len(mine & set(other.split()))


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


def gist(text: str, length: int) -> str:
    """The description on one line, cut to ``length`` characters with "…"
    (for titles of notifications, to-dos and records, which appeals lack)."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"
