"""结对共建 API: scope (liaison sees only its own), detail, and logging an
action with Idempotency-Key (twice with one key makes one action)."""

from __future__ import annotations

import json

import pytest

from shequ.core.models import AuditRecord
from shequ.whistles.models import PairingAction
from shequ.whistles.tests.helpers import add_commitment, liaison_department, make_agreement

# The pairing tests run in the first quarter of 2026.
CLOCK_START = "2026-03-10"

pytestmark = pytest.mark.django_db

BODY = {"kind": "volunteer", "what": "义务维修", "date": "2026-03-06", "hours": "3.5", "people": 2}


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def agreements(tree, people, clock):
    school = make_agreement(people, tree.community)
    add_commitment(people, school)
    police = make_agreement(people, tree.community, department=liaison_department(people))
    far = make_agreement(people, tree.other_community, by=people.street_officer)
    return school, police, far


def test_list_is_scoped(client, people, agreements):
    school, police, far = agreements
    expected = {
        "worker": {school.pk, police.pk},
        "street_officer": {school.pk, police.pk, far.pk},
        "unit_liaison": {school.pk, far.pk},
        "department_liaison": {police.pk},
        "other_worker": {far.pk},
    }
    for who, ids in expected.items():
        client.force_login(getattr(people, who))
        body = client.get("/api/whistles/agreements").json()
        assert {a["id"] for a in body["items"]} == ids, who
        assert body["count"] == len(ids)
    client.force_login(people.resident)
    assert client.get("/api/whistles/agreements").status_code == 403


def test_detail_masks_contact_and_hides_other_scopes(client, people, agreements):
    school, police, _far = agreements
    client.force_login(people.unit_liaison)
    body = client.get(f"/api/whistles/agreements/{school.pk}").json()
    assert (body["contact_name"], body["contact_phone"]) == ("刘**", "139****5678")
    assert [c["kind"] for c in body["commitments"]] == ["parking"]
    assert body["partner"] == "城东第一中学" and body["partner_kind"] == "unit"
    missing = client.get(f"/api/whistles/agreements/{police.pk}")
    assert missing.status_code == 404 and missing.json()["detail"]


def test_action_create_idempotent(client, people, agreements):
    school, _police, _far = agreements
    client.force_login(people.unit_liaison)
    url = f"/api/whistles/agreements/{school.pk}/actions"
    first = post(client, url, BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, url, BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert first.json()["hours"] in ("3.5", 3.5)
    assert PairingAction.objects.count() == 1
    other = post(client, url, BODY | {"what": "另一件事"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert PairingAction.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": "-1"}, "服务时长不能为负数"),
        ({"commitment_id": 987654}, "该承诺不属于本协议"),
        ({"kind": "x"}, "请选择有效的活动类别"),
        ({"kind": "dual_registration", "member_name": "王建军"}, "已移至“党建引领 › 双报到”"),
    ],
)
def test_bad_action_is_a_4xx_in_chinese(client, people, agreements, change, message):
    school, _police, _far = agreements
    client.force_login(people.worker)
    response = post(client, f"/api/whistles/agreements/{school.pk}/actions", BODY | change)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert not PairingAction.objects.exists()
    assert AuditRecord.objects.filter(action="pairing.action_log", success=False).count() == 1


def test_liaison_cannot_log_on_another_body(client, people, agreements):
    _school, police, _far = agreements
    client.force_login(people.unit_liaison)
    response = post(client, f"/api/whistles/agreements/{police.pk}/actions", BODY)
    assert response.status_code == 404
    client.force_login(people.inspector)
    assert post(client, f"/api/whistles/agreements/{police.pk}/actions", BODY).status_code == 403
    assert not PairingAction.objects.exists()
