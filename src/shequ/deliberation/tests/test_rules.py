"""The vote rules at each boundary, on known counts and areas (exact)."""

from decimal import Decimal as D

import pytest

from shequ.deliberation.models import VoteRule
from shequ.deliberation.rules import Tally, decide


@pytest.mark.parametrize(
    ("eligible", "yes", "passed"),
    [(10, 5, False), (10, 6, True), (9, 5, True), (9, 4, False), (1, 1, True), (0, 0, False)],
)
def test_majority_is_strictly_more_than_half_of_those_present(eligible, yes, passed):
    verdict = decide(VoteRule.MAJORITY, Tally(eligible=eligible, yes=yes, no=0, abstain=0))
    assert verdict.passed is passed


@pytest.mark.parametrize(
    ("eligible", "yes", "passed"), [(9, 6, True), (9, 5, False), (10, 7, True), (10, 6, False)]
)
def test_two_thirds_includes_the_boundary(eligible, yes, passed):
    verdict = decide(VoteRule.TWO_THIRDS, Tally(eligible=eligible, yes=yes, no=0, abstain=1))
    assert verdict.passed is passed


def test_consensus_needs_everyone_present():
    assert decide(VoteRule.CONSENSUS, Tally(eligible=5, yes=5, no=0, abstain=0)).passed
    assert not decide(VoteRule.CONSENSUS, Tally(eligible=5, yes=4, no=0, abstain=1)).passed


def _owners(yes, no, abstain, yes_area, no_area, abstain_area, eligible=30, area=D("3000.00")):
    return Tally(
        eligible=eligible,
        yes=yes,
        no=no,
        abstain=abstain,
        eligible_area=area,
        yes_area=D(yes_area),
        no_area=D(no_area),
        abstain_area=D(abstain_area),
    )


def test_owners_participation_needs_two_thirds_by_number_and_by_area():
    # 20 of 30 households (exactly 2/3) holding 2000 of 3000 m² (exactly 2/3): valid.
    at = _owners(20, 0, 0, "2000.00", "0", "0")
    assert decide(VoteRule.OWNERS, at).passed
    # 19 households: one short by number.
    assert not decide(VoteRule.OWNERS, _owners(19, 0, 0, "2500.00", "0", "0")).passed
    # 25 households but 1999.99 m²: one hundredth short by area.
    short = decide(VoteRule.OWNERS, _owners(25, 0, 0, "1999.99", "0", "0"))
    assert not short.passed and "表决无效" in short.reason


def test_owners_ordinary_matter_needs_more_than_half_of_participants_by_both():
    # 20 take part (2000 m²): 11 yes with 1000.01 m² passes; 10 yes or 1000.00 m² does not.
    assert decide(VoteRule.OWNERS, _owners(11, 9, 0, "1000.01", "999.99", "0")).passed
    assert not decide(VoteRule.OWNERS, _owners(10, 9, 1, "1200.00", "700", "100")).passed
    assert not decide(VoteRule.OWNERS, _owners(11, 9, 0, "1000.00", "1000.00", "0")).passed


def test_owners_major_matter_needs_three_quarters_of_participants_by_both():
    # 20 take part with 2000 m²: 15 yes (3/4) with 1500 m² (3/4) passes, at the boundary.
    passed = decide(VoteRule.OWNERS_MAJOR, _owners(15, 5, 0, "1500.00", "500.00", "0"))
    assert passed.passed
    assert passed.reason == (
        "参与表决20户（占66.67%），面积2000.00平方米（占66.67%）；"
        "同意15户（占参与表决的75.00%），面积1500.00平方米（占75.00%），满足人数和面积均达到四分之三以上。"
    )
    assert not decide(VoteRule.OWNERS_MAJOR, _owners(14, 6, 0, "1600.00", "400", "0")).passed
    assert not decide(VoteRule.OWNERS_MAJOR, _owners(15, 5, 0, "1499.99", "500.01", "0")).passed
