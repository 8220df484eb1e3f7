"""The appeal API: list, detail, create with Idempotency-Key, triage, close."""

from __future__ import annotations

import json

from shequ.appeals.models import Appeal
from shequ.appeals.tests.helpers import raise_appeal

BODY = {
    "kind": "help",
    "category": "repair",
    "description": "楼道声控灯损坏",
    "channel": "hotline",
    "contact_name": "赵先生",
    "contact_phone": "13912345678",
}


def _post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_create_is_idempotent(client, tree, people, folks):
    client.force_login(people.worker)
    body = BODY | {"community_id": tree.community.pk, "place_id": tree.building.pk}
    first = _post(client, "/api/appeals/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(client, "/api/appeals/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json() == again.json()
    assert Appeal.objects.count() == 1
    data = first.json()
    assert (data["phone"], data["channel"], data["building_id"]) == (
        "139****5678", "hotline", tree.building.pk,
    )  # fmt: skip


def test_create_refusals(client, tree, people, folks):
    client.force_login(people.worker)
    html = _post(client, "/api/appeals/", BODY | {"community_id": tree.community.pk,
                                                  "description": "<b>x</b>"})  # fmt: skip
    assert html.status_code == 422 and "HTML" in html.json()["detail"]
    other = _post(client, "/api/appeals/", BODY | {"community_id": tree.other_community.pk})
    assert other.status_code == 404
    client.force_login(people.inspector)
    assert (
        _post(client, "/api/appeals/", BODY | {"community_id": tree.community.pk}).status_code
        == 403
    )
    assert Appeal.objects.count() == 0


def test_triage_close_and_scope(client, tree, people, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    client.force_login(people.other_worker)
    assert client.get(f"/api/appeals/{appeal.pk}").status_code == 404
    assert (
        _post(client, f"/api/appeals/{appeal.pk}/triage", {"decision": "self"}).status_code == 404
    )
    client.force_login(people.worker)
    listed = client.get("/api/appeals/?status=submitted").json()
    assert [i["number"] for i in listed["items"]] == [appeal.number]
    triaged = _post(client, f"/api/appeals/{appeal.pk}/triage", {"decision": "self"})
    assert triaged.status_code == 200 and triaged.json()["status"] == "handling"
    assert _post(client, f"/api/appeals/{appeal.pk}/close", {"result": ""}).status_code == 422
    closed = _post(client, f"/api/appeals/{appeal.pk}/close", {"result": "已修复"})
    assert closed.status_code == 200
    detail = closed.json()
    assert (detail["status"], detail["result"]) == ("closed", "已修复")
    assert [e["action"] for e in detail["timeline"]] == ["submit", "triage", "close"]
    assert detail["contact_name"] == "王秀兰"
