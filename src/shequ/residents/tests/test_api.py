import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.core.api_auth import token_issue
from shequ.core.models import AuditRecord, RegionLevel
from shequ.core.pii import decrypt
from shequ.core.tests.factories import make_region
from shequ.residents.models import Household, Resident, ResidentTag, Tag
from shequ.residents.tests import helpers

BASE = "/api/residents/"
TARGET_ID = helpers.id_number(51, dt.date(1944, 1, 20))
NEW_ID = helpers.id_number(52, dt.date(2001, 9, 9))


@pytest.fixture
def place(tree):
    building = make_region(
        name="2号楼", code="210302001001001002", level=RegionLevel.BUILDING, parent=tree.compound
    )
    return make_region(
        name="1单元", code="21030200100100100201", level=RegionLevel.UNIT, parent=building
    )


@pytest.fixture
def target(place):
    return helpers.resident(
        place,
        name="王秀英",
        number=TARGET_ID,
        phone="13812345678",
        relation="head",
        tags=[Tag.LOW_INCOME, Tag.VETERAN],
    )


def state() -> tuple:
    return (
        list(Resident.objects.order_by("pk").values_list("name", "household_id", "phone_index")),
        list(Household.objects.order_by("pk").values_list("unit_id", "room")),
        list(ResidentTag.objects.order_by("pk").values_list("tag", flat=True)),
        AuditRecord.objects.filter(success=True).count(),
    )


def send(client, method, path, body=None, **headers):
    if method == "get":
        return client.get(path, **headers)
    return getattr(client, method)(
        path, data=json.dumps(body or {}), content_type="application/json", **headers
    )


USERS = [
    "anonymous",
    "resident",
    "other_worker",
    "other_street_officer",
    "building_head",
    "inspector",
    "worker",
]
MATRIX = {
    ("list", "get"): [401, 403, 200, 200, 200, 403, 200],
    ("detail", "get"): [401, 403, 404, 404, 404, 403, 200],
    ("households", "get"): [401, 403, 200, 200, 200, 403, 200],
    ("create", "post"): [401, 403, 404, 403, 403, 403, 201],
    ("update", "patch"): [401, 403, 404, 403, 403, 403, 200],
}
CASES = [
    (op, method, who, status)
    for (op, method), statuses in MATRIX.items()
    for who, status in zip(USERS, statuses, strict=True)
]


@pytest.mark.parametrize(("op", "method", "who", "status"), CASES)
def test_api_permission_matrix(client, tree, people, place, target, op, method, who, status):
    # given a user (or nobody)
    if who != "anonymous":
        client.force_login(getattr(people, who))
    path = {
        "list": BASE,
        "create": BASE,
        "households": BASE + "households",
        "detail": f"{BASE}{target.pk}",
        "update": f"{BASE}{target.pk}",
    }[op]
    body = {
        "create": {
            "unit_id": place.pk,
            "room": "303",
            "name": "新居民",
            "id_number": NEW_ID,
            "relation": "head",
        },
        "update": {"name": "改名"},
    }.get(op)
    before = state()
    # when the endpoint is called
    response = send(client, method, path, body)
    # then the status is the matrix's and a refusal is in Chinese and changed nothing
    assert response.status_code == status
    if status >= 400:
        assert response.json()["detail"]
        assert state() == before
    elif method != "get":
        assert state() != before


def test_list_is_masked_and_paginated(client, tree, people, target, settings):
    settings.SHEQU_PAGE_SIZE = 2
    for i in range(3):
        helpers.resident(tree.unit, name=f"居民{i}", seq=60 + i, room=str(100 + i))
    client.force_login(people.worker)
    body = client.get(BASE, {"page": 2}).json()
    assert (body["count"], body["page"], body["pages"], body["page_size"]) == (4, 2, 2, 2)
    assert len(body["items"]) == 2
    (row,) = client.get(BASE, {"q": TARGET_ID}).json()["items"]
    assert row == {
        "id": target.pk,
        "name": "王秀英",
        "gender": "M",
        "age": row["age"],
        "id_number": "110101********" + TARGET_ID[-4:],
        "phone": "138****5678",
        "relation": "head",
        "relation_label": "户主",
        "household_id": target.household_id,
        "community_id": tree.community.pk,
        "community": "站前社区",
        "address": "化机小区2号楼1单元101室",
        "tags": ["low_income", "veteran"],
        "derived_tags": ["60+", "80+"],
        "left_at": None,
        "left_reason": "",
        "erased": False,
    }
    text = json.dumps(client.get(BASE).json(), ensure_ascii=False)
    assert TARGET_ID not in text and "13812345678" not in text


def test_building_head_gets_no_sensitive_tags(client, tree, people):
    helpers.resident(tree.unit, tags=[Tag.LOW_INCOME, Tag.VETERAN])
    client.force_login(people.building_head)
    (row,) = client.get(BASE).json()["items"]
    assert row["tags"] == ["veteran"]
    response = client.get(BASE, {"tag": "low_income"})
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有查看敏感标签（低保、残疾、特殊家庭）的权限。"


def test_create_and_update(client, tree, people, target):
    client.force_login(people.worker)
    response = send(
        client,
        "post",
        BASE,
        {
            "household_id": target.household_id,
            "name": "王小明",
            "id_number": NEW_ID,
            "phone": "15900001111",
            "relation": "child",
            "tags": ["party_member"],
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["gender"], created["id_number"], created["phone"], created["tags"]) == (
        "F",
        "110101********" + NEW_ID[-4:],
        "159****1111",
        ["party_member"],
    )
    response = send(client, "patch", f"{BASE}{created['id']}", {"phone": "", "tags": []})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["tags"]) == ("", [])
    r = Resident.objects.get(pk=created["id"])
    assert decrypt(r.id_number_enc) == NEW_ID and r.phone_enc is None


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"id_number": "110101199902300014"}, 422, "身份证号中的出生日期 1999-02-30 不存在。"),
        ({"id_number": TARGET_ID}, 422, "该身份证号已在本社区登记（居民：王**）。"),
        ({"phone": "12345"}, 422, "手机号应为11位大陆手机号码（1开头，第二位为3至9）。"),
        ({"relation": "cousin"}, 422, "与户主关系不正确。"),
        ({"relation": "head"}, 422, "该户已有户主（王**），一户只能有一位户主。"),
        (
            {"household_id": None},
            422,
            "请给出住户（household_id）或单元与门牌号（unit_id、room）。",
        ),
    ],
)
def test_bad_input_is_a_chinese_4xx(client, tree, people, target, body, status, detail):
    client.force_login(people.worker)
    payload = {
        "household_id": target.household_id,
        "name": "新人",
        "id_number": NEW_ID,
        "relation": "spouse",
    } | body
    before = state()
    response = send(client, "post", BASE, payload)
    assert response.status_code == status
    assert response.json()["detail"] == detail
    assert state() == before
    assert AuditRecord.objects.get(success=False).message == detail


def test_malformed_json_is_a_chinese_422(client, tree, people):
    client.force_login(people.worker)
    response = send(client, "post", BASE, {"name": "缺字段"})
    assert response.status_code == 422
    assert response.json()["detail"] == "请求数据格式不正确。"


def test_bearer_token_uses_the_same_scope(client, tree, people, target):
    _, raw = token_issue(user=people.other_worker, name="测试")
    response = client.get(BASE, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["count"] == 0
    _, raw = token_issue(user=people.worker, name="测试")
    response = client.get(BASE, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.json()["count"] == 1


def test_api_list_queries_do_not_grow_with_rows(client, tree, people, django_assert_num_queries):
    def fill(n: int, start: int) -> None:
        for i in range(start, start + n):
            helpers.resident(
                tree.unit, name=f"居民{i}", seq=i, room=str(i), tags=[Tag.VETERAN, Tag.LOW_INCOME]
            )

    client.force_login(people.worker)
    fill(3, 0)
    client.get(BASE)
    with CaptureQueriesContext(connection) as small:
        assert client.get(BASE).json()["count"] == 3
    fill(27, 3)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(BASE).json()["items"]) == 30
