"""一窗受理 API: the permission matrix, the payloads, flat query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.core.api_auth import token_issue
from shequ.desk.models import Category, WindowDuty
from shequ.desk.tests.helpers import make_item, make_window

READERS = ["district_admin", "street_officer", "secretary", "worker", "inspector"]
NON_READERS = ["resident", "building_head", "system_admin", "security_admin", "audit_admin"]


@pytest.fixture
def catalog(tree, people):
    item = make_item(
        tree.district,
        code="MZ-001",
        name="最低生活保障申请",
        category=Category.CIVIL_ASSISTANCE,
        form_fields=[
            {"name": "申请原因", "type": "choice", "required": True, "options": ["因病", "因残"]}
        ],
    )
    window = make_window(tree.community)
    WindowDuty.objects.create(
        district=tree.district,
        community=tree.community,
        window=window,
        worker=people.worker,
        date=timezone.localdate(),
    )
    return item, window


def test_api_permission_matrix(client, people, tree, catalog):
    item, _window = catalog
    urls = [
        "/api/services/items",
        f"/api/services/items/{item.pk}",
        f"/api/services/communities/{tree.community.pk}/windows",
    ]
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 401, url
        for who in READERS:
            client.force_login(getattr(people, who))
            assert client.get(url).status_code == 200, (url, who)
        for who in NON_READERS:
            client.force_login(getattr(people, who))
            response = client.get(url)
            assert response.status_code == 403, (url, who)
            assert response.json() == {"detail": "当前角色无权执行此操作。"}
    # another community's worker, another street's officer: not this community's windows
    windows = f"/api/services/communities/{tree.community.pk}/windows"
    for who in ("other_worker", "other_street_officer"):
        client.force_login(getattr(people, who))
        response = client.get(windows)
        assert (response.status_code, response.json()) == (404, {"detail": "没有找到该社区。"})


def test_api_items_and_item_with_current_version(client, people, tree, catalog):
    # given
    item, _window = catalog
    make_item(tree.district, code="YL-001")
    token, raw = token_issue(user=people.worker, name="测试")

    # when
    listed = client.get(
        "/api/services/items",
        {"category": Category.CIVIL_ASSISTANCE},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    detail = client.get(f"/api/services/items/{item.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()

    # then
    assert (listed["count"], [i["code"] for i in listed["items"]]) == (1, ["MZ-001"])
    assert listed["items"][0]["category_label"] == "民政救助"
    assert detail["versions"] == [1]
    current = detail["current_version"]
    assert (current["kind_label"], current["promised_days"], current["fee"]) == (
        "承诺件",
        5,
        "0.00",
    )
    assert current["materials"][0] == {
        "name": "居民身份证",
        "original_or_copy": "原件和复印件",
        "key": True,
        "template": "",
    }
    assert current["form_fields"][0]["options"] == ["因病", "因残"]


def test_api_rejects_unknown_category_and_missing_item(client, people, catalog):
    client.force_login(people.worker)
    response = client.get("/api/services/items", {"category": "宠物"})
    assert (response.status_code, response.json()["detail"]) == (422, "未知的类别。")
    response = client.get("/api/services/items/999999")
    assert (response.status_code, response.json()) == (404, {"detail": "没有找到该事项。"})


def test_api_windows_with_today_duty(client, people, tree, catalog):
    client.force_login(people.street_officer)
    body = client.get(f"/api/services/communities/{tree.community.pk}/windows").json()
    assert body == [
        {
            "id": catalog[1].pk,
            "name": "1号综合窗口",
            "active": True,
            "community_id": tree.community.pk,
            "on_duty": [
                {
                    "date": timezone.localdate().isoformat(),
                    "worker_id": people.worker.pk,
                    "worker": str(people.worker),
                }
            ],
        }
    ]


def test_api_item_list_query_count_is_flat(client, people, tree):
    client.force_login(people.worker)
    make_item(tree.district, code="A-1")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/services/items")
    for i in range(15):
        make_item(tree.district, code=f"B-{i}")
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/services/items").json()["count"] == 16
    assert len(large.captured_queries) == len(small.captured_queries)
