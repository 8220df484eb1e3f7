"""A whistle title made from a description (when the raise names none): one
line, cut with an ellipsis, within the field's length."""

from __future__ import annotations

from shequ.whistles.models import Whistle
from shequ.whistles.whistle.services import title_from
from shequ.whistles.whistle.services.flow import AUTO_TITLE_MAX, TITLE_MAX


def test_short_text_is_kept_whole_on_one_line():
    assert title_from("  楼道堆物\n堵塞通道  ") == "楼道堆物 堵塞通道"
    exact = "一" * AUTO_TITLE_MAX
    assert title_from(exact) == exact


def test_long_text_is_cut_with_an_ellipsis_within_the_limit():
    text = (
        "小区北门外每天傍晚有流动摊贩占道经营，油烟和噪音很大，还堵塞了消防通道，请有关部门处理。"
    )
    title = title_from(text)
    assert title == "小区北门外每天傍晚有流动摊贩占道经营，油烟和噪音很大，还堵…"
    assert len(title) == AUTO_TITLE_MAX == 30


def test_cut_at_punctuation_drops_it_before_the_ellipsis():
    # the 29th character is a comma: "…" follows the words, not the comma
    text = "一" * 28 + "，" + "二" * 10
    assert title_from(text) == "一" * 28 + "…"


def test_limit_never_exceeds_the_title_field():
    field_max = Whistle._meta.get_field("title").max_length
    assert TITLE_MAX == field_max == 100
    title = title_from("长" * 500, limit=500)
    assert (len(title), title[-1]) == (100, "…")
