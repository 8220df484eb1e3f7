import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core.models import AuditRecord, RegionLevel
from shequ.core.tests.factories import make_region
from shequ.residents.models import Household, Resident, ResidentTag, Tag
from shequ.residents.tests import helpers

TARGET_ID = helpers.id_number(31, dt.date(1955, 7, 1))
NEW_ID = helpers.id_number(32, dt.date(1992, 2, 2))


@pytest.fixture
def place(tree):
    """A second building in 化机小区, where the target resident lives."""
    building = make_region(
        name="2号楼", code="210302001001001002", level=RegionLevel.BUILDING, parent=tree.compound
    )
    unit = make_region(
        name="1单元", code="21030200100100100201", level=RegionLevel.UNIT, parent=building
    )
    return unit


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
    """Everything a refused write must leave as it was."""
    return (
        list(
            Resident.objects.order_by("pk").values_list(
                "name", "household_id", "community_id", "phone_index", "id_number_index", "relation"
            )
        ),
        list(Household.objects.order_by("pk").values_list("unit_id", "room", "community_id")),
        list(ResidentTag.objects.order_by("pk").values_list("tag", "community_id")),
        AuditRecord.objects.filter(success=True).count(),
    )


def url(name: str, target, tree) -> str:
    return {
        "list": lambda: reverse("residents:list"),
        "detail": lambda: reverse("residents:detail", args=[target.pk]),
        "create": lambda: reverse("residents:create"),
        "edit": lambda: reverse("residents:edit", args=[target.pk]),
        "unmask": lambda: reverse("residents:unmask", args=[target.pk]),
        "household": lambda: reverse("residents:household", args=[target.household_id]),
        "move": lambda: reverse("residents:household_move", args=[target.household_id]),
        "import": lambda: reverse("residents:import"),
        "template": lambda: reverse("residents:import_template"),
        "export": lambda: reverse("residents:export"),
    }[name]()


def post_data(name: str, target, tree, place):
    if name == "create":
        return {
            "unit": place.pk,
            "room": "201",
            "name": "新居民",
            "id_number": NEW_ID,
            "phone": "",
            "relation": "head",
        }
    if name == "edit":
        return {"name": "改名", "id_number": "", "phone": "", "relation": "head"}
    if name == "move":
        return {"unit": tree.unit.pk, "room": "808"}
    if name == "import":
        rows = [["化机小区", "2号楼", "1单元", "301", "导入者", NEW_ID, "", "户主", ""]]
        return {"file": ("居民.xlsx", helpers.xlsx(rows))}
    return {}


def do(client, method, path, data):
    if method == "get":
        return client.get(path)
    if "file" in data:
        from django.core.files.uploadedfile import SimpleUploadedFile

        name, content = data["file"]
        return client.post(path, {"file": SimpleUploadedFile(name, content.getvalue())})
    return client.post(path, data)


# The whole matrix: (page, method) -> status per user. "worker" is the right role.
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
    ("list", "get"): [302, 403, 200, 200, 200, 403, 200],
    ("detail", "get"): [302, 403, 404, 404, 404, 403, 200],
    ("create", "get"): [302, 403, 200, 403, 403, 403, 200],
    ("edit", "get"): [302, 403, 404, 403, 403, 403, 200],
    ("household", "get"): [302, 403, 404, 404, 404, 403, 200],
    ("move", "get"): [302, 403, 404, 403, 403, 403, 200],
    ("import", "get"): [302, 403, 200, 403, 403, 403, 200],
    ("template", "get"): [302, 403, 200, 403, 403, 403, 200],
    ("export", "get"): [302, 403, 200, 200, 403, 403, 200],
    # writes: the right role succeeds (302 back to a page, 200 for the unmask fragment)
    ("create", "post"): [302, 403, 200, 403, 403, 403, 302],
    ("edit", "post"): [302, 403, 404, 403, 403, 403, 302],
    ("move", "post"): [302, 403, 404, 403, 403, 403, 302],
    ("unmask", "post"): [302, 403, 404, 404, 404, 403, 200],
    ("import", "post"): [302, 403, 422, 403, 403, 403, 302],
}
CASES = [
    (page, method, user, status)
    for (page, method), statuses in MATRIX.items()
    for user, status in zip(USERS, statuses, strict=True)
]


@pytest.mark.parametrize(("page", "method", "who", "status"), CASES)
def test_permission_matrix(client, tree, people, place, target, page, method, who, status):
    # given a user (or nobody) and a resident of 化机小区2号楼
    if who != "anonymous":
        client.force_login(getattr(people, who))
    before = state()
    # when the page is requested
    response = do(client, method, url(page, target, tree), post_data(page, target, tree, place))
    # then the status is the matrix's, and only the right role changed anything
    assert response.status_code == status
    if status == 302 and who == "anonymous":
        assert response["Location"].startswith(reverse("core:login"))
    if method == "post" and who != "worker":
        assert state() == before
    if who == "worker" and method == "post" and page != "unmask":
        assert state() != before


def test_refused_create_shows_the_reason_and_is_audited(client, tree, people, target, place):
    client.force_login(people.worker)
    before = state()
    response = client.post(
        reverse("residents:create"),
        {
            "unit": place.pk,
            "room": "909",
            "name": "冒名",
            "id_number": TARGET_ID,
            "relation": "spouse",
        },
    )
    assert response.status_code == 422
    assert "该身份证号已在本社区登记（居民：王**）。" in response.content.decode()
    assert state() == before
    refused = AuditRecord.objects.get(success=False)
    assert (refused.action, refused.message) == (
        "resident.create",
        "该身份证号已在本社区登记（居民：王**）。",
    )


def test_bad_checksum_on_the_page(client, tree, people, place):
    client.force_login(people.worker)
    bad = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    response = client.post(
        reverse("residents:create"),
        {
            "unit": place.pk,
            "room": "1",
            "name": "甲",
            "id_number": bad,
            "relation": "head",
        },
    )
    assert response.status_code == 422
    assert "身份证号校验位不正确，请核对号码。" in response.content.decode()
    assert Resident.objects.count() == 0
    assert Household.objects.count() == 0


def test_list_shows_masked_numbers_only(client, tree, people, target):
    client.force_login(people.worker)
    html = client.get(reverse("residents:list")).content.decode()
    assert 'id="resident-table"' in html
    assert '<span class="masked">110101********' + TARGET_ID[-4:] + "</span>" in html
    assert "138****5678" in html
    assert TARGET_ID not in html and "13812345678" not in html
    assert reverse("residents:detail", args=[target.pk]) in html
    assert "低保" in html and "60岁以上" in html


def test_list_search_by_full_id_and_filters(client, tree, people, target):
    helpers.resident(tree.unit, name="李建国", seq=40, room="102")
    client.force_login(people.worker)
    html = client.get(reverse("residents:list"), {"q": TARGET_ID}).content.decode()
    assert "王秀英" in html and "李建国" not in html
    html = client.get(reverse("residents:list"), {"building": tree.building.pk}).content.decode()
    assert "李建国" in html and "王秀英" not in html
    html = client.get(reverse("residents:list"), {"tag": "60+"}).content.decode()
    assert "王秀英" in html and "李建国" not in html


def test_building_head_sees_no_sensitive_tags(client, tree, people, place):
    helpers.resident(tree.unit, name="楼内居民", tags=[Tag.LOW_INCOME, Tag.VETERAN])
    client.force_login(people.building_head)
    html = client.get(reverse("residents:list")).content.decode()
    assert "楼内居民" in html and "退役军人" in html
    assert "低保" not in html
    assert client.get(reverse("residents:list"), {"tag": "low_income"}).status_code == 200


def test_unmask_with_htmx_returns_numbers_and_audits(client, tree, people, target):
    client.force_login(people.worker)
    detail = client.get(reverse("residents:detail", args=[target.pk])).content.decode()
    assert "显示完整号码" in detail and TARGET_ID not in detail
    response = client.post(reverse("residents:unmask", args=[target.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert TARGET_ID in html and "13812345678" in html
    assert "<html" not in html
    record = AuditRecord.objects.get(action="resident.unmask")
    assert (record.user_id, record.object_id) == (people.worker.pk, str(target.pk))


def test_unmask_refused_for_building_head_is_audited(client, tree, people):
    r = helpers.resident(tree.unit, name="楼内居民", number=TARGET_ID)
    client.force_login(people.building_head)
    detail = client.get(reverse("residents:detail", args=[r.pk])).content.decode()
    assert "显示完整号码" not in detail
    response = client.post(reverse("residents:unmask", args=[r.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert TARGET_ID not in response.content.decode()
    refused = AuditRecord.objects.get(action="resident.unmask")
    assert refused.success is False


def test_create_edit_and_move_through_the_pages(client, tree, people, target, place):
    client.force_login(people.worker)
    response = client.post(
        reverse("residents:create") + f"?household={target.household_id}",
        {
            "unit": place.pk,
            "room": target.household.room,
            "name": "王小明",
            "id_number": NEW_ID,
            "phone": "15900001111",
            "relation": "child",
            "tags": ["veteran"],
        },
    )
    child = Resident.objects.get(name="王小明")
    assert response["Location"] == reverse("residents:detail", args=[child.pk])
    assert child.household_id == target.household_id
    response = client.post(
        reverse("residents:edit", args=[child.pk]),
        {
            "name": "王晓明",
            "id_number": "",
            "phone": "",
            "clear_phone": "on",
            "relation": "child",
            "tags": [],
        },
    )
    child.refresh_from_db()
    assert (child.name, child.phone_enc, child.tag_rows.count()) == ("王晓明", None, 0)
    client.post(
        reverse("residents:household_move", args=[target.household_id]),
        {"unit": tree.unit2.pk, "room": "606"},
    )
    home = Household.objects.get(pk=target.household_id)
    assert (home.unit_id, home.room) == (tree.unit2.pk, "606")
    page = client.get(reverse("residents:household", args=[home.pk])).content.decode()
    assert "王秀英" in page and "王晓明" in page and "2单元 606室" in page


def test_import_page_reports_bad_rows(client, tree, people, place):
    client.force_login(people.worker)
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [
        ["化机小区", "2号楼", "1单元", "301", "甲", NEW_ID, "", "户主", ""],
        ["化机小区", "2号楼", "1单元", "302", "乙", "110101199902300014", "", "户主", ""],
    ]
    upload = SimpleUploadedFile("居民.xlsx", helpers.xlsx(rows).getvalue())
    response = client.post(reverse("residents:import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 422
    assert "第 3 行" in html and "身份证号中的出生日期 1999-02-30 不存在。" in html
    assert "第 2 行" not in html
    assert Resident.objects.count() == 0
    refused = AuditRecord.objects.get(action="resident.import")
    assert (refused.success, refused.changes) == (False, {"file": "居民.xlsx", "bad_rows": 1})


def test_export_download_is_masked(client, tree, people, target):
    client.force_login(people.worker)
    response = client.get(reverse("residents:export"))
    wb = load_workbook(__import__("io").BytesIO(b"".join(response.streaming_content)))
    values = [c for row in wb["居民信息"].iter_rows(values_only=True) for c in row]
    assert "110101********" + TARGET_ID[-4:] in values
    assert "138****5678" in values
    assert TARGET_ID not in values and "13812345678" not in values


@pytest.mark.parametrize("page", ["list", "household"])
def test_page_queries_do_not_grow_with_rows(client, tree, people, django_assert_num_queries, page):
    # given a household page/list with 3 residents
    def fill(n: int, start: int) -> None:
        for i in range(start, start + n):
            helpers.resident(
                tree.unit, name=f"居民{i}", seq=i, room="101", tags=[Tag.VETERAN, Tag.LOW_INCOME]
            )

    client.force_login(people.worker)
    fill(3, 0)
    home = Household.objects.get()
    path = (
        reverse("residents:list")
        if page == "list"
        else reverse("residents:household", args=[home.pk])
    )
    client.get(path)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    # when it holds 30
    fill(27, 3)
    # then it takes exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(path)
    assert response.content.decode().count("居民2") >= 11
