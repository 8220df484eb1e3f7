"""Duplicate suggestions (jieba content words, same category and place,
open) and the suggested category."""

from __future__ import annotations

from shequ.appeals.selectors import duplicate_candidates, suggested_category
from shequ.appeals.services import appeal_close, appeal_triage
from shequ.appeals.tests.helpers import raise_appeal
from shequ.appeals.text import suggest_category
from shequ.core.words import content_words


def test_content_words_drop_stop_words_and_single_characters():
    assert content_words("我们小区的路灯坏了，希望尽快维修") == ["路灯", "维修"]


def test_suggested_category():
    assert suggest_category("楼下烧烤店油烟太大") == "fumes"
    assert suggest_category("小区门口乱停车，车位不够") == "parking"
    assert suggest_category("今天天气很好") is None


def test_duplicate_ranking_on_a_known_set(tree, folks):
    w = folks.worker
    target = raise_appeal(w, tree.community, place=tree.compound, category="repair",
                          description="化机小区路灯损坏，夜间照明不足，老人走路容易摔倒")  # fmt: skip
    best = raise_appeal(w, tree.community, place=tree.compound, category="repair",
                        description="路灯损坏好几天，夜间照明不足")  # fmt: skip
    second = raise_appeal(w, tree.community, place=tree.building, category="repair",
                          description="楼前路灯损坏")  # fmt: skip
    raise_appeal(w, tree.community, place=tree.compound, category="repair",
                 description="单元门禁需要维修")  # no shared word  # fmt: skip
    raise_appeal(w, tree.community, place=tree.compound, category="noise",
                 description="路灯下广场舞声音大，照明不足")  # other category  # fmt: skip
    raise_appeal(folks.other_worker, tree.other_community, category="repair",
                 description="路灯损坏，夜间照明不足")  # other community  # fmt: skip
    closed = raise_appeal(w, tree.community, place=tree.compound, category="repair",
                          description="路灯损坏，夜间照明不足")  # fmt: skip
    appeal_triage(actor=w, appeal_id=closed.pk, decision="self")
    appeal_close(actor=w, appeal_id=closed.pk, result="已修好")

    found = duplicate_candidates(target)
    assert [(c.appeal.pk, c.score) for c in found] == [(best.pk, 5), (second.pk, 2)]
    assert found[0].shared == ("路灯", "损坏", "夜间", "照明", "不足")
    assert suggested_category(target) == "repair"


def test_no_compound_means_the_whole_community(tree, folks):
    w = folks.worker
    target = raise_appeal(w, tree.community, category="parking", description="消防通道被车辆占用")
    other = raise_appeal(w, tree.community, place=tree.building, category="parking",
                         description="车辆占用消防通道")  # fmt: skip
    assert [(c.appeal.pk, c.score) for c in duplicate_candidates(target)] == [(other.pk, 3)]


def test_at_most_five(tree, folks):
    w = folks.worker
    target = raise_appeal(
        w, tree.community, category="sanitation", description="垃圾桶满了没人清运"
    )
    for _ in range(7):
        raise_appeal(w, tree.community, category="sanitation", description="垃圾桶满了")
    assert len(duplicate_candidates(target)) == 5
