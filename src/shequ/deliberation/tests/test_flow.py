"""Topics, meetings and votes: co-signing, the notice period, proxies,
quorum, the owners' rule by household and area, secret ballots (the whole
flow from an appeal is in ``appeals/tests/test_deliberation.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.models import (
    AgendaItem,
    Ballot,
    Meeting,
    Outcome,
    SecretTally,
    Topic,
)
from shequ.deliberation.tests.helpers import catalog_item, owners

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def flow(tree, people, clock):
    item = catalog_item(tree.district, tree.community)
    worker = Actor.for_user(people.worker)
    folks = owners(tree.unit, ["80.00", "90.00", "100.00", "110.00"])
    return item, worker, folks


def _meeting(tree, worker, topic, clock, **kw):
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form=kw.pop("form", "council"),
                                 title="化机小区议事会", starts_at=timezone.now() + dt.timedelta(days=3),
                                 topic_ids=[topic.pk], place="红旗驿站居民议事厅", **kw)  # fmt: skip
    return meeting


def test_cosigners_over_the_threshold_send_a_resident_topic_to_review(tree, flow):
    item, worker, folks = flow
    topic = s.topic_propose(actor=folks[0].actor, community=tree.community, item_id=item.pk,
                            title="增设非机动车棚", description="电动车没地方停。")  # fmt: skip
    assert (topic.status, topic.threshold, topic.compound_id) == ("cosigning", 2, tree.compound.pk)
    with pytest.raises(Conflict, match="无需附议"):
        s.topic_cosign(actor=folks[0].actor, topic_id=topic.pk)
    s.topic_cosign(actor=folks[1].actor, topic_id=topic.pk)
    with pytest.raises(Conflict, match="已经附议过"):
        s.topic_cosign(actor=folks[1].actor, topic_id=topic.pk)
    topic = s.topic_cosign(actor=folks[2].actor, topic_id=topic.pk)
    assert (topic.status, topic.cosigners, topic.review_due) == ("review", 2, dt.date(2026, 11, 9))


def test_a_resident_of_another_compound_cannot_cosign_or_vote(tree, flow, clock):
    item, worker, folks = flow
    stranger = owners(tree.other_unit, ["70.00"], start=300)[0]
    topic = s.topic_propose(actor=folks[0].actor, community=tree.community, item_id=item.pk,
                            title="增设非机动车棚", description="电动车没地方停。")  # fmt: skip
    with pytest.raises(Exception, match="不存在|管辖范围"):
        s.topic_cosign(actor=stranger.actor, topic_id=topic.pk)
    assert Topic.objects.get(pk=topic.pk).cosigners == 0


def test_topic_text_is_checked_and_nothing_is_written(tree, flow):
    item, worker, folks = flow
    for title, description, message in [("电梯", "<script>x</script>", "HTML"),
                                        ("电梯", "长" * 4001, "不能超过4000字")]:  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            s.topic_propose(actor=folks[0].actor, community=tree.community, item_id=item.pk,
                            title=title, description=description)  # fmt: skip
    assert Topic.objects.count() == 0


def test_a_meeting_must_be_noticed_in_time(tree, flow, clock):
    item, worker, folks = flow
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="停车管理",
                            description="划定车位。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="council", title="议事会",
                                 starts_at=timezone.now() + dt.timedelta(days=2), topic_ids=[topic.pk],
                                 place="居民议事厅")  # fmt: skip
    s.meeting_invite(
        actor=worker, meeting_id=meeting.pk, role="property", name="李经理", body="宏达物业"
    )
    with pytest.raises(ValidationError, match="至少提前3天"):
        s.meeting_notice(actor=worker, meeting_id=meeting.pk)
    assert Meeting.objects.get(pk=meeting.pk).status == "planned"


def test_proxy_needs_a_written_authorisation(tree, flow, clock):
    item, worker, folks = flow
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="停车管理",
                            description="划定车位。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = _meeting(tree, worker, topic, clock)
    invitee = s.meeting_invite(actor=worker, meeting_id=meeting.pk, role="resident_reps",
                               resident_id=folks[0].resident.pk)  # fmt: skip
    s.meeting_notice(actor=worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=worker, meeting_id=meeting.pk)
    with pytest.raises(ValidationError, match="须有书面授权"):
        s.meeting_sign_in(
            actor=worker, invitee_id=invitee.pk, proxy_name="张小明", proxy_relation="儿子"
        )
    assert Meeting.objects.get(pk=meeting.pk).present == 0
    with pytest.raises(Conflict, match="法定人数"):
        s.meeting_minutes(actor=worker, meeting_id=meeting.pk, chair="刘", recorder="王", speeches=[],
                          minutes="无")  # fmt: skip


def test_owners_vote_online_by_household_and_area_secretly(tree, people, clock):
    """民法典第278条 on a known compound: 4 households, 380 m²; a secret
    online ballot; nobody's choice is stored beside them."""
    item = catalog_item(tree.district, tree.community, code="GG-01", rule="owners_major")
    worker = Actor.for_user(people.worker)
    folks = owners(tree.unit, ["80.00", "90.00", "100.00", "110.00"])
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk,
                            title="筹集维修资金更换水泵", description="水泵老化，维修资金余额不足，需续筹。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="online", title="线上协商",
                                 starts_at=timezone.now() + dt.timedelta(days=3),
                                 ends_at=timezone.now() + dt.timedelta(days=10),
                                 topic_ids=[topic.pk], secret=True)  # fmt: skip
    s.meeting_notice(actor=worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=worker, meeting_id=meeting.pk)
    agenda = AgendaItem.objects.get(meeting=meeting)
    for owner, choice in zip(folks[:3], ["yes", "yes", "no"], strict=True):
        s.ballot_cast(actor=owner.actor, item_id=agenda.pk, choice=choice)
    with pytest.raises(Conflict, match="只能投一次"):
        s.ballot_cast(actor=folks[0].actor, item_id=agenda.pk, choice="no")
    assert set(Ballot.objects.filter(item=agenda).values_list("choice", flat=True)) == {""}
    assert not AuditRecord.objects.filter(action="vote.cast", changes__has_key="choice").exists()
    assert {(t.choice, t.count, t.area) for t in SecretTally.objects.filter(item=agenda)} == {
        ("yes", 2, Decimal("170.00")), ("no", 1, Decimal("100.00"))}  # fmt: skip
    agenda = s.vote_close(actor=worker, item_id=agenda.pk)
    # 3 of 4 households (≥2/3) with 270 of 380 m² (≥2/3) took part; 2 of 3 (<3/4): fails.
    assert (agenda.eligible, agenda.eligible_area, agenda.participants, agenda.passed) == (
        4, Decimal("380.00"), 3, False)  # fmt: skip
    assert Topic.objects.get(pk=topic.pk).status == "not_passed"
    assert not Outcome.objects.exists()
    clock.advance(days=8)
    with pytest.raises(Conflict):
        s.ballot_cast(actor=folks[3].actor, item_id=agenda.pk, choice="yes")


def test_a_building_head_proposes_for_their_building_only(tree, people, clock):
    item = catalog_item(tree.district, tree.community, code="LD-01", level="building")
    head = Actor.for_user(people.building_head)
    topic = s.topic_propose(actor=head, community=tree.community, item_id=item.pk, title="楼道堆物清理",
                            description="楼道堆满杂物。", place=tree.building)  # fmt: skip
    assert (topic.proposer_kind, topic.building_id, topic.status) == (
        "building_head",
        tree.building.pk,
        "cosigning",
    )
    compound_item = catalog_item(tree.district, tree.community, code="LD-02", level="compound")
    with pytest.raises(PermissionDenied, match="本楼栋"):
        s.topic_propose(actor=head, community=tree.community, item_id=compound_item.pk, title="停车",
                        description="停车。", place=tree.compound)  # fmt: skip
