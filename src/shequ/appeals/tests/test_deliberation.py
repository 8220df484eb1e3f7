"""The whole flow: an appeal triaged to deliberation, its topic reviewed,
put on a meeting with a notice period, signed in to quorum (a proxy with
its authorisation), voted, minuted, published with an objection answered,
carried out by two weighted tasks; the appeal closes and residents rate
the outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.appeals.models import Appeal
from shequ.appeals.services import appeal_triage
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.errors import Conflict, PermissionDenied
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.models import AgendaItem, Outcome, Topic
from shequ.deliberation.tests.helpers import catalog_item, owners

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def flow(tree, people, clock, settings):
    settings.DELIBERATION_COSIGN_RESIDENTS = 2
    item = catalog_item(tree.district, tree.community)
    worker = Actor.for_user(people.worker)
    folks = owners(tree.unit, ["80.00", "90.00", "100.00", "110.00"])
    return item, worker, folks


def _meeting(tree, worker, topic):
    return s.meeting_schedule(actor=worker, community=tree.community, form="council",
                              title="化机小区议事会", starts_at=timezone.now() + dt.timedelta(days=3),
                              topic_ids=[topic.pk], place="红旗驿站居民议事厅")  # fmt: skip


def test_the_whole_flow_from_appeal_to_rated_outcome(tree, people, flow, clock):
    item, worker, folks = flow
    appeal = raise_appeal(Actor.for_user(folks[0].resident.user), tree.community,
                          description="小区1号楼没有电梯，老人上下楼困难，希望加装电梯。")  # fmt: skip
    # triage: put to deliberation -> a topic in review, linked from the appeal
    appeal = appeal_triage(actor=worker, appeal_id=appeal.pk, decision="deliberation",
                           topic={"item_id": item.pk, "title": "1号楼加装电梯", "place": tree.building})  # fmt: skip
    topic = Topic.objects.get(pk=appeal.topic_id)
    assert (appeal.status, topic.status, topic.proposer_kind) == (
        "deliberation",
        "review",
        "appeal",
    )
    topic = s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = _meeting(tree, worker, topic)
    invitees = [s.meeting_invite(actor=worker, meeting_id=meeting.pk, role="resident_reps",
                                 resident_id=o.resident.pk) for o in folks]  # fmt: skip
    s.meeting_notice(actor=worker, meeting_id=meeting.pk, notice_text="定于11月5日召开议事会。")
    with pytest.raises(Conflict, match="公告期未满"):
        s.meeting_open(actor=worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=worker, meeting_id=meeting.pk)
    agenda = AgendaItem.objects.get(meeting=meeting)
    s.meeting_sign_in(actor=worker, invitee_id=invitees[0].pk)
    s.meeting_sign_in(actor=worker, invitee_id=invitees[1].pk)
    with pytest.raises(Conflict, match="未超过应到4人的半数"):
        s.vote_open(actor=worker, item_id=agenda.pk)
    s.meeting_sign_in(actor=worker, invitee_id=invitees[2].pk, proxy_name="张小明", proxy_relation="儿子",
                      proxy_authorisation="授权委托书 2026-001")  # fmt: skip
    s.vote_open(actor=worker, item_id=agenda.pk)
    s.ballot_cast(actor=folks[0].actor, item_id=agenda.pk, choice="yes")
    s.ballot_cast(actor=folks[1].actor, item_id=agenda.pk, choice="yes")
    s.ballot_cast(actor=worker, item_id=agenda.pk, choice="no", invitee_id=invitees[2].pk)
    agenda = s.vote_close(
        actor=worker, item_id=agenda.pk, decision="同意1号楼加装电梯，费用按楼层分摊。"
    )
    assert (agenda.eligible, agenda.yes, agenda.no, agenda.passed) == (3, 2, 1, True)
    assert agenda.publicity_until == dt.date(2026, 11, 12)  # 5 working days after Thu 5 Nov
    s.meeting_minutes(actor=worker, meeting_id=meeting.pk, chair="刘书记", recorder="王干事",
                      speeches=[{"name": "业主1", "role": "居民代表", "summary": "赞成加装。"}],
                      minutes="会议表决通过加装电梯。")  # fmt: skip
    s.meeting_close(actor=worker, meeting_id=meeting.pk)
    objection = s.objection_raise(
        actor=folks[3].actor, item_id=agenda.pk, content="一楼住户不同意分摊。"
    )
    s.objection_answer(actor=worker, objection_id=objection.pk, answer="一楼住户不分摊费用。")
    outcome = Outcome.objects.get(topic=topic)
    t1 = s.outcome_task_add(actor=worker, outcome_id=outcome.pk, title="设计与报批", weight=30,
                            due=dt.date(2026, 12, 1), milestone=True)  # fmt: skip
    t2 = s.outcome_task_add(actor=worker, outcome_id=outcome.pk, title="施工安装", weight=70,
                            due=dt.date(2027, 3, 1))  # fmt: skip
    s.outcome_task_progress(actor=worker, task_id=t1.pk, progress=100)
    outcome.refresh_from_db()
    assert (outcome.status, outcome.progress) == ("in_progress", Decimal("30.00"))
    s.outcome_task_progress(actor=worker, task_id=t2.pk, progress=50)
    outcome.refresh_from_db()
    assert outcome.progress == Decimal("65.00")
    s.outcome_task_progress(actor=worker, task_id=t2.pk, progress=100, note="电梯已投入使用")
    outcome.refresh_from_db()
    assert (outcome.status, outcome.progress, outcome.on_time) == ("done", Decimal("100.00"), True)
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.status == "closed" and "电梯已投入使用" in appeal.result
    s.outcome_rate(actor=folks[0].actor, outcome_id=outcome.pk, rating="satisfied")
    with pytest.raises(Conflict, match="已经评价过"):
        s.outcome_rate(actor=folks[0].actor, outcome_id=outcome.pk, rating="satisfied")
    with pytest.raises(PermissionDenied, match="提议、附议或参与表决"):
        s.outcome_rate(actor=folks[3].actor, outcome_id=outcome.pk, rating="basic")
    outcome.refresh_from_db()
    assert (outcome.ratings, outcome.satisfied) == (1, 1)
    # every step left its timeline event and audit record
    actions = list(AuditRecord.objects.order_by("id").values_list("action", flat=True))
    for expected in ["appeal.deliberate", "topic.propose", "topic.accept", "meeting.schedule",
                     "topic.schedule", "meeting.invite", "meeting.notice", "meeting.open",
                     "meeting.sign_in", "vote.open", "vote.cast", "vote.close", "topic.decide",
                     "outcome.create", "meeting.minutes", "meeting.close", "objection.raise",
                     "objection.answer", "outcome.task_add", "outcome.progress",
                     "appeal.deliberation_close", "outcome.rate"]:  # fmt: skip
        assert expected in actions, expected
    topic_events = list(TimelineEvent.objects.filter(object_id=topic.pk, content_type__model="topic")
                        .values_list("action", flat=True))  # fmt: skip
    assert topic_events == ["propose", "accept", "schedule", "decide"]
