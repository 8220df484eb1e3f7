"""Chinese words (jieba): the content words of a text, for duplicate and
similarity suggestions (appeals, deliberation topics), and a text's gist on
one line. No network model.

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
    """What a ``keywords`` column stores: content words, space separated."""
    return " ".join(content_words(text))[:4000]


def rank_by_shared_words(
    words: list[str], rows: Iterable[tuple[int, str]], limit: int
) -> list[tuple[int, int, tuple[str, ...]]]:
    """The ``limit`` rows (id, stored keywords text), newest first, that share
    most of ``words``: (id, how many, the shared words in ``words``' order),
    most first and the newer first among equals. Used to offer duplicates of
    an appeal and similar topics to merge."""
    mine = set(words)
    scored = []
    for rank, (pk, keywords) in enumerate(rows):
        shared = mine & set(keywords.split())
        if shared:
            scored.append((len(shared), -rank, pk, shared))
    scored.sort(reverse=True)
    order = {w: i for i, w in enumerate(words)}
    return [
        (pk, score, tuple(sorted(shared, key=lambda w: order.get(w, 0))))
        for score, _rank, pk, shared in scored[:limit]
    ]


def gist(text: str, length: int) -> str:
    """The description on one line, cut to ``length`` characters with "…"
    (for titles of notifications, to-dos and records of what has no title)."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1] + "…"
