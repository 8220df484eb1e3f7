"""组织关系接转 pages and API: a request through the form (转入 found by ID
number), the decisions offered by the workflow, the letter, refusals with
their exact 4xx and nothing written, who may open what, and lists whose
query count does not grow with their rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.models import AuditRecord, User
from shequ.core.scope import Actor
from shequ.core.tests.pdfs import pdf_text
from shequ.party.models import PartyMember, Transfer
from shequ.party.services import transfers as s
from shequ.party.tests.helpers import member, party_orgs, party_secretary
from shequ.residents.tests.helpers import id_number, resident

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"
API = "/api/party"
OUTSIDE = "中共大连市甘井子区委组织部"


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict | None = None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def _written() -> tuple:
    """What a refused request must leave as it was."""
    return (
        sorted(Transfer.objects.values_list("pk", "status", "returned_reason", "member_id")),
        sorted(PartyMember.objects.values_list("pk", "status", "org_id")),
        AuditRecord.objects.filter(success=True, action__startswith="transfer.").count(),
    )


def _incoming(tree, people, orgs, *, seq: int = 61, name: str = "王红") -> Transfer:
    person = resident(tree.unit, name=name, seq=seq, room=str(300 + seq))
    return s.transfer_request(
        actor=Actor.for_user(people.secretary), kind="in", reason="retired",
        resident_id=person.pk, to_org_id=orgs.branch.pk, from_org_name=OUTSIDE,
        incoming_letter_number="甘组转字（2026）第018号", standing="full",
        joined_on=dt.date(2001, 7, 1),
    )  # fmt: skip


def _in_form(person, orgs, **extra) -> dict:
    return {
        "kind": "in", "resident": person.pk, "id_number": id_number(61), "to_org": orgs.branch.pk,
        "from_org_name": OUTSIDE, "incoming_letter_number": "甘组转字（2026）第018号",
        "standing": "full", "joined_on": "2001-07-01", "reason": "retired",
        "relation": "self_managed",
    } | extra  # fmt: skip


def test_a_transfer_in_through_the_pages(tree, people, clock):
    # given: the branch secretary looks the arriving resident up by ID number
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    client = _client(party_secretary(tree.compound, "branch_secretary"))
    page = client.get(reverse("party:transfer_create"), {"kind": "in", "id_number": id_number(61)})
    assert page.status_code == 200 and "王红" in page.content.decode()
    missing = client.get(
        reverse("party:transfer_create"), {"kind": "in", "id_number": id_number(99)}
    )
    assert "居民档案中没有这个身份证号" in missing.content.decode()

    # when: the request is filed, received and completed
    done = client.post(reverse("party:transfer_create"), _in_form(person, orgs))
    t = Transfer.objects.get()
    assert (done.status_code, done.url) == (302, reverse("party:transfer", args=[t.pk]))
    detail = client.get(done.url).content.decode()
    assert 'name="action" value="approve"' in detail and 'value="return"' in detail
    assert 'value="complete"' not in detail and "打印介绍信" in detail
    act = reverse("party:transfer_act", args=[t.pk])
    assert client.post(act, {"action": "approve"}).status_code == 302
    assert 'value="complete"' in client.get(done.url).content.decode()
    assert client.post(act, {"action": "complete", "note": "已编入"}).status_code == 302

    # then
    m = PartyMember.objects.get()
    assert (m.resident_id, m.org_id, m.relation) == (person.pk, orgs.branch.pk, "retired")
    page = client.get(done.url).content.decode()
    assert "已完成" in page and "接收" in page and "完成" in page and 'name="action"' not in page


def test_refusals_through_the_pages_keep_their_status_and_write_nothing(tree, people, clock):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    client = _client(people.secretary)
    url = reverse("party:transfer_create")
    cases = [
        (_in_form(person, orgs, to_org="999999999"), 404, "接收党组织不存在或已撤销。"),
        (_in_form(person, orgs, resident="999999999"), 404, "本区居民档案中没有这位居民"),
        (_in_form(person, orgs, standing="probationary"), 422, "预备党员须填写预备期满日期。"),
        (_in_form(person, orgs, joined_on="2026-11-03"), 422, "入党日期不能晚于今天。"),
        (_in_form(person, orgs, from_org_name="中共化机小区支部委员会"), 422, "不能是同一个"),
    ]
    for body, status, message in cases:
        answer = client.post(url, body)
        assert (answer.status_code, message in answer.content.decode()) == (status, True)
    assert _written() == ([], [], 0)
    assert AuditRecord.objects.filter(action="transfer.request", success=False).count() == 5
    client.post(url, _in_form(person, orgs))
    before = _written()
    second = client.post(url, _in_form(person, orgs))
    assert second.status_code == 409 and "已有一项正在办理的组织关系接转" in second.content.decode()
    assert _written() == before


def test_a_return_needs_its_reason_on_the_page(tree, people, clock):
    orgs = party_orgs(tree)
    t = _incoming(tree, people, orgs)
    client = _client(people.secretary)
    act = reverse("party:transfer_act", args=[t.pk])
    before = _written()
    blank = client.post(act, {"action": "return", "reason": ""})
    assert blank.status_code == 422 and "请填写退回原因。" in blank.content.decode()
    junk = client.post(act, {"action": "fly"})
    assert junk.status_code == 422 and "请选择要执行的操作。" in junk.content.decode()
    assert _written() == before
    done = client.post(act, {"action": "return", "reason": "原介绍信已过有效期"})
    assert done.status_code == 302
    page = client.get(reverse("party:transfer", args=[t.pk])).content.decode()
    assert "原介绍信已过有效期" in page and "打印介绍信" not in page


def test_the_sending_side_of_a_move_sees_it_but_is_offered_nothing(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.other_branch, name="孙丽", seq=64)
    t = s.transfer_request(actor=Actor.for_user(people.secretary), kind="within", reason="moved",
                           member_id=m.pk, to_org_id=orgs.branch.pk)  # fmt: skip
    sender = _client(party_secretary(tree.other_unit.parent.parent, "other_branch_secretary"))
    page = sender.get(reverse("party:transfer", args=[t.pk]))
    assert page.status_code == 200 and 'name="action"' not in page.content.decode()
    before = _written()
    refused = sender.post(reverse("party:transfer_act", args=[t.pk]), {"action": "approve"})
    assert refused.status_code == 403 and "不在您的管辖范围内" in refused.content.decode()
    assert _written() == before


def test_the_letter_page_prints_and_records_the_view(tree, people, clock):
    orgs = party_orgs(tree)
    t = _incoming(tree, people, orgs)
    answer = _client(people.secretary).get(reverse("party:transfer_letter", args=[t.pk]))
    assert (answer.status_code, answer["Content-Type"], answer["Cache-Control"]) == (
        200, "application/pdf", "no-store",
    )  # fmt: skip
    text = pdf_text(answer.content).replace("\n", "")
    assert t.number in text and "王红同志" in text and id_number(61) in text
    assert OUTSIDE in text and "中共化机小区支部委员会" in text
    assert AuditRecord.objects.filter(action="transfer.letter_print", success=True).count() == 1


PAGES = ("list", "create", "detail", "letter", "act")
# anonymous, resident, community worker, inspector, another branch's secretary, the branch's
EXPECTED = {
    "list": [302, 403, 403, 403, 200, 200],
    "create": [302, 403, 403, 403, 200, 200],
    "detail": [302, 403, 403, 403, 404, 200],
    "letter": [302, 403, 403, 403, 404, 200],
    "act": [302, 403, 403, 403, 404, 302],
}


@pytest.mark.parametrize("page", PAGES)
def test_who_opens_which_page(tree, people, clock, page):
    # given: a transfer into 化机小区's branch
    orgs = party_orgs(tree)
    t = _incoming(tree, people, orgs)
    other = party_secretary(tree.other_unit.parent.parent, "other_branch_secretary")
    mine = party_secretary(tree.compound, "branch_secretary")
    url = {
        "list": reverse("party:transfers"),
        "create": reverse("party:transfer_create"),
        "detail": reverse("party:transfer", args=[t.pk]),
        "letter": reverse("party:transfer_letter", args=[t.pk]),
        "act": reverse("party:transfer_act", args=[t.pk]),
    }[page]
    statuses = []
    for user in (None, people.resident, people.worker, people.inspector, other, mine):
        client = _client(user)
        before = _written()
        answer = client.post(url, {"action": "approve"}) if page == "act" else client.get(url)
        statuses.append(answer.status_code)
        if answer.status_code != 200 and user is not mine:
            assert _written() == before
        if page == "list" and user is other:
            assert "王红" not in answer.content.decode()
    assert statuses == EXPECTED[page]
    assert Transfer.objects.get().status == ("approved" if page == "act" else "requested")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_page_and_endpoint_cost_the_same_for_more_transfers(tree, people, clock):
    orgs = party_orgs(tree)
    client = _client(people.secretary)
    _incoming(tree, people, orgs)
    page, endpoint = reverse("party:transfers"), f"{API}/transfers"
    few = (_queries(client, page), _queries(client, endpoint))
    for n in range(8):
        _incoming(tree, people, orgs, seq=70 + n, name=f"员{n}")
    assert (_queries(client, page), _queries(client, endpoint)) == few
    assert "员7" in client.get(page).content.decode()
    assert client.get(endpoint).json()["count"] == 9


# -- API ---------------------------------------------------------------------------------------


def test_the_api_requests_and_decides(tree, people, clock):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    client = _client(party_secretary(tree.compound, "branch_secretary"))
    body = {"kind": "in", "reason": "retired", "resident_id": person.pk,
            "to_org_id": orgs.branch.pk, "from_org_name": OUTSIDE,
            "incoming_letter_number": "甘组转字（2026）第018号", "standing": "full",
            "joined_on": "2001-07-01"}  # fmt: skip
    made = _post(client, f"{API}/transfers", body)
    assert made.status_code == 201
    got = made.json()
    assert (got["status"], got["name"], got["to_org_name"], got["relation"], got["actions"]) == (
        "requested", "王红", "中共化机小区支部委员会", "retired", ["approve", "return"],
    )  # fmt: skip
    assert got["id_number"] == "110101********" + id_number(61)[-4:]
    tid = got["id"]
    assert _post(client, f"{API}/transfers/{tid}/approve", {"note": "材料齐全"}).json()[
        "actions"
    ] == ["complete", "return"]
    done = _post(client, f"{API}/transfers/{tid}/complete").json()
    assert (done["status"], done["member_id"]) == ("completed", PartyMember.objects.get().pk)
    listed = client.get(f"{API}/transfers", {"status": "completed"}).json()
    assert (listed["count"], listed["page"], listed["pages"], [i["id"] for i in listed["items"]]) == (
        1, 1, 1, [tid],
    )  # fmt: skip
    assert client.get(f"{API}/transfers", {"kind": "out"}).json()["count"] == 0


def test_the_api_refuses_bad_input_in_chinese_and_writes_nothing(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    t = _incoming(tree, people, orgs)
    client = _client(people.secretary)
    out = {"kind": "out", "reason": "moved", "member_id": m.pk, "to_org_name": "中共沈阳市委组织部"}
    within = {"kind": "within", "reason": "moved", "member_id": m.pk}
    before = _written()
    calls = [
        (f"{API}/transfers", out | {"member_id": 999999}, 404, "党员不存在或不在您的管辖范围内。"),
        (f"{API}/transfers", within | {"to_org_id": 999999}, 404, "接收党组织不存在或已撤销。"),
        (f"{API}/transfers", within | {"to_org_id": orgs.group.pk}, 422, "转出和接收党组织不能是同一个。"),
        (f"{API}/transfers", out | {"to_org_name": ""}, 422, "请填写接收党组织名称。"),
        (f"{API}/transfers", {"kind": "in", "reason": "moved", "resident_id": t.resident_id,
                              "to_org_id": orgs.branch.pk, "from_org_name": OUTSIDE,
                              "incoming_letter_number": "1", "standing": "full",
                              "joined_on": "2001-07-01", "relation": "mobile"}, 409,
         "已有一项正在办理的组织关系接转"),
        (f"{API}/transfers/{t.pk}/return", {"reason": " "}, 422, "请填写退回原因。"),
        (f"{API}/transfers/{t.pk}/fly", {}, 422, "没有这项操作"),
        (f"{API}/transfers/{t.pk}/complete", {}, 409, "当前状态为“已申请”，不能执行“完成”"),
        (f"{API}/transfers/99999999/approve", {}, 404, "组织关系接转不存在或不在您的管辖范围内。"),
    ]  # fmt: skip
    for url, body, status, message in calls:
        answer = _post(client, url, body)
        assert (answer.status_code, message in answer.json()["detail"]) == (status, True), url
    assert client.get(f"{API}/transfers/99999999").status_code == 404
    assert client.get(f"{API}/transfers", {"status": "lost"}).status_code == 422
    assert _written() == before


def test_who_reaches_the_api(tree, people, clock):
    orgs = party_orgs(tree)
    t = _incoming(tree, people, orgs)
    other = party_secretary(tree.other_unit.parent.parent, "other_branch_secretary")
    before = _written()
    for user, read, act in (
        (None, 401, 401), (people.resident, 403, 403), (people.worker, 403, 403),
        (people.inspector, 403, 403), (other, 404, 404),
    ):  # fmt: skip
        client = _client(user)
        assert client.get(f"{API}/transfers/{t.pk}").status_code == read
        assert _post(client, f"{API}/transfers/{t.pk}/approve").status_code == act
    assert _client(other).get(f"{API}/transfers").json()["count"] == 0
    # ids past any column's range are simply not there
    mine = _client(people.secretary)
    huge = 10**20
    assert mine.get(f"{API}/transfers/{huge}").status_code == 404
    assert _post(mine, f"{API}/transfers/{huge}/approve").status_code == 404
    assert mine.get(reverse("party:transfer", args=[huge])).status_code == 404
    assert mine.get(reverse("party:transfer_letter", args=[huge])).status_code == 404
    assert (
        mine.post(reverse("party:transfer_act", args=[huge]), {"action": "approve"}).status_code
        == 404
    )
    assert _written() == before


def test_the_forms_of_a_transfer_out_and_a_move(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    client = _client(people.secretary)
    url = reverse("party:transfer_create")
    # the member page's link opens a move with the member chosen
    move = client.get(url, {"member": m.pk}).content.decode()
    assert f'<option value="{m.pk}" selected>赵强（化机小区1号楼党小组）</option>' in move
    assert "中共化机小区支部委员会（小区党支部）" in move
    out = client.get(url, {"kind": "out"}).content.decode()
    assert 'name="to_org_name"' in out and "赵强" in out
    done = client.post(url, {"kind": "out", "member": m.pk, "reason": "job",
                             "to_org_name": "中共沈阳市委组织部"})  # fmt: skip
    t = Transfer.objects.get()
    assert (done.status_code, t.kind, t.from_org_id, t.to_org_name) == (
        302, "out", orgs.group.pk, "中共沈阳市委组织部",
    )  # fmt: skip
    listed = client.get(reverse("party:transfers"), {"status": "open", "kind": "out"})
    assert listed.status_code == 200 and t.number in listed.content.decode()
    # the figures' drill-down (completed retirees of 2026) does not list it; junk filters are ignored
    drill = {"kind": "in,within", "year": "2026", "reason": "retired", "overdue": "on"}
    junk = {"year": "99999999999999999999", "status": "junk", "page": "x"}
    shown = []
    for query in (drill, junk):
        answer = client.get(reverse("party:transfers"), query)
        shown.append((answer.status_code, t.number in answer.content.decode()))
    assert shown == [(200, False), (200, True)]
