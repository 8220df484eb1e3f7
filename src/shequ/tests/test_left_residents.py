"""A resident who moved away (迁出) is no longer offered as one of the
community's residents by the other apps: a window intake with their ID number
does not link the case to the old register entry, and the appeal, meeting
invitation and building-head searches do not find them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequ.appeals.selectors import community_residents
from shequ.core.scope import Actor
from shequ.core.selectors import district_id_of
from shequ.deliberation.models import Meeting
from shequ.deliberation.selectors import residents_for_invite
from shequ.desk.cases.services import Applicant, case_intake
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify
from shequ.residents.models import LeaveReason, Relation
from shequ.residents.retention import resident_leave
from shequ.residents.tests.helpers import resident

NUMBER = "210302195003150014"


@pytest.fixture
def moved(tree, people):
    """王秀英 of 站前社区 (with a housemate as head), who moved away today."""
    resident(tree.unit, name="王建国", seq=3, relation=Relation.HEAD, room="101")
    person = resident(tree.unit, name="王秀英", number=NUMBER, room="101")
    resident_leave(
        actor=Actor.for_user(people.worker),
        resident=person,
        left_at=timezone.localdate(),
        reason=LeaveReason.MOVED_OUT,
    )
    return person


def test_an_intake_does_not_link_the_case_to_a_resident_who_left(tree, people, moved):
    item = make_item(tree.district)
    adopt(tree.community, item)
    window = make_window(tree.community)
    qualify(people.worker, tree.community)
    case = case_intake(
        actor=Actor.for_user(people.worker),
        community=tree.community,
        item=item,
        applicant=Applicant(name="王秀英", id_number=NUMBER, phone="13840001234"),
        provided=["居民身份证", "户口簿", "近期一寸免冠照片"],
        window=window,
    ).case
    assert case is not None and case.resident_id is None


def test_the_searches_do_not_offer_a_resident_who_left(tree, people, moved):
    worker = Actor.for_user(people.worker)
    assert list(community_residents(actor=worker, community=tree.community, q="王秀英")) == []
    assert [
        r.name for r in community_residents(actor=worker, community=tree.community, q="王建国")
    ] == ["王建国"]
    meeting = Meeting(
        district_id=district_id_of(tree.community), community=tree.community, compound=None
    )
    assert [r.name for r in residents_for_invite(meeting=meeting, q="王")] == ["王建国"]
