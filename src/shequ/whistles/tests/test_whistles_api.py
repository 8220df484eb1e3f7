"""Whistle API: raise with an Idempotency-Key, list scope, actions, refusals."""

from __future__ import annotations

import pytest

from shequ.whistles.models import Whistle
from shequ.whistles.tests.whistle_helpers import blow, other_department, police

pytestmark = pytest.mark.django_db
BASE = "/api/whistles/whistles/"


def _body(tree, people, **over):
    return {
        "community_id": tree.community.pk,
        "title": "占道经营",
        "description": "傍晚摊贩占道经营。",
        "category": "sanitation",
        "lead_department_id": police(people).pk,
    } | over


def test_raise_is_idempotent(client, tree, people):
    client.force_login(people.worker)
    body = _body(tree, people)
    first = client.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Whistle.objects.count() == 1


def test_refusals_in_chinese(client, tree, people):
    client.force_login(people.worker)
    bad = client.post(
        BASE, _body(tree, people, lead_department_id=999999), content_type="application/json"
    )
    assert bad.status_code == 422 and "职能部门" in bad.json()["detail"]
    assert client.post(BASE, _body(tree, people, community_id=tree.far_community.pk),
                       content_type="application/json").status_code == 404  # fmt: skip
    assert not Whistle.objects.exists()
    client.force_login(people.department_liaison)
    assert (
        client.post(BASE, _body(tree, people), content_type="application/json").status_code == 403
    )


def test_actions_and_scope(client, tree, people):
    mine = blow(people, tree.community)
    theirs = blow(people, tree.community, lead=other_department(tree))
    client.force_login(people.department_liaison)
    listed = client.get(BASE).json()
    assert [w["id"] for w in listed["items"]] == [mine.pk] and listed["count"] == 1
    url = f"{BASE}{mine.pk}/actions"
    done = client.post(url, {"action": "report_in", "responsible_name": "张警官"},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "reported"
    wrong = client.post(f"{BASE}{theirs.pk}/actions", {"action": "report_in", "responsible_name": "张"},
                        content_type="application/json")  # fmt: skip
    assert wrong.status_code == 403 and "不是您所在的部门" in wrong.json()["detail"]
    assert client.post(url, {"action": "fly"}, content_type="application/json").status_code == 422
