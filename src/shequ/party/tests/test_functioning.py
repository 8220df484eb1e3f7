"""The 充分发挥作用 rule on its own (no database): published minutes over a
month, each threshold exactly at its boundary and one short of it, and the
sentence that names every figure against its threshold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from shequ.party.functioning import (
    judge,
    judged_days,
    open_minutes,
    published_minutes,
    required_open_minutes,
    rule_text,
)


@dataclass
class Rules:
    open_ratio: Decimal = Decimal("0.80")
    min_activities: int = 2
    min_hosted: int = 1


T = dt.time
OCTOBER = dt.date(2026, 10, 1)  # a Thursday; 31 days: 4 Mondays (5, 12, 19, 26)
MONDAY_MORNING = [(0, T(9), T(11, 30))]  # 周一 09:00–11:30, 150 minutes


def _judge(published=600, opened=480, activities=2, hosted=1, rules=None):
    return judge(published_minutes=published, open_minutes=opened,
                 activities_with_residents=activities, hosted=hosted, rules=rules or Rules())  # fmt: skip


def test_published_minutes_sum_the_timetable_over_the_days_of_the_month():
    hours = [*MONDAY_MORNING, (2, T(14), T(17)), (2, T(9), T(10))]  # 周三 240 minutes
    assert published_minutes(hours, month=OCTOBER, opened_on=dt.date(2025, 1, 1),
                             today=dt.date(2026, 11, 2)) == 4 * 150 + 4 * 240  # fmt: skip


def test_a_station_opened_mid_month_counts_from_its_opening_day():
    assert published_minutes(MONDAY_MORNING, month=OCTOBER, opened_on=dt.date(2026, 10, 13),
                             today=dt.date(2026, 11, 2)) == 2 * 150  # 19 and 26 October  # fmt: skip
    assert (
        judged_days(month=OCTOBER, opened_on=dt.date(2026, 11, 1), today=dt.date(2026, 11, 2))
        is None
    )


def test_a_month_in_progress_counts_the_days_up_to_today():
    november = dt.date(2026, 11, 1)
    # 2 November is a Monday: today counts, the rest of the month does not yet
    assert published_minutes(MONDAY_MORNING, month=november, opened_on=dt.date(2025, 1, 1),
                             today=dt.date(2026, 11, 2)) == 150  # fmt: skip
    assert published_minutes(MONDAY_MORNING, month=november, opened_on=dt.date(2025, 1, 1),
                             today=dt.date(2026, 11, 1)) == 0  # fmt: skip
    assert judged_days(month=dt.date(2026, 12, 1), opened_on=dt.date(2025, 1, 1),
                       today=dt.date(2026, 11, 2)) is None  # fmt: skip


def test_open_minutes_add_the_registered_openings():
    assert open_minutes([(T(9), T(11, 30)), (T(14), T(14, 1))]) == 151


def test_exactly_at_the_open_ratio_works_and_one_minute_less_does_not():
    assert _judge(published=600, opened=480).functioning is True  # 480 = 80% of 600
    assert _judge(published=600, opened=479).functioning is False


def test_the_open_ratio_is_compared_without_rounding():
    # 80% of 2399 is 1919.2: 1919 is short, 1920 meets it
    assert required_open_minutes(2399, Rules()) == 1920
    assert _judge(published=2399, opened=1919).functioning is False
    assert _judge(published=2399, opened=1920).functioning is True
    odd = Rules(open_ratio=Decimal("0.33"))
    assert _judge(published=100, opened=33, rules=odd).functioning is True
    assert _judge(published=100, opened=32, rules=odd).functioning is False


def test_nothing_published_never_works():
    verdict = _judge(published=0, opened=300)
    assert verdict.functioning is False
    assert verdict.reason == (
        "未充分发挥作用：本月没有公示开放时间（实际开放300分钟）；"
        "有居民参加的活动2次，达到2次；议事或服务活动1次，达到1次。"
    )


@pytest.mark.parametrize(("activities", "works"), [(2, True), (1, False), (3, True)])
def test_k_activities_with_residents_work_and_k_minus_one_does_not(activities, works):
    assert _judge(activities=activities).functioning is works


@pytest.mark.parametrize(("hosted", "works"), [(1, True), (0, False)])
def test_one_hosted_deliberation_or_service_works_and_none_does_not(hosted, works):
    assert _judge(hosted=hosted).functioning is works


def test_the_thresholds_come_from_the_rules():
    strict = Rules(open_ratio=Decimal("1.00"), min_activities=4, min_hosted=2)
    assert _judge(published=600, opened=600, activities=4, hosted=2, rules=strict).functioning
    assert not _judge(published=600, opened=599, activities=4, hosted=2, rules=strict).functioning
    assert not _judge(published=600, opened=600, activities=3, hosted=2, rules=strict).functioning
    assert not _judge(published=600, opened=600, activities=4, hosted=1, rules=strict).functioning


def test_the_reason_names_each_figure_against_its_threshold():
    assert _judge(published=600, opened=480).reason == (
        "充分发挥作用：实际开放480分钟，达到公示600分钟的80%（480分钟）；"
        "有居民参加的活动2次，达到2次；议事或服务活动1次，达到1次。"
    )
    assert _judge(published=600, opened=479, activities=1, hosted=0).reason == (
        "未充分发挥作用：实际开放479分钟，不足公示600分钟的80%（480分钟）；"
        "有居民参加的活动1次，少于2次；议事或服务活动0次，少于1次。"
    )


def test_the_rule_text_shown_on_the_pages():
    assert rule_text(Rules(open_ratio=Decimal("0.75"), min_activities=3, min_hosted=1)) == (
        "当月同时满足三项即为充分发挥作用：实际开放时长不低于公示开放时长的75%；"
        "有居民参加的活动不少于3次；议事或服务活动不少于1次。公示时长按每周开放时间逐日累计，"
        "自驿站启用之日起算，当月未结束的截至当天。"
    )
