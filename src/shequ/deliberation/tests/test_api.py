"""The deliberation API: topics (propose with Idempotency-Key, co-sign,
review), meetings and the vote, outcomes and their tasks, the figures; bad
input refused in Chinese with nothing written; who may read and write what;
lists whose query count does not grow with their rows."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.core.api_auth import token_issue
from shequ.core.models import AuditRecord, RegionLevel
from shequ.core.scope import Actor
from shequ.core.tests.factories import make_region
from shequ.deliberation import services as s
from shequ.deliberation.api import router
from shequ.deliberation.models import (
    AgendaItem,
    Ballot,
    ConsultationItem,
    Meeting,
    Outcome,
    OutcomeTask,
    Topic,
    TopicCosign,
)
from shequ.deliberation.tests.helpers import Owner, catalog_item, owners
from shequ.whistles.models import Liaison

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BASE = "/api/deliberation"


@dataclass
class World:
    item: ConsultationItem
    worker: Actor
    folks: list[Owner]  # owners of 化机小区 (tree.unit), with accounts
    next_door: Owner  # lives in 化机二区, another compound of the same community
    stranger: Owner  # lives in 利民社区 (tree.other_unit)


@pytest.fixture
def w(tree, people, clock) -> World:
    item = catalog_item(tree.district, tree.community)
    compound = make_region(name="化机二区", code="210302001001002", level=RegionLevel.COMPOUND,
                           parent=tree.community)  # fmt: skip
    building = make_region(name="1号楼", code="210302001001002001", level=RegionLevel.BUILDING,
                           parent=compound)  # fmt: skip
    unit = make_region(name="1单元", code="21030200100100200101", level=RegionLevel.UNIT,
                       parent=building)  # fmt: skip
    return World(
        item=item,
        worker=Actor.for_user(people.worker),
        folks=owners(tree.unit, ["80.00", "90.00", "100.00", "110.00"]),
        next_door=owners(unit, ["60.00"], start=200)[0],
        stranger=owners(tree.other_unit, ["70.00"], start=300)[0],
    )


def _post(client, url, body=None, **headers):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def _as(client, who) -> None:
    client.logout()
    client.force_login(who.resident.user if isinstance(who, Owner) else who)


def _topic(tree, w: World, title: str = "停车管理") -> Topic:
    return s.topic_propose(actor=w.worker, community=tree.community, item_id=w.item.pk,
                           title=title, description="划定车位。", place=tree.compound)  # fmt: skip


def _online(tree, w: World, clock, topics: list[Topic]) -> Meeting:
    """An online consultation on ``topics`` (accepted here), noticed and open:
    its window closes 7 days after it opens."""
    for t in topics:
        s.topic_accept(actor=w.worker, topic_id=t.pk)
    meeting = s.meeting_schedule(actor=w.worker, community=tree.community, form="online",
                                 title="线上协商", starts_at=timezone.now() + dt.timedelta(days=3),
                                 ends_at=timezone.now() + dt.timedelta(days=10),
                                 topic_ids=[t.pk for t in topics])  # fmt: skip
    s.meeting_notice(actor=w.worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    return s.meeting_open(actor=w.worker, meeting_id=meeting.pk)


def _decided(tree, w: World, clock, n: int) -> list[Outcome]:
    """``n`` topics voted through online (one yes of one voter each): their outcomes."""
    meeting = _online(tree, w, clock, [_topic(tree, w, f"议题{i}") for i in range(n)])
    for item in AgendaItem.objects.filter(meeting=meeting).order_by("order"):
        s.ballot_cast(actor=w.folks[0].actor, item_id=item.pk, choice="yes")
        s.vote_close(actor=w.worker, item_id=item.pk)
    return list(Outcome.objects.order_by("id"))


def _written() -> tuple:
    """What a refused request must leave as it was."""
    return (
        sorted(Topic.objects.values_list("pk", "status", "cosigners", "reason")),
        TopicCosign.objects.count(),
        sorted(Ballot.objects.values_list("pk", "choice")),
        sorted(OutcomeTask.objects.values_list("pk", "progress")),
        AuditRecord.objects.filter(success=True).exclude(action__startswith="auth.").count(),
    )


def _text(data) -> str:
    """Every string of a JSON answer, joined (the raw body escapes Chinese)."""
    if isinstance(data, dict):
        return " ".join(_text(v) for v in data.values())
    if isinstance(data, list):
        return " ".join(_text(v) for v in data)
    return data if isinstance(data, str) else ""


def _refusals(client, calls) -> list[tuple[int, str]]:
    out = []
    for method, url, body in calls:
        r = client.get(url) if method == "GET" else _post(client, url, body)
        out.append((r.status_code, r.json()["detail"]))
    return out


# -- topics ------------------------------------------------------------------------------------


def test_a_worker_proposes_once_per_idempotency_key_and_reads_it_back(client, tree, people, w):
    client.force_login(people.worker)
    body = {"community_id": tree.community.pk, "item_id": w.item.pk, "title": "停车管理",
            "description": "划定车位。", "place_id": tree.compound.pk, "proposer_kind": "property",
            "proposer_body": "宏达物业"}  # fmt: skip
    first = _post(client, f"{BASE}/topics", body, HTTP_IDEMPOTENCY_KEY="t-1")
    again = _post(client, f"{BASE}/topics", body, HTTP_IDEMPOTENCY_KEY="t-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    topic = Topic.objects.get()
    data = dict(first.json())
    assert dt.datetime.fromisoformat(data.pop("proposed_at")) == CLOCK_START
    assert data == {
        "id": topic.pk, "number": topic.number, "status": "review", "status_label": "待审核",
        "category": "环境改造", "title": "停车管理", "description": "划定车位。",
        "community_id": tree.community.pk, "community": "站前社区", "compound": "化机小区",
        "building": "", "proposer_kind": "property", "proposer": "物业服务企业·宏达物业",
        "threshold": 0, "cosigners": 0, "review_due": "2026-11-09", "item_code": "HJ-01",
        "item_name": "加装电梯", "reason": "", "merged_into": "", "handed_over_to": "",
    }  # fmt: skip
    assert client.get(f"{BASE}/topics/{topic.pk}").json() == first.json()
    listed = client.get(f"{BASE}/topics", {"status": "review", "q": "停车"}).json()
    assert (listed["count"], [t["number"] for t in listed["items"]]) == (1, [topic.number])
    assert client.get(f"{BASE}/topics", {"status": "accepted"}).json()["count"] == 0


def test_residents_propose_and_neighbours_cosign_it_to_review(client, tree, w):
    me, first, second = w.folks[:3]
    _as(client, me)
    body = {"community_id": tree.community.pk, "item_id": w.item.pk, "title": "增设非机动车棚",
            "description": "电动车没地方停。"}  # fmt: skip
    proposed = _post(client, f"{BASE}/topics", body)
    assert proposed.status_code == 201
    data = proposed.json()
    assert (data["status"], data["threshold"], data["compound"], data["proposer"]) == (
        "cosigning", 2, "化机小区", "居民")  # fmt: skip
    # the proposer is 业主1 (phone 13900000100): neither leaves
    assert me.resident.name == "业主1"
    assert "业主1" not in _text(data) and "1390000" not in _text(data)
    url = f"{BASE}/topics/{data['id']}/cosign"

    _as(client, first)
    signed = _post(client, url)
    assert (signed.status_code, signed.json()["cosigners"], signed.json()["status"]) == (
        200, 1, "cosigning")  # fmt: skip
    twice = _post(client, url)
    assert (twice.status_code, twice.json()["detail"]) == (409, "您已经附议过这个议题了。")
    _as(client, second)
    reached = _post(client, url).json()
    assert (reached["cosigners"], reached["status"], reached["review_due"]) == (
        2, "review", "2026-11-09")  # fmt: skip
    assert TopicCosign.objects.count() == 2


def test_review_accepts_and_rejects_with_a_reason(client, tree, people, w):
    kept, dropped = _topic(tree, w, "停车管理"), _topic(tree, w, "广场舞噪音")
    client.force_login(people.worker)
    accepted = _post(client, f"{BASE}/topics/{kept.pk}/accept", {"note": "列入议题库"})
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    before = _written()
    assert _refusals(client, [
        ("POST", f"{BASE}/topics/{dropped.pk}/reject", {}),
        ("POST", f"{BASE}/topics/{dropped.pk}/reject", {"reason": "<i>不</i>"}),
        ("POST", f"{BASE}/topics/{kept.pk}/reject", {"reason": "重复"}),
        ("POST", f"{BASE}/topics/{kept.pk}/accept", {}),
    ]) == [
        (422, "请填写理由。"),
        (422, "理由只能是纯文字，不能包含HTML标签。"),
        (409, "该事项当前状态为“已列入议题库”，不能执行“不予受理”。"),
        (409, "该事项当前状态为“已列入议题库”，不能执行“审核通过，列入议题库”。"),
    ]  # fmt: skip
    assert _written() == before
    rejected = _post(
        client, f"{BASE}/topics/{dropped.pk}/reject", {"reason": "属于物业服务合同事项"}
    )
    assert (rejected.status_code, rejected.json()["status"], rejected.json()["reason"]) == (
        200, "rejected", "属于物业服务合同事项")  # fmt: skip


def test_bad_proposals_are_refused_in_chinese_and_write_nothing(client, tree, people, w):
    client.force_login(people.worker)
    good = {"community_id": tree.community.pk, "item_id": w.item.pk, "title": "停车管理",
            "description": "划定车位。", "place_id": tree.compound.pk}  # fmt: skip
    before = _written()
    assert _refusals(client, [
        ("POST", f"{BASE}/topics", good | {"community_id": 99999999999999999999}),
        ("POST", f"{BASE}/topics", good | {"community_id": tree.other_community.pk}),
        ("POST", f"{BASE}/topics", good | {"item_id": 99999999999999999999}),
        ("POST", f"{BASE}/topics", good | {"place_id": tree.other_unit.pk}),
        ("POST", f"{BASE}/topics", good | {"description": "<script>alert(1)</script>"}),
        ("POST", f"{BASE}/topics", good | {"description": "长" * 4001}),
        ("POST", f"{BASE}/topics", good | {"title": ""}),
        ("POST", f"{BASE}/topics", good | {"proposer_kind": "resident"}),
        ("POST", f"{BASE}/topics", good | {"community_id": "abc"}),
        ("GET", f"{BASE}/topics?status=nope", None),
        ("GET", f"{BASE}/topics/99999999999999999999", None),
        ("GET", f"{BASE}/topics/abc", None),
    ]) == [
        (404, "没有找到该社区。"),
        (404, "没有找到该社区。"),
        (422, "所选协商条目不存在或已停用。"),
        (422, "议题地点须是本社区的小区或楼栋。"),
        (422, "议题说明只能是纯文字，不能包含HTML标签。"),
        (422, "议题说明不能超过4000字。"),
        (422, "请填写议题。"),
        (422, "请选择提议方：社区、党员、业委会、物业或驻区单位。"),
        (422, "请求数据格式不正确。"),
        (422, "未知的议题状态。"),
        (404, "议题不存在，或不在您的管辖范围内。"),
        (404, "接口地址不存在。"),
    ]  # fmt: skip
    assert _written() == before
    # a refused key is not kept: the corrected request goes through under it
    refused = _post(client, f"{BASE}/topics", good | {"title": ""}, HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 422
    assert _post(client, f"{BASE}/topics", good, HTTP_IDEMPOTENCY_KEY="k").status_code == 201


# -- meetings and the vote ---------------------------------------------------------------------


def test_residents_vote_online_once_within_the_window(
    client, tree, people, w, clock, django_assert_num_queries
):
    topic = _topic(tree, w)
    meeting = _online(tree, w, clock, [topic])
    item = AgendaItem.objects.get(meeting=meeting)
    _token, raw = token_issue(user=w.folks[0].resident.user, name="手机")
    url = f"{BASE}/agenda/{item.pk}/ballots"

    # The hot path: the token (and its last use), the grants, then the service
    # alone: lock the item, the resident, the ballot, the audit record (and savepoints).
    with django_assert_num_queries(11):
        cast = _post(client, url, {"choice": "yes"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert cast.status_code == 201
    ballot = Ballot.objects.get()
    assert cast.json() == {"ballot_id": ballot.pk, "item_id": item.pk, "recorded": False}
    assert (ballot.resident_id, ballot.choice) == (w.folks[0].resident.pk, "yes")

    before = _written()
    _as(client, w.folks[0])
    again = _refusals(client, [("POST", url, {"choice": "no"})])
    _as(client, w.folks[1])
    wrong = _refusals(client, [
        ("POST", url, {"choice": "maybe"}),
        ("POST", url, {"choice": "yes", "invitee_id": 1}),
        ("POST", f"{BASE}/agenda/99999999999999999999/ballots", {"choice": "yes"}),
        ("GET", f"{BASE}/agenda/{item.pk}/result", None),
    ])  # fmt: skip
    _as(client, w.next_door)
    next_door = _refusals(client, [("POST", url, {"choice": "yes"})])
    _as(client, w.stranger)
    stranger = _refusals(client, [("POST", url, {"choice": "yes"})])
    staff = []
    for account in (people.inspector, people.building_head):
        client.force_login(account)
        staff += _refusals(client, [("POST", url, {"choice": "yes"})])
    clock.advance(days=8)  # past the window
    _as(client, w.folks[1])
    late = _refusals(client, [("POST", url, {"choice": "yes"})])
    assert (again, wrong, next_door, stranger, staff, late) == (
        [(409, "已经投过票了，每人（每户）只能投一次。")],
        [(422, "请选择同意、反对或弃权。"),
         (403, "您没有“组织协商会议（公告、签到、表决、纪要）”的权限。"),
         (404, "议程不存在，或不在您的管辖范围内。"),
         (403, "表决结束后才公布结果。")],
        [(403, "只有议题所涉小区（楼栋）的居民才能参与表决。")],
        [(404, "议程不存在，或不在您的管辖范围内。")],
        [(403, "当前角色无权执行此操作。")] * 2,
        [(409, "表决已截止。")],
    )  # fmt: skip
    assert _written() == before

    client.force_login(people.worker)
    tally = client.get(f"{BASE}/agenda/{item.pk}/result").json()
    assert (tally["final"], tally["eligible"], tally["yes"], tally["no"], tally["passed"]) == (
        False, 1, 1, 0, None)  # fmt: skip
    s.vote_close(actor=w.worker, item_id=item.pk)
    _as(client, w.folks[1])
    result = client.get(f"{BASE}/agenda/{item.pk}/result").json()
    assert (result["final"], result["participants"], result["yes"], result["passed"]) == (
        True, 1, 1, True)  # fmt: skip
    assert result["publicity_until"] == "2026-11-20"  # closed on Friday 13th: 5 working days
    assert result["verdict"] == "同意1票，占到会1人的100.00%，超过半数。"
    detail = client.get(f"{BASE}/meetings/{meeting.pk}").json()
    agenda = [(a["topic_number"], a["vote_state"], a["result"]["passed"]) for a in detail["agenda"]]
    assert agenda == [(topic.number, "closed", True)]


def test_a_meeting_lists_its_invitees_only_to_the_staff_who_run_it(client, tree, people, w, clock):
    topic = _topic(tree, w)
    s.topic_accept(actor=w.worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=w.worker, community=tree.community, form="council",
                                 title="化机小区议事会", starts_at=timezone.now() + dt.timedelta(days=3),
                                 topic_ids=[topic.pk], place="红旗驿站居民议事厅")  # fmt: skip
    rep = s.meeting_invite(actor=w.worker, meeting_id=meeting.pk, role="resident_reps",
                           resident_id=w.folks[0].resident.pk)  # fmt: skip
    late = s.meeting_invite(actor=w.worker, meeting_id=meeting.pk, role="resident_reps",
                            resident_id=w.folks[2].resident.pk)  # fmt: skip
    manager = s.meeting_invite(actor=w.worker, meeting_id=meeting.pk, role="property",
                               name="李经理", body="宏达物业")  # fmt: skip
    _as(client, w.folks[1])
    assert client.get(f"{BASE}/meetings").json()["count"] == 0  # planned: not published yet
    s.meeting_notice(actor=w.worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=w.worker, meeting_id=meeting.pk)
    s.meeting_sign_in(actor=w.worker, invitee_id=rep.pk)
    s.meeting_sign_in(actor=w.worker, invitee_id=manager.pk)
    item = AgendaItem.objects.get(meeting=meeting)
    s.vote_open(actor=w.worker, item_id=item.pk)

    client.force_login(people.worker)
    staff = client.get(f"{BASE}/meetings/{meeting.pk}").json()
    assert [(v["name"], v["role_label"], v["present"]) for v in staff["invitees"]] == [
        ("业主1", "居民代表", True), ("业主3", "居民代表", False),
        ("李经理", "物业服务企业", True)]  # fmt: skip
    paper = _post(
        client, f"{BASE}/agenda/{item.pk}/ballots", {"choice": "no", "invitee_id": rep.pk}
    )
    assert (paper.status_code, paper.json()["recorded"]) == (201, True)
    absent = _post(
        client, f"{BASE}/agenda/{item.pk}/ballots", {"choice": "no", "invitee_id": late.pk}
    )
    assert (absent.status_code, absent.json()["detail"]) == (409, "业主3未签到，不能投票。")

    _as(client, w.folks[1])
    seen = client.get(f"{BASE}/meetings/{meeting.pk}")
    data = seen.json()
    assert (data["invitees"], data["invited"], data["present"], data["quorum_met"]) == (
        [], 3, 2, True)  # fmt: skip
    assert [n for n in ("业主1", "业主3", "李经理") if n in _text(data)] == []
    assert "李经理" in _text(staff)
    assert [(a["order"], a["rule"], a["rule_label"], a["vote_state"], a["result"])
            for a in data["agenda"]] == [(1, "majority", "到会人员过半数同意", "open", None)]  # fmt: skip
    listed = client.get(f"{BASE}/meetings", {"status": "in_session"}).json()
    assert [(m["number"], m["topics"], m["form_label"]) for m in listed["items"]] == [
        (meeting.number, 1, "议事会")]  # fmt: skip


# -- outcomes ----------------------------------------------------------------------------------


def test_task_progress_rolls_up_and_refuses_bad_input(client, tree, people, w, clock):
    (outcome,) = _decided(tree, w, clock, 1)
    due = clock.today + dt.timedelta(days=5)
    task = s.outcome_task_add(
        actor=w.worker, outcome_id=outcome.pk, title="施工", weight=3, due=due
    )
    s.outcome_task_add(actor=w.worker, outcome_id=outcome.pk, title="验收", weight=1, due=due,
                       milestone=True)  # fmt: skip
    client.force_login(people.worker)
    url = f"{BASE}/tasks/{task.pk}/progress"
    moved = _post(client, url, {"progress": 50, "note": "已进场施工"})
    assert moved.status_code == 200
    data = moved.json()
    assert (data["status"], data["progress"], data["topic_number"], data["owner"]) == (
        "in_progress", "37.50", outcome.topic.number, "社区")  # fmt: skip
    assert [(k["title"], k["weight"], k["progress"], k["status"], k["milestone"], k["overdue"])
            for k in data["tasks"]] == [("施工", 3, 50, "doing", False, False),
                                        ("验收", 1, 0, "todo", True, False)]  # fmt: skip

    before = _written()
    refused = _refusals(client, [
        ("POST", url, {"progress": 150}),
        ("POST", url, {"progress": "abc"}),
        ("POST", url, {"progress": 40}),
        ("POST", url, {"progress": 60, "note": "<b>快</b>"}),
        ("POST", f"{BASE}/tasks/99999999999999999999/progress", {"progress": 60}),
    ])  # fmt: skip
    client.force_login(people.other_worker)
    elsewhere = _refusals(client, [("POST", url, {"progress": 60})])
    client.force_login(people.inspector)
    inspector = _refusals(client, [("POST", url, {"progress": 60})])
    assert (refused, elsewhere, inspector) == (
        [(422, "完成度应为0到100的整数。"), (422, "完成度应为0到100的整数。"),
         (422, "完成度不能低于已登记的50%。"), (422, "进展说明只能是纯文字，不能包含HTML标签。"),
         (404, "任务不存在，或不在您的管辖范围内。")],
        [(404, "任务不存在，或不在您的管辖范围内。")],
        [(403, "当前角色无权执行此操作。")],
    )  # fmt: skip
    assert _written() == before

    clock.advance(days=10)
    client.force_login(people.worker)
    late = client.get(f"{BASE}/outcomes", {"overdue": "true"}).json()
    assert [o["id"] for o in late["items"]] == [outcome.pk]
    detail = client.get(f"{BASE}/outcomes/{outcome.pk}").json()
    assert [k["overdue"] for k in detail["tasks"]] == [True, True]
    assert detail["meeting_number"] == Meeting.objects.get().number


def test_a_department_liaison_sees_only_its_departments_outcomes(client, tree, people, w, clock):
    mine, other = _decided(tree, w, clock, 2)
    department = Liaison.objects.get(user=people.department_liaison).department
    s.outcome_assign(actor=w.worker, outcome_id=mine.pk, owner_kind="department",
                     department_id=department.pk)  # fmt: skip
    client.force_login(people.department_liaison)
    listed = client.get(f"{BASE}/outcomes").json()
    assert [(o["id"], o["owner"]) for o in listed["items"]] == [(mine.pk, "职能部门·站前派出所")]
    assert client.get(f"{BASE}/outcomes/{mine.pk}").status_code == 200
    assert client.get(f"{BASE}/outcomes/{other.pk}").status_code == 404
    assert client.get(f"{BASE}/topics").json()["count"] == 0
    assert client.get(f"{BASE}/meetings").json()["count"] == 0


def test_figures_count_the_communitys_work(client, tree, people, w, clock):
    _decided(tree, w, clock, 2)
    client.force_login(people.street_officer)
    data = client.get(f"{BASE}/figures", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert (data["region"], data["start"], data["end"]) == ("站前街道", "2026-11-01", "2026-11-30")
    row = {r["region"]: r for r in data["rows"]}["站前社区"]
    assert (row["raised"], row["accepted"], row["meetings"], row["physical"], row["decisions"],
            row["outcomes"], row["quorum_pct"]) == (2, 2, 1, 0, 2, 2, None)  # fmt: skip
    assert data["total"]["raised"] == 2
    assert [(c["category"], c["decisions"]) for c in data["categories"]] == [("环境改造", 2)]
    assert _refusals(client, [
        ("GET", f"{BASE}/figures?start=2026-12-01&end=2026-11-01", None),
        ("GET", f"{BASE}/figures?start=0001-01-01&end=9999-12-31", None),
        ("GET", f"{BASE}/figures?region_id={tree.far_community.pk}", None),
        ("GET", f"{BASE}/figures?region_id={tree.building.pk}", None),
    ]) == [
        (422, "开始日期不能晚于结束日期。"),
        (422, "统计期间须在2000年至2100年之间。"),
        (404, "区划不存在或不在您的管辖范围内。"),
        (422, "统计按区、街道或社区汇总，请选择其中一级。"),
    ]  # fmt: skip


# -- who may do what ---------------------------------------------------------------------------


def test_the_permission_matrix_of_reads_and_writes(client, tree, people, w):
    cosigning = s.topic_propose(actor=w.folks[0].actor, community=tree.community, item_id=w.item.pk,
                                title="增设非机动车棚", description="电动车没地方停。")  # fmt: skip
    review = _topic(tree, w)
    who = {"resident": w.folks[1], "next_door": w.next_door, "stranger": w.stranger,
           "building_head": people.building_head, "other_worker": people.other_worker,
           "inspector": people.inspector, "liaison": people.department_liaison,
           "system_admin": people.system_admin}  # fmt: skip
    propose = {"community_id": tree.community.pk, "item_id": w.item.pk, "title": "路灯",
               "description": "路灯坏了。", "place_id": tree.compound.pk}  # fmt: skip
    reads, writes = {}, {}
    for name, account in who.items():
        _as(client, account)
        listed = client.get(f"{BASE}/topics")
        reads[name] = (
            listed.json()["count"] if listed.status_code == 200 else listed.status_code,
            client.get(f"{BASE}/topics/{review.pk}").status_code,
        )
    before = _written()
    for name, account in who.items():
        _as(client, account)
        writes[name] = (
            _post(client, f"{BASE}/topics/{cosigning.pk}/cosign").status_code,
            _post(client, f"{BASE}/topics/{review.pk}/accept").status_code,
            _post(client, f"{BASE}/topics", propose).status_code,
        )
    assert (reads, writes) == ({
        #                list  read
        "resident": (2, 200),
        "next_door": (2, 200),
        "stranger": (0, 404),
        "building_head": (2, 200),
        "other_worker": (0, 404),
        "inspector": (2, 200),
        "liaison": (0, 404),
        "system_admin": (403, 403),
    }, {
        #                cosign accept propose
        "resident": (200, 403, 201),
        "next_door": (403, 403, 403),
        "stranger": (404, 403, 404),
        # a building head proposes only for their own building, not the compound
        "building_head": (403, 403, 403),
        "other_worker": (403, 404, 404),
        "inspector": (403, 403, 403),
        "liaison": (403, 403, 403),
        "system_admin": (403, 403, 403),
    })  # fmt: skip
    after = _written()
    # Only the allowed writes happened: one co-sign and the resident's topic.
    assert (after[1] - before[1], len(after[0]) - len(before[0])) == (1, 1)
    client.logout()
    assert client.get(f"{BASE}/topics").status_code == 401


# -- query counts ------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx)


def test_lists_cost_the_same_for_one_row_and_ten(client, tree, people, w, clock,
                                                 django_assert_max_num_queries):  # fmt: skip
    _decided(tree, w, clock, 1)
    staff = [f"{BASE}/topics", f"{BASE}/meetings", f"{BASE}/outcomes"]
    resident = [f"{BASE}/topics", f"{BASE}/meetings"]
    readers = [(people.worker, staff), (w.folks[1].resident.user, resident)]

    def costs() -> list[list[int]]:
        out = []
        for user, urls in readers:
            client.force_login(user)
            out.append([_queries(client, url) for url in urls])
        return out

    one = costs()
    # session, user, the grants (twice: the middleware's actor and the API auth's), count, page
    assert one == [[6, 6, 6], [6, 6]]
    for _ in range(9):
        clock.advance(days=1)
        _decided(tree, w, clock, 1)
    assert costs() == one
    for (user, urls), limits in zip(readers, one, strict=True):
        client.force_login(user)
        for url, limit in zip(urls, limits, strict=True):
            with django_assert_max_num_queries(limit):
                assert client.get(url).json()["count"] == 10


def test_a_meeting_detail_costs_the_same_for_one_agenda_item_and_ten(
    client, tree, people, w, clock
):
    one = _online(tree, w, clock, [_topic(tree, w, "议题")])
    ten = _online(tree, w, clock, [_topic(tree, w, f"议题{i}") for i in range(10)])
    client.force_login(people.worker)
    assert _queries(client, f"{BASE}/meetings/{ten.pk}") == _queries(
        client, f"{BASE}/meetings/{one.pk}"
    )
    assert len(client.get(f"{BASE}/meetings/{ten.pk}").json()["agenda"]) == 10


def test_every_operation_answers_junk_with_a_chinese_4xx(client, tree, people, w):
    """What the project-wide junk test asks of every operation, for these:
    junk, negative and huge ids, junk bodies; never a 5xx, nothing written."""
    ops = [
        (method.lower(), f"{BASE}{path}")
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    ]
    assert len(ops) == 14
    before = _written()
    seen = set()
    for account in (None, people.worker, w.folks[0]):
        client.logout()
        if account is not None:
            _as(client, account)
        for method, path in ops:
            for value in ("-1", "99999999999999999999", "abc"):
                url = re.sub(r"\{int:[a-z_]+\}", value, path)
                for body in ({}, {"choice": "王", "progress": "<b>", "community_id": -1}):
                    if method == "get":
                        r = client.get(url + "?page=-5&q=%25&start=x")
                    else:
                        r = _post(client, url, body)
                    seen.add(r.status_code)
                    assert 400 <= r.status_code < 500, (method, url, body, r.status_code)
                    assert r.json()["detail"], (method, url)
    assert seen == {401, 403, 404, 422}
    assert _written() == before
