"""Pages of the service desk: the permission matrix over every page and
action (a refusal changes nothing), what the pages show, flat query counts."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shequ.core.models import AuditRecord
from shequ.core.permissions import Role
from shequ.core.tests.factories import user_with
from shequ.desk.models import (
    Category,
    CommunityItem,
    Qualification,
    ServiceItem,
    ServiceItemVersion,
    Window,
    WindowDuty,
)
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify

READERS = {"district_admin", "street_officer", "secretary", "worker", "inspector"}
NON_READERS = {"resident", "building_head", "system_admin", "security_admin", "audit_admin"}

ITEM_POST = {
    "code": "ZM-001",
    "name": "居住证明开具",
    "category": Category.CERTIFICATE,
    "department": "街道办事处",
    "legal_basis": "区社区证明事项清单",
    "materials": "居民身份证|原件和复印件|关键\n房屋租赁合同|复印件|非关键",
    "legal_days": "3",
    "promised_days": "0",
    "kind": "immediate",
    "fee": "0",
    "proxy_allowed": "on",
    "form_fields": "证明用途|文本|必填",
}


def snapshot() -> tuple:
    return (
        list(ServiceItem.objects.order_by("id").values_list("id", "name", "retired_at")),
        ServiceItemVersion.objects.count(),
        list(CommunityItem.objects.order_by("id").values_list("id", "active")),
        list(Window.objects.order_by("id").values_list("id", "active")),
        WindowDuty.objects.count(),
        list(Qualification.objects.order_by("id").values_list("id", "revoked_at")),
    )


@pytest.fixture
def desk(tree, people):
    item = make_item(tree.district)
    window = make_window(tree.community)
    qualification = qualify(people.worker, tree.community)
    return item, window, qualification


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_read_pages_matrix(client, people, desk):
    # given
    item, window, qualification = desk
    pages = [
        reverse("services:home"),
        reverse("services:items"),
        reverse("services:item", args=[item.pk]),
        reverse("services:export"),
        reverse("services:windows"),
        reverse("services:window", args=[window.pk]),
        reverse("services:qualifications"),
    ]
    for url in pages:
        # anonymous → login
        response = _get(client, None, url)
        assert (response.status_code, response["Location"][:7]) == (302, "/login/"), url
        for who in READERS:
            assert _get(client, getattr(people, who), url).status_code == 200, (url, who)
        for who in NON_READERS:
            assert _get(client, getattr(people, who), url).status_code == 403, (url, who)
    # a worker of another community / an officer of another street: not this window
    window_url = reverse("services:window", args=[window.pk])
    assert _get(client, people.other_worker, window_url).status_code == 404
    assert _get(client, people.other_street_officer, window_url).status_code == 404


def _post_matrix(client, people, url, data, refused: dict[str, int], allowed: str, after: int):
    """Every refused role changes nothing; the allowed one then succeeds."""
    before = snapshot()
    client.logout()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    for who, status in refused.items():
        client.force_login(getattr(people, who))
        response = client.post(url, data)
        assert response.status_code == status, (url, who, response.status_code)
        assert snapshot() == before, (url, who)
    client.force_login(getattr(people, allowed))
    response = client.post(url, data)
    assert response.status_code == after, (url, allowed, response.status_code)
    assert snapshot() != before


def test_item_create_matrix(client, people, desk):
    _post_matrix(
        client,
        people,
        reverse("services:item_create"),
        ITEM_POST,
        {"resident": 403, "other_worker": 403, "other_street_officer": 403, "secretary": 403},
        "district_admin",
        302,
    )
    item = ServiceItem.objects.get(code="ZM-001")
    assert item.current_version.form_fields == [
        {"name": "证明用途", "type": "text", "required": True, "options": []}
    ]
    body = client.get(reverse("services:item", args=[item.pk])).content.decode()
    assert "证明用途（文本，必填）" in body
    assert '居民身份证（原件和复印件） <span class="badge text-bg-danger">关键材料</span>' in body


def test_item_revise_and_retire_matrix(client, people, desk):
    item = desk[0]
    data = ITEM_POST | {"name": "高龄津贴申领（修订）", "kind": "promised", "promised_days": "2"}
    refused = {"resident": 403, "worker": 403, "street_officer": 403, "secretary": 403}
    url = reverse("services:item_revise", args=[item.pk])
    _post_matrix(client, people, url, data, refused, "district_admin", 302)
    assert list(item.versions.values_list("number", "name")) == [
        (2, "高龄津贴申领（修订）"),
        (1, "高龄津贴申领"),
    ]
    url = reverse("services:item_retire", args=[item.pk])
    _post_matrix(client, people, url, {}, refused, "district_admin", 302)


def test_item_form_shows_chinese_errors_and_writes_nothing(client, people):
    # given
    client.force_login(people.district_admin)
    before = snapshot()

    # when
    response = client.post(
        reverse("services:item_create"),
        ITEM_POST | {"materials": "户口簿|扫描件|关键", "promised_days": "5"},
    )

    # then
    assert response.status_code == 422
    assert "材料“户口簿”应注明“原件”“复印件”或“原件和复印件”" in response.content.decode()
    assert snapshot() == before


def test_adopt_and_drop_matrix(client, people, desk):
    item = desk[0]
    refused = {
        "resident": 403,
        "worker": 403,
        "other_worker": 403,
        "street_officer": 403,
        "district_admin": 403,
    }
    _post_matrix(
        client,
        people,
        reverse("services:item_adopt", args=[item.pk]),
        {},
        refused,
        "secretary",
        302,
    )
    assert CommunityItem.objects.get().active is True
    _post_matrix(
        client, people, reverse("services:item_drop", args=[item.pk]), {}, refused, "secretary", 302
    )
    assert CommunityItem.objects.get().active is False


def test_window_create_matrix(client, people, desk):
    refused = {"resident": 403, "worker": 403, "other_worker": 403, "street_officer": 403}
    url = reverse("services:window_create")
    _post_matrix(client, people, url, {"name": "2号综合窗口"}, refused, "secretary", 302)
    assert list(Window.objects.order_by("name").values_list("name", flat=True)) == [
        "1号综合窗口",
        "2号综合窗口",
    ]


def test_duty_and_toggle_matrix(client, people, desk):
    window = desk[1]
    today = timezone.localdate().isoformat()
    data = {"date": today, "worker": people.worker.pk}
    refused = {
        "resident": 403,
        "worker": 403,  # reads the window, may not set its roster
        "other_worker": 404,
        "other_street_officer": 404,
        "street_officer": 403,
    }
    url = reverse("services:window", args=[window.pk])
    _post_matrix(client, people, url, data, refused, "secretary", 302)
    assert list(WindowDuty.objects.values_list("worker", "date")) == [
        (people.worker.pk, timezone.localdate())
    ]
    toggle_refused = {"resident": 403, "worker": 403, "other_worker": 403, "street_officer": 403}
    url = reverse("services:window_toggle", args=[window.pk])
    _post_matrix(client, people, url, {}, toggle_refused, "secretary", 302)


def test_qualification_grant_and_revoke_matrix(client, people, desk, tree):
    # given: a second worker of 站前社区 to qualify
    newcomer = user_with(Role.COMMUNITY_WORKER, tree.community, "newcomer")
    data = {
        "community": tree.community.pk,
        "worker": newcomer.pk,
        "categories": [Category.HEALTH, Category.ELDERLY],
        "granted_at": "2026-03-20",
        "basis": "2026年卫生健康专项培训合格",
    }
    refused = {
        "resident": 403,
        "worker": 403,
        "other_worker": 403,
        "other_street_officer": 200,  # the form again: 站前社区 is not among its choices
        "district_admin": 403,
    }
    url = reverse("services:qualification_grant")
    _post_matrix(client, people, url, data, refused, "street_officer", 302)
    granted = Qualification.objects.get(worker=newcomer)
    assert (granted.categories, granted.granted_by) == (
        [Category.ELDERLY, Category.HEALTH],
        people.street_officer,
    )
    url = reverse("services:qualification_revoke", args=[granted.pk])
    revoke_refused = {"resident": 403, "worker": 403, "other_street_officer": 404}
    _post_matrix(client, people, url, {}, revoke_refused, "secretary", 302)
    assert AuditRecord.objects.filter(action="qualification.revoke", success=False).count() == 0


def test_refused_window_duty_is_audited(client, people, desk):
    window = desk[1]
    client.force_login(people.secretary)
    response = client.post(
        reverse("services:window", args=[window.pk]),
        {"date": "2020-01-01", "worker": people.worker.pk},
    )
    assert response.status_code == 422
    assert "不能为已经过去的日期排班。" in response.content.decode()
    record = AuditRecord.objects.get(action="window.duty_set")
    assert (record.success, record.message) == (False, "不能为已经过去的日期排班。")


def test_date_inputs_carry_iso_dates(client, people, desk, clock):
    # given: a day zh-hans would write 2026/12/02, which <input type=date> refuses
    clock.set("2026-12-02")
    client.force_login(people.secretary)

    # when: the roster form and the qualification form open on today
    roster = client.get(reverse("services:window", args=[desk[1].pk])).content.decode()
    grant = client.get(reverse("services:qualification_grant")).content.decode()

    # then: both dates are yyyy-MM-dd, the only form the browser shows
    assert re.findall(r'<input type="date"[^>]*>', roster) == [
        '<input type="date" name="date" value="2026-12-02" class="form-control" required'
        ' id="id_date">'
    ]
    assert re.findall(r'<input type="date"[^>]*>', grant) == [
        '<input type="date" name="granted_at" value="2026-12-02" class="form-control" required'
        ' id="id_granted_at">'
    ]
    assert "2026/12/02" not in roster + grant


def test_community_home_shows_windows_duty_and_generalists(client, people, desk, tree):
    # given
    window = desk[1]
    adopt(tree.community, desk[0])
    WindowDuty.objects.create(
        district=tree.district,
        community=tree.community,
        window=window,
        worker=people.worker,
        date=timezone.localdate(),
    )
    client.force_login(people.secretary)

    # when
    body = client.get(reverse("services:home")).content.decode()

    # then
    assert "1号综合窗口" in body and str(people.worker) in body
    assert '<div class="fs-4" id="adopted-count">1</div>' in body
    assert '<div class="fs-4" id="generalist-count">1</div>' in body


def test_district_home_counts_by_category_and_community(client, people, desk):
    client.force_login(people.district_admin)
    body = client.get(reverse("services:home")).content.decode()
    assert '养老服务</div><div class="fs-5">1</div>' in body
    assert "<td>站前社区</td><td>1</td><td>1</td>" in body


def test_catalog_search_and_filter(client, people, tree):
    make_item(tree.district, code="YL-001")
    make_item(tree.district, code="ZF-001", name="公租房申请初审", category=Category.HOUSING)
    client.force_login(people.worker)
    body = client.get(reverse("services:items"), {"category": Category.HOUSING}).content.decode()
    assert "公租房申请初审" in body and "高龄津贴申领" not in body
    body = client.get(reverse("services:items"), {"q": "高龄"}).content.decode()
    assert "高龄津贴申领" in body and "公租房申请初审" not in body


def test_export_page_returns_the_sheet(client, people, desk):
    client.force_login(people.inspector)
    response = client.get(reverse("services:export"))
    rows = list(load_workbook(io.BytesIO(response.content))["公共服务事项清单"].values)
    assert [r[:2] for r in rows[1:]] == [("YL-001", "高龄津贴申领")]


def _fill(tree, people, n: int) -> None:
    for i in range(n):
        item = make_item(tree.district, code=f"YL-{n}{i:03d}")
        adopt(tree.community, item)
        window = make_window(tree.community, f"{n}-{i}号综合窗口")
        WindowDuty.objects.create(
            district=tree.district,
            community=tree.community,
            window=window,
            worker=user_with(Role.COMMUNITY_WORKER, tree.community, f"w{n}-{i}"),
            date=timezone.localdate(),
        )
        qualify(user_with(Role.COMMUNITY_WORKER, tree.community, f"q{n}-{i}"), tree.community)


@pytest.mark.parametrize(
    "name", ["services:home", "services:items", "services:windows", "services:qualifications"]
)
def test_list_pages_query_counts_do_not_grow(
    client, people, tree, name, django_assert_max_num_queries
):
    # given: the count with 2 rows of everything
    client.force_login(people.secretary)
    _fill(tree, people, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200

    # when: 10 more rows of everything
    _fill(tree, people, 10)

    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(name)).status_code == 200
