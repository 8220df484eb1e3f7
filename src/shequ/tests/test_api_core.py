"""Core API: authentication (token, session), scope, region and grant endpoints."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.models import AuditRecord, Grant, RegionLevel
from shequ.core.services.accounts import token_create, token_revoke
from shequ.core.tests.factories import UserFactory, actor_for, make_region
from shequ.core.tests.test_accounts import accounts_snapshot
from shequ.tests.test_regions import snapshot


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_token_auth_answers_me(client, tree, people):
    _, raw = token_create(actor=actor_for(people.worker), name="对接")
    response = client.get("/api/me", **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "worker"
    assert body["active_grant"]["role"] == "community_worker"
    assert body["active_grant"]["region_name"] == "站前社区"
    assert "resident.view" in body["permissions"]


def test_revoked_or_unknown_token_and_anonymous_get_401_in_chinese(client, tree, people):
    token, raw = token_create(actor=actor_for(people.worker), name="对接")
    token_revoke(actor=actor_for(people.worker), token=token)
    for extra in (bearer(raw), bearer("sq_not-a-token"), {}):
        response = client.get("/api/me", **extra)
        assert response.status_code == 401
        assert response.json() == {"detail": "未登录或令牌无效。"}


def test_token_of_a_disabled_account_stops_working(client, tree, people):
    _, raw = token_create(actor=actor_for(people.worker), name="对接")
    people.worker.is_active = False
    people.worker.save(update_fields=["is_active"])
    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_session_auth_works(client, tree, people):
    client.force_login(people.street_officer)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["active_grant"]["region_name"] == "站前街道"


def test_regions_are_scoped_to_the_street(client, tree, people):
    # given the street officer of 站前街道 with a token
    _, raw = token_create(actor=actor_for(people.street_officer), name="对接")
    # when he lists communities and the children of another street's community
    communities = client.get("/api/regions", {"level": 3}, **bearer(raw)).json()
    outside = client.get("/api/regions", {"parent_id": tree.far_community.pk}, **bearer(raw))
    every = client.get("/api/regions", **bearer(raw)).json()
    # then only his street's regions come back
    assert [c["name"] for c in communities] == ["站前社区", "利民社区"]
    assert communities[0]["population_served"] == 8000
    assert outside.status_code == 200 and outside.json() == []
    assert len(every) == 10
    assert {r["code"][:9] for r in every} == {"210302001"}
    far = client.get(f"/api/regions/{tree.far_community.pk}", **bearer(raw))
    assert far.status_code == 404
    assert far.json() == {"detail": "区划不存在或不在您的管辖范围内。"}


def test_regions_endpoint_query_count_does_not_grow(
    client, tree, people, django_assert_num_queries
):
    client.force_login(people.district_admin)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/regions")
    for i in range(3, 13):
        make_region(
            name=f"社区{i}",
            code=f"210302001{i:03d}",
            level=RegionLevel.COMMUNITY,
            parent=tree.street,
        )
    with django_assert_num_queries(len(few)):
        assert len(client.get("/api/regions").json()) == 26


def test_x_shequ_grant_header_picks_one_of_the_users_grants(client, tree, people):
    head = Grant.objects.create(user=people.worker, role="building_head", region=tree.building)
    _, raw = token_create(actor=actor_for(people.worker), name="对接")
    response = client.get("/api/me", HTTP_X_SHEQU_GRANT=str(head.pk), **bearer(raw))
    assert response.json()["active_grant"]["role"] == "building_head"


# -- region writes ---------------------------------------------------------------------


def test_region_create_and_move_through_the_api(client, tree, people):
    _, raw = token_create(actor=actor_for(people.district_admin), name="对接")
    created = post_json(
        client,
        "/api/regions",
        {
            "parent_id": tree.street.pk,
            "name": "新时代社区",
            "code": "210302001003",
            "population_served": 5000,
        },
        **bearer(raw),
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["code"], body["level"], body["residents"], body["population_served"]) == (
        "210302001003",
        3,
        0,
        5000,
    )
    moved = post_json(
        client,
        f"/api/regions/{body['id']}/move",
        {"new_parent_id": tree.other_street.pk},
        **bearer(raw),
    )
    assert moved.status_code == 200
    assert (moved.json()["code"], moved.json()["parent_id"]) == (
        "210302002003",
        tree.other_street.pk,
    )


def test_region_move_under_own_child_is_422_and_changes_nothing(client, tree, people):
    client.force_login(people.district_admin)
    before = snapshot()
    response = post_json(
        client, f"/api/regions/{tree.community.pk}/move", {"new_parent_id": tree.compound.pk}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "不能把区划移到它自己或它的下级之下。"
    assert snapshot() == before
    assert AuditRecord.objects.get(action="region.move").success is False


def test_region_create_with_a_bad_code_is_422(client, tree, people):
    client.force_login(people.district_admin)
    before = snapshot()
    response = post_json(
        client,
        "/api/regions",
        {"parent_id": tree.community.pk, "name": "新小区", "code": "2103020010010"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "小区的区划代码应为 15 位数字，例如 210302001001001。",
        "field": "code",
    }
    assert snapshot() == before


# -- grants --------------------------------------------------------------------------


def test_grants_endpoints(client, tree, people):
    UserFactory(username="newhead")
    client.force_login(people.security_admin)
    created = post_json(
        client,
        "/api/grants",
        {"username": "newhead", "role": "building_head", "region_id": tree.building.pk},
    )
    assert created.status_code == 201
    grant_id = created.json()["id"]
    listed = client.get("/api/grants", {"role": "building_head"}).json()
    assert [(g["username"], g["region_code"]) for g in listed] == [
        ("building_head", "210302001001001001"),
        ("newhead", "210302001001001001"),
    ]
    assert client.delete(f"/api/grants/{grant_id}").status_code == 204
    assert not Grant.objects.filter(pk=grant_id).exists()


def test_grant_outside_scope_and_separated_admins_through_the_api(client, tree, people):
    other = make_region(name="城西区", code="210303", level=RegionLevel.DISTRICT)
    client.force_login(people.security_admin)
    before = accounts_snapshot()
    outside = post_json(
        client,
        "/api/grants",
        {"username": "worker", "role": "district_admin", "region_id": other.pk},
    )
    assert outside.status_code == 403
    assert outside.json() == {"detail": "授权范围超出您本人的管辖范围。"}
    double = post_json(
        client,
        "/api/grants",
        {"username": "audit_admin", "role": "system_admin", "region_id": tree.district.pk},
    )
    assert double.status_code == 422
    assert double.json()["detail"] == (
        "三员分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任（该账号已是审计管理员）。"
    )
    assert accounts_snapshot() == before
    assert AuditRecord.objects.filter(action="grant.create", success=False).count() == 2


# -- permission matrix over the endpoints -------------------------------------------------

ENDPOINTS = {
    "me": ("get", lambda t: "/api/me", None, "worker"),
    "regions": ("get", lambda t: "/api/regions", None, "worker"),
    "region": ("get", lambda t: f"/api/regions/{t.community.pk}", None, "worker"),
    "region_create": (
        "post",
        lambda t: "/api/regions",
        lambda t: {"parent_id": t.street.pk, "name": "新社区", "code": "210302001003"},
        "district_admin",
    ),
    "region_move": (
        "post",
        lambda t: f"/api/regions/{t.other_community.pk}/move",
        lambda t: {"new_parent_id": t.other_street.pk},
        "district_admin",
    ),
    "grants": ("get", lambda t: "/api/grants", None, "security_admin"),
    "grant_create": (
        "post",
        lambda t: "/api/grants",
        lambda t: {"username": "resident", "role": "building_head", "region_id": t.building.pk},
        "security_admin",
    ),
    "grant_revoke": ("delete", lambda t: "/api/grants/{grant}", None, "security_admin"),
}

# what each kind of caller gets; None = the right role (2xx)
EXPECTED = {
    "anonymous": dict.fromkeys(ENDPOINTS, 401),
    "resident": {
        "me": 200,
        "regions": 403,
        "region": 403,
        **dict.fromkeys(
            ["region_create", "region_move", "grants", "grant_create", "grant_revoke"], 403
        ),
    },
    "other_worker": {
        "me": 200,
        "regions": 200,
        "region": 404,
        **dict.fromkeys(
            ["region_create", "region_move", "grants", "grant_create", "grant_revoke"], 403
        ),
    },
    "other_street_officer": {
        "me": 200,
        "regions": 200,
        "region": 404,
        **dict.fromkeys(
            ["region_create", "region_move", "grants", "grant_create", "grant_revoke"], 403
        ),
    },
    "audit_admin": {
        "me": 200,
        **dict.fromkeys(
            [
                "regions",
                "region",
                "region_create",
                "region_move",
                "grants",
                "grant_create",
                "grant_revoke",
            ],
            403,
        ),
    },
    "right": dict.fromkeys(ENDPOINTS),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
@pytest.mark.parametrize("who", list(EXPECTED))
def test_endpoint_permission_matrix(client, tree, people, name, who):
    # given a caller of each kind, authenticated by token or session
    method, url, data, holder = ENDPOINTS[name]
    caller = getattr(people, holder if who == "right" else who, None)
    extra = {}
    if caller is not None:
        if not actor_for(caller).can("api.token"):
            client.force_login(caller)  # a role without api.token uses its session
        else:
            extra = bearer(token_create(actor=actor_for(caller), name="t")[1])
    grant = people.other_worker.grants.get()
    before = (snapshot(), accounts_snapshot())
    # when it calls the endpoint
    path = url(tree).replace("{grant}", str(grant.pk))
    if method == "post":
        response = post_json(client, path, data(tree), **extra)
    else:
        response = getattr(client, method)(path, **extra)
    # then only the right role gets through; refusals change nothing
    expected = EXPECTED[who][name]
    if expected is None:
        assert 200 <= response.status_code < 300
        return
    assert response.status_code == expected
    if expected >= 400:
        assert response.json()["detail"]
        assert (snapshot(), accounts_snapshot()) == before
