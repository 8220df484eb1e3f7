"""How a vote is decided: pure arithmetic on a tally, exact at every boundary.

Chinese legal counting: "过半数" is strictly more than half; "三分之二以上"
and "四分之三以上" include the boundary (民法典第一千二百五十九条: 以上 includes
本数). Areas are Decimals with two places and every comparison is done by
multiplying, never by dividing, so a boundary is never lost to rounding.

- 到会人员过半数 / 三分之二以上: the base is everyone present (an abstention
  or a missing ballot counts against).
- 协商一致: everyone present agrees.
- 民法典第278条 (the compound's owners, one household one owner with its
  floor area): at least two-thirds of the owners by number *and* of the
  floor area take part; an ordinary matter needs more than half of the
  participants by number and by area (items 1–5 and 9 of the article:
  议事规则, 管理规约, 业委会, 物业, 使用维修资金 …); a major matter (items
  6–8: 筹集维修资金, 改建重建, 改变共有部分用途或利用其经营) at least
  three-quarters of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shequ.deliberation.models import VoteRule

ZERO = Decimal("0")


@dataclass(frozen=True)
class Tally:
    eligible: int  # present (meeting rules) or the compound's households (owners' rules)
    yes: int
    no: int
    abstain: int
    eligible_area: Decimal = ZERO
    yes_area: Decimal = ZERO
    no_area: Decimal = ZERO
    abstain_area: Decimal = ZERO

    @property
    def participants(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def participants_area(self) -> Decimal:
        return self.yes_area + self.no_area + self.abstain_area


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str  # one sentence in Chinese, for the minutes and the publicity


def _pct(part: int | Decimal, whole: int | Decimal) -> str:
    if not whole:
        return "0%"
    return f"{Decimal(part) * 100 / Decimal(whole):.2f}%"


def decide(rule: str, tally: Tally) -> Verdict:
    """Whether the vote passed under ``rule``, and why."""
    t = tally
    if rule == VoteRule.MAJORITY:
        ok = t.yes * 2 > t.eligible
        return Verdict(ok, f"同意{t.yes}票，占到会{t.eligible}人的{_pct(t.yes, t.eligible)}，"
                           f"{'超过' if ok else '未超过'}半数。")  # fmt: skip
    if rule == VoteRule.TWO_THIRDS:
        ok = t.yes * 3 >= t.eligible * 2
        return Verdict(ok, f"同意{t.yes}票，占到会{t.eligible}人的{_pct(t.yes, t.eligible)}，"
                           f"{'达到' if ok else '未达到'}三分之二。")  # fmt: skip
    if rule == VoteRule.CONSENSUS:
        ok = t.eligible > 0 and t.yes == t.eligible
        return Verdict(ok, f"到会{t.eligible}人，同意{t.yes}人，"
                           f"{'协商一致' if ok else '未能协商一致'}。")  # fmt: skip
    if rule in (VoteRule.OWNERS, VoteRule.OWNERS_MAJOR):
        return _owners(rule, t)
    raise ValueError(f"unknown vote rule {rule!r}")


def _owners(rule: str, t: Tally) -> Verdict:
    took_part = (
        t.eligible > 0
        and t.participants * 3 >= t.eligible * 2
        and t.participants_area * 3 >= t.eligible_area * 2
    )
    part = (
        f"参与表决{t.participants}户（占{_pct(t.participants, t.eligible)}），"
        f"面积{t.participants_area}平方米（占{_pct(t.participants_area, t.eligible_area)}）"
    )
    if not took_part:
        return Verdict(False, f"{part}，未达到专有部分面积和人数均三分之二以上，表决无效。")
    if rule == VoteRule.OWNERS:
        ok = t.yes * 2 > t.participants and t.yes_area * 2 > t.participants_area
        need = "均过半数"
    else:
        ok = t.yes * 4 >= t.participants * 3 and t.yes_area * 4 >= t.participants_area * 3
        need = "均达到四分之三以上"
    agree = (
        f"同意{t.yes}户（占参与表决的{_pct(t.yes, t.participants)}），"
        f"面积{t.yes_area}平方米（占{_pct(t.yes_area, t.participants_area)}）"
    )
    return Verdict(ok, f"{part}；{agree}，{'' if ok else '未'}满足人数和面积{need}。")
