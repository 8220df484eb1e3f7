"""The organisation, member and figures pages and endpoints as their users
drive them; list costs do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.party.models import OrgKind, OrgRole, PartyOrg, PartyRules
from shequ.party.tests.helpers import member, org, party_orgs

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_founding_and_seating_through_the_pages(tree, people, clock):
    org(tree.community, OrgKind.COMMUNITY_COMMITTEE, "中共站前社区委员会")
    client = _client(people.secretary)
    page = client.get(reverse("party:org_create"), {"level": 4}).content.decode()
    assert "化机小区" in page and "利民小区" not in page
    refused = client.post(reverse("party:org_create"), {
        "level": 4, "region": tree.compound.pk, "kind": "branch", "name": "",
        "founded_on": "2026-10-01",
    })  # fmt: skip
    assert refused.status_code == 422 and "请填写名称。" in refused.content.decode()
    done = client.post(reverse("party:org_create"), {
        "level": 4, "region": tree.compound.pk, "kind": "branch", "name": "中共化机小区支部委员会",
        "founded_on": "2026-10-01",
    })  # fmt: skip
    branch = PartyOrg.objects.get(kind="branch")
    assert done.status_code == 302 and done.url == reverse("party:org", args=[branch.pk])
    wang = member(tree.unit, branch, name="王红", seq=51)
    seat = client.post(reverse("party:role_add", args=[branch.pk]), {
        "member": wang.pk, "role": "secretary", "term_start": "2026-10-01",
    })  # fmt: skip
    assert seat.status_code == 302
    detail = client.get(reverse("party:org", args=[branch.pk])).content.decode()
    assert "书记" in detail and "王红" in detail
    # an inspector reads the organisation, never the name
    seen = _client(people.inspector).get(reverse("party:org", args=[branch.pk])).content.decode()
    assert "王*" in seen and "王红" not in seen
    ended = client.post(reverse("party:role_end", args=[OrgRole.objects.get().pk]),
                        {"org": branch.pk, "ended_on": "2026-11-03"})  # fmt: skip
    assert ended.status_code == 422 and "离任日期不能晚于今天。" in ended.content.decode()


def test_the_rules_page(tree, people, clock):
    values = {"branch_threshold": "4", "open_ratio": "0.8", "min_activities": "2",
              "min_hosted": "1", "probation_notice_days": "30", "transfer_answer_days": "5",
              "letter_valid_days": "30"}  # fmt: skip
    assert _client(people.district_admin).post(reverse("party:rules"), values).status_code == 302
    assert PartyRules.objects.get().branch_threshold == 4
    refused = _client(people.secretary).post(
        reverse("party:rules"), values | {"branch_threshold": "9"}
    )
    assert refused.status_code == 403 and PartyRules.objects.get().branch_threshold == 4
    page = _client(people.inspector).get(reverse("party:rules")).content.decode()
    assert 'value="4"' in page and "<fieldset disabled>" in page


def test_lists_cost_the_same_for_more_rows(tree, people, clock):
    orgs = party_orgs(tree)
    client = _client(people.secretary)
    urls = [reverse("party:orgs"), "/api/party/orgs", "/api/party/members", reverse("party:eligibility"),
            "/api/party/eligibility", "/api/party/figures"]  # fmt: skip
    member(tree.unit, orgs.branch, seq=51)
    before = {url: _queries(client, url) for url in urls}
    for n in range(6):
        member(tree.unit, orgs.group, name=f"员{n}", seq=60 + n)
    assert {url: _queries(client, url) for url in urls} == before
    listed = client.get("/api/party/members").json()
    assert listed["count"] == 7 and {m["org"] for m in listed["items"]} == {
        "中共化机小区支部委员会", "化机小区1号楼党小组",
    }  # fmt: skip


def test_the_api_enrols_and_refuses_in_chinese(tree, people, clock):
    orgs = party_orgs(tree)
    from shequ.residents.tests.helpers import resident

    person = resident(tree.unit, name="王红", seq=51, room="301")
    client = _client(people.secretary)
    body = {"resident_id": person.pk, "org_id": orgs.branch.pk, "standing": "full",
            "relation": "self_managed", "joined_on": "2001-07-01"}  # fmt: skip
    bad = client.post("/api/party/members", body | {"joined_on": "2030-01-01"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and bad.json()["detail"] == "入党日期不能晚于今天。"
    huge = client.post("/api/party/members", body | {"resident_id": 10**15},
                       content_type="application/json")  # fmt: skip
    assert huge.status_code == 422
    ok = client.post("/api/party/members", body, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["org"] == "中共化机小区支部委员会"
    again = client.post("/api/party/members", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"] == "这位居民已登记为党员。"
    assert _client(people.worker).get("/api/party/members").status_code == 403
    assert _client(people.inspector).get("/api/party/figures").status_code == 200
