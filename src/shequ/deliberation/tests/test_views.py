"""The deliberation pages, driven as their users drive them: the community
registers and reviews a topic, runs a meeting (notice, sign-in with a proxy,
a vote with a paper ballot and phone ballots, minutes in Word), answers an
objection and carries the outcome to done; residents co-sign, vote, object
and rate on their phone page; anyone reads the public board. Refusals come
back in Chinese with their 4xx and write nothing."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.core.models import AuditRecord, Notification
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.models import AgendaItem, Ballot, Invitee, Meeting, Outcome, Topic
from shequ.deliberation.tests.helpers import catalog_item, owners

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup(tree, people, clock):
    item = catalog_item(tree.district, tree.community)
    folks = owners(tree.unit, ["80.00", "90.00", "100.00", "110.00"])
    return item, folks


def test_a_topic_from_register_to_rated_outcome_through_the_pages(tree, people, setup, clock):
    item, folks = setup
    staff = _client(people.worker)
    # the community registers a topic for the property company
    page = staff.get(reverse("deliberation:topic_new"))
    assert page.status_code == 200 and "加装电梯" in page.content.decode()
    r = staff.post(reverse("deliberation:topic_new"), {
        "item_id": item.pk, "proposer_kind": "property", "proposer_body": "宏达物业",
        "place": tree.compound.pk, "title": "1号楼加装电梯", "description": "老人多，上下楼难。",
    })  # fmt: skip
    topic = Topic.objects.get()
    assert r.status_code == 302 and (topic.status, topic.proposer_body) == ("review", "宏达物业")
    assert "1号楼加装电梯" in staff.get(reverse("deliberation:topics")).content.decode()
    r = staff.post(reverse("deliberation:topic_review", args=[topic.pk]), {"decision": "accept"})
    assert r.status_code == 302 and Topic.objects.get().status == "accepted"
    # schedule: too early for the notice period is refused on the page
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    r = staff.post(reverse("deliberation:meeting_new"), {
        "form": "council", "title": "化机小区议事会", "starts_at": starts, "place": "红旗驿站居民议事厅",
        "topic_ids": [topic.pk],
    })  # fmt: skip
    meeting = Meeting.objects.get()
    assert r.status_code == 302
    console = reverse("deliberation:meeting", args=[meeting.pk])
    invite = reverse("deliberation:meeting_invite", args=[meeting.pk])
    for o in folks[:3]:
        assert (
            staff.post(invite, {"role": "resident_reps", "resident_id": o.resident.pk}).status_code
            == 302
        )
    assert (
        staff.post(invite, {"role": "property", "name": "李经理", "body": "宏达物业"}).status_code
        == 302
    )
    step = reverse("deliberation:meeting_step", args=[meeting.pk])
    assert (
        staff.post(step, {"step": "notice", "notice_text": "定于11月6日召开议事会。"}).status_code
        == 302
    )
    refused = staff.post(step, {"step": "open"})
    assert refused.status_code == 409 and "公告期未满" in refused.content.decode()
    clock.advance(days=4)
    staff.force_login(people.worker)  # the session of four days ago has expired
    assert staff.post(step, {"step": "open"}).status_code == 302
    invitees = list(Invitee.objects.filter(meeting=meeting).order_by("pk"))

    def sign(invitee, **data):
        return staff.post(reverse("deliberation:sign_in", args=[meeting.pk, invitee.pk]), data)

    assert sign(invitees[0]).status_code == 302
    refused = sign(invitees[1], proxy_name="张小明", proxy_relation="儿子")
    assert refused.status_code == 422 and "须有书面授权" in refused.content.decode()
    assert Meeting.objects.get().present == 1
    assert (
        sign(
            invitees[1], proxy_name="张小明", proxy_relation="儿子", proxy_authorisation="委托书001"
        ).status_code
        == 302
    )
    assert sign(invitees[2]).status_code == 302
    page = staff.get(console).content.decode()
    assert "委托 张小明（儿子）" in page and "达到法定人数" in page
    agenda = AgendaItem.objects.get()
    vote = reverse("deliberation:vote", args=[meeting.pk, agenda.pk])
    assert staff.post(vote, {"step": "open"}).status_code == 302
    # residents vote on their phone page; the proxy's paper ballot is recorded
    phone = _client(folks[0].resident.user)
    assert f"vote-{agenda.pk}" in phone.get(reverse("deliberation:mine")).content.decode()
    my_vote = reverse("deliberation:my_vote", args=[agenda.pk])
    assert phone.post(my_vote, {"choice": "yes"}).status_code == 302
    twice = phone.post(my_vote, {"choice": "no"})
    assert twice.status_code == 409 and "已经投过票" in twice.content.decode()
    stranger = _client(folks[3].resident.user)  # not invited: may not vote at the meeting
    assert stranger.post(my_vote, {"choice": "no"}).status_code == 403
    assert (
        staff.post(
            vote, {"step": "record", "invitee_id": invitees[1].pk, "choice": "yes"}
        ).status_code
        == 302
    )
    assert Ballot.objects.count() == 2
    assert (
        staff.post(
            vote, {"step": "close", "decision": "同意加装电梯，费用按楼层分摊。"}
        ).status_code
        == 302
    )
    agenda.refresh_from_db()
    assert (agenda.yes, agenda.no, agenda.eligible, agenda.passed) == (2, 0, 3, True)
    # minutes, and their Word file read back
    r = staff.post(reverse("deliberation:minutes", args=[meeting.pk]), {
        "chair": "刘书记", "recorder": "王干事", "speaker": ["赵大爷", ""], "speaker_role": ["居民代表", ""],
        "speech": ["支持加装，低层住户的采光要考虑。", ""], "minutes": "经表决，同意1号楼加装电梯。",
    })  # fmt: skip
    assert r.status_code == 302
    word = staff.get(reverse("deliberation:minutes_docx", args=[meeting.pk]))
    assert word.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "赵大爷" in text and "同意1号楼加装电梯" in text
    assert staff.post(step, {"step": "close"}).status_code == 302
    # publicity: a resident objects, the community answers
    board = _client(people.worker).get(reverse("deliberation:public", args=[tree.community.code]))
    public = (
        Client().get(reverse("deliberation:public", args=[tree.community.code])).content.decode()
    )
    assert board.status_code == 200 and "同意加装电梯" in public
    assert (
        phone.post(
            reverse("deliberation:object", args=[agenda.pk]), {"content": "低层采光受影响"}
        ).status_code
        == 302
    )
    objection = agenda.objections.get()
    answer = reverse("deliberation:objection_answer", args=[meeting.pk, objection.pk])
    assert staff.post(answer, {"answer": "已请设计单位做采光分析。"}).status_code == 302
    # the outcome: two weighted tasks, done, rated
    outcome = Outcome.objects.get()
    edit = reverse("deliberation:outcome_edit", args=[outcome.pk])
    assert (
        staff.post(
            edit, {"step": "assign", "owner_kind": "property", "owner_name": "宏达物业"}
        ).status_code
        == 302
    )
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert (
        staff.post(
            edit, {"step": "task", "title": "报规划审批", "weight": "1", "due": due}
        ).status_code
        == 302
    )
    assert (
        staff.post(
            edit, {"step": "task", "title": "施工安装", "weight": "3", "due": due}
        ).status_code
        == 302
    )
    bad = staff.post(edit, {"step": "task", "title": "验收", "weight": "0", "due": due})
    assert bad.status_code == 422 and "权重应为1到100的整数" in bad.content.decode()
    first, second = outcome.tasks.order_by("order")

    def progress(task, value):
        url = reverse("deliberation:task_progress", args=[outcome.pk, task.pk])
        return staff.post(url, {"progress": value})

    assert progress(first, 100).status_code == 302
    assert Outcome.objects.get().progress == 25
    assert progress(second, 100).status_code == 302
    outcome.refresh_from_db()
    assert (outcome.status, outcome.on_time) == ("done", True)
    assert Notification.objects.filter(
        recipient=folks[0].resident.user, kind="outcome.status"
    ).exists()
    rate = reverse("deliberation:rate", args=[outcome.pk])
    assert stranger.post(rate, {"rating": "satisfied"}).status_code == 403
    assert phone.post(rate, {"rating": "satisfied"}).status_code == 302
    assert Outcome.objects.get().satisfied == 1
    # every step audited
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"topic.propose", "meeting.notice", "meeting.sign_in", "vote.cast", "vote.close",
            "meeting.minutes", "objection.raise", "objection.answer", "outcome.progress",
            "outcome.rate"} <= actions  # fmt: skip


def test_residents_cosign_and_propose_on_their_phone_page(tree, people, setup):
    item, folks = setup
    phone = _client(folks[0].resident.user)
    r = phone.post(reverse("deliberation:propose"), {"item_id": item.pk, "title": "增设电动车棚",
                                                      "description": "楼道里停满电动车，不安全。"})  # fmt: skip
    topic = Topic.objects.get()
    assert r.status_code == 302 and topic.status == "cosigning"
    bad = phone.post(
        reverse("deliberation:propose"),
        {"item_id": item.pk, "title": "x", "description": "<b>hi</b>"},
    )
    assert bad.status_code == 422 and Topic.objects.count() == 1
    neighbour = _client(folks[1].resident.user)
    assert f"topic-{topic.pk}" in neighbour.get(reverse("deliberation:mine")).content.decode()
    cosign = reverse("deliberation:cosign", args=[topic.pk])
    assert neighbour.post(cosign).status_code == 302
    again = neighbour.post(cosign)
    assert again.status_code == 409 and "已经附议过" in again.content.decode()
    stranger = owners(tree.other_unit, ["70.00"], start=300)[0]
    assert _client(stranger.resident.user).post(cosign).status_code in (403, 404)
    assert Topic.objects.get().cosigners == 1


def test_review_refusals_and_similar_topics(tree, people, setup):
    item, folks = setup
    worker = Actor.for_user(people.worker)
    a = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="小区停车位不足",
                        description="晚上停车位不足，车辆乱停堵塞消防通道。", place=tree.compound)  # fmt: skip
    b = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="规划停车位",
                        description="希望重新规划停车位，消防通道不能堵。", place=tree.compound)  # fmt: skip
    staff = _client(people.worker)
    page = staff.get(reverse("deliberation:topic", args=[b.pk])).content.decode()
    assert f"into-{a.pk}" in page  # offered as a similar topic to merge into
    url = reverse("deliberation:topic_review", args=[b.pk])
    refused = staff.post(url, {"decision": "reject", "reason": ""})
    assert refused.status_code == 422 and "理由" in refused.content.decode()
    assert staff.post(url, {"decision": "nope"}).status_code == 422
    assert staff.post(url, {"decision": "merge", "into_id": a.pk}).status_code == 302
    assert (Topic.objects.get(pk=b.pk).status, Topic.objects.get(pk=b.pk).merged_into_id) == (
        "merged",
        a.pk,
    )


def test_who_sees_what(tree, people, setup):
    item, folks = setup
    worker = Actor.for_user(people.worker)
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="加装电梯",
                            description="加装电梯。", place=tree.compound)  # fmt: skip
    url = reverse("deliberation:topic", args=[topic.pk])
    assert _client(people.inspector).get(url).status_code == 200
    assert _client(people.building_head).get(url).status_code == 200  # the building's compound
    assert _client(people.other_worker).get(url).status_code == 404
    liaison = _client(people.department_liaison)
    assert liaison.get(url).status_code == 404
    assert liaison.get(reverse("deliberation:topics"))["Location"] == reverse(
        "deliberation:outcomes"
    )
    inspector_write = _client(people.inspector).post(reverse("deliberation:topic_review", args=[topic.pk]),
                                                     {"decision": "accept"})  # fmt: skip
    assert inspector_write.status_code == 403 and Topic.objects.get().status == "review"


def test_catalog_and_figures_pages(tree, people, setup, clock):
    item, folks = setup
    staff = _client(people.worker)
    page = staff.get(reverse("deliberation:catalog")).content.decode()
    assert "共 1 个门类、1 条内容" in page and "已采用" in page
    xlsx = staff.get(reverse("deliberation:catalog_export"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    worker = Actor.for_user(people.worker)
    s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="加装电梯",
                    description="加装电梯。", place=tree.compound)  # fmt: skip
    figures = _client(people.district_admin).get(reverse("deliberation:figures"))
    assert figures.status_code == 200
    rows = figures.context["figures"]
    assert rows.total["raised"] == 1 and rows.categories[0]["category"] == "环境改造"
    street = next(r for r in rows.rows if r["region"].pk == tree.street.pk)
    assert street["raised"] == 1
    bad = _client(people.other_worker).get(
        reverse("deliberation:figures"), {"region": tree.community.pk}
    )
    assert bad.status_code == 404


@pytest.mark.parametrize("name", ["topics", "meetings", "outcomes"])
def test_list_pages_cost_the_same_for_one_row_or_ten(
    tree, people, setup, name, django_assert_num_queries
):
    item, folks = setup
    worker = Actor.for_user(people.worker)
    staff = _client(people.worker)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(reverse(f"deliberation:{name}")).status_code == 200
        return len(ctx.captured_queries)

    def add() -> None:
        t = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="加装电梯",
                            description="加装电梯。", place=tree.compound)  # fmt: skip
        s.topic_accept(actor=worker, topic_id=t.pk)
        s.meeting_schedule(actor=worker, community=tree.community, form="council", title="议事会",
                           starts_at=timezone.now() + dt.timedelta(days=4), topic_ids=[t.pk], place="议事厅")  # fmt: skip

    add()
    one = count()
    for _ in range(9):
        add()
    assert count() == one
