"""个人信息副本: a resident downloads what the platform holds about them, the
secretary produces the same for a resident who asks; nobody gets another
person's copy (the other apps' parts: ``shequ/tests/test_privacy_copy.py``)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequ.core.models import AuditRecord
from shequ.core.permissions import Role
from shequ.core.tests.factories import actor_for, user_with
from shequ.residents import retention
from shequ.residents.models import Relation, Resident, Tag
from shequ.residents.tests.helpers import id_number, resident

ME_ID = id_number(31, dt.date(1975, 3, 8))
SPOUSE_ID = id_number(32, dt.date(1977, 4, 9))
FORMULA = '=HYPERLINK("http://evil/","点我")'


@pytest.fixture
def me(tree, clock, people):
    r = resident(
        tree.unit, name="王芳", number=ME_ID, phone="13912345678", relation=Relation.HEAD,
        tags=[Tag.LOW_INCOME],
    )  # fmt: skip
    Resident.objects.filter(pk=r.pk).update(user=people.resident)
    return r


@pytest.fixture
def spouse(tree, me):
    return resident(
        tree.unit, name="李强", number=SPOUSE_ID, phone="13700001111", relation=Relation.SPOUSE
    )


def _audits() -> list[tuple[str, dict]]:
    return list(
        AuditRecord.objects.filter(action__startswith="resident.")
        .order_by("id")
        .values_list("action", "changes")
    )


def test_my_data_page_shows_my_numbers_in_full_and_my_household_masked(client, people, me, spouse):
    client.force_login(people.resident)
    response = client.get(reverse("residents:my_data"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "我的个人信息" in html
    for mine in ("王芳", ME_ID, "13912345678", "1975-03-08", "低保", "化机小区"):
        assert mine in html
    # the spouse appears by masked name only, never her numbers
    assert "李*" in html and "李强" not in html
    assert SPOUSE_ID not in html and "13700001111" not in html
    # audited: the copy and the unmask of my own numbers
    assert _audits() == [
        ("resident.data_export", {"format": "page", "for": "self", "records": 0, "parts": []}),
        (
            "resident.unmask",
            {
                "fields": ["id_number", "phone"],
                "id_number": "110101********" + ME_ID[-4:],
                "purpose": "个人信息副本（本人）",
            },
        ),
    ]


def test_my_data_as_json(client, people, me, spouse):
    client.force_login(people.resident)
    response = client.get(reverse("residents:my_data"), {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["register"] == {
        "姓名": "王芳",
        "性别": "女" if int(ME_ID[16]) % 2 == 0 else "男",
        "出生日期": "1975-03-08",
        "身份证号": ME_ID,
        "手机号": "13912345678",
        "与户主关系": "户主",
        "所在社区": "站前社区",
        "住址": "化机小区1号楼1单元101室",
        "标签": "低保",
        "登记时间": "2026-09-29 09:30",
        "居民账号": "resident",
    }
    assert data["household"] == [{"姓名": "李*", "与户主关系": "配偶"}]
    assert data["records"] == [] and data["parts"] == []
    assert AuditRecord.objects.get(action="resident.data_export").changes["format"] == "json"


def test_my_data_as_excel_keeps_text_as_text(client, tree, people, me):
    Resident.objects.filter(pk=me.pk).update(name=FORMULA)
    client.force_login(people.resident)
    response = client.get(reverse("residents:my_data"), {"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["居民档案", "本户成员", "办事与诉求记录"]
    sheet = book["居民档案"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["姓名"] == FORMULA and rows["身份证号"] == ME_ID
    name_cell = next(c for c in sheet["B"] if c.value == FORMULA)
    assert name_cell.data_type == "s" and name_cell.quotePrefix is True


def test_my_data_through_the_api(client, people, me):
    client.force_login(people.resident)
    response = client.get("/api/residents/me/data")
    assert response.status_code == 200
    assert response.json()["register"]["身份证号"] == ME_ID
    assert AuditRecord.objects.get(action="resident.data_export").changes["format"] == "json"


def test_a_resident_never_gets_another_residents_data(client, tree, people, me, spouse):
    # given the spouse has her own account too
    other = user_with(Role.RESIDENT, tree.community, "lq")
    Resident.objects.filter(pk=spouse.pk).update(user=other)
    client.force_login(people.resident)
    # the staff copy of her entry is refused; asking for mine gives mine
    assert client.get(reverse("residents:data", args=[spouse.pk])).status_code == 403
    assert (
        client.get(reverse("residents:data", args=[spouse.pk]), {"format": "json"}).status_code
        == 403
    )
    data = json.loads(client.get(reverse("residents:my_data"), {"format": "json"}).content)
    assert data["register"]["身份证号"] == ME_ID
    for query in ({"resident_id": spouse.pk}, {"resident": spouse.pk}, {"id": spouse.pk}):
        data = json.loads(
            client.get(reverse("residents:my_data"), {"format": "json", **query}).content
        )
        assert data["register"]["姓名"] == "王芳"
    assert (
        client.get("/api/residents/me/data", {"resident_id": spouse.pk}).json()["register"]["姓名"]
        == "王芳"
    )
    assert client.get(f"/api/residents/{spouse.pk}").status_code == 403
    # and she gets hers
    client.force_login(other)
    data = json.loads(client.get(reverse("residents:my_data"), {"format": "json"}).content)
    assert data["register"]["身份证号"] == SPOUSE_ID
    assert data["household"] == [{"姓名": "王*", "与户主关系": "户主"}]


def test_an_account_not_linked_to_the_register_is_told_where_to_go(client, tree, people):
    client.force_login(people.resident)
    response = client.get(reverse("residents:my_data"))
    assert response.status_code == 404
    assert "尚未与居民档案关联" in response.content.decode()
    assert not AuditRecord.objects.filter(action="resident.data_export").exists()


def test_a_resident_who_left_still_gets_their_copy_until_erased(client, people, clock, me):
    retention.resident_leave(
        actor=actor_for(people.worker), resident=me, left_at=clock.today, reason="moved_out"
    )
    client.force_login(people.resident)
    data = json.loads(client.get(reverse("residents:my_data"), {"format": "json"}).content)
    assert data["register"]["迁出"] == "2026-09-29 迁出本区"
    clock.set(clock.today + dt.timedelta(days=1095))
    retention.residents_erase_expired()
    # the account is closed: its session no longer signs anyone in
    client.force_login(people.resident)
    response = client.get(reverse("residents:my_data"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


STAFF_ROLES = {
    "anonymous": 302,
    "resident": 403,
    "worker": 403,
    "building_head": 403,
    "street_officer": 403,
    "district_admin": 403,
    "inspector": 403,
    "secretary": 200,
}


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_the_staff_copy_is_the_secretarys(client, people, me, role):
    if role != "anonymous":
        client.force_login(getattr(people, role))
    response = client.get(reverse("residents:data", args=[me.pk]), {"format": "json"})
    assert response.status_code == STAFF_ROLES[role]
    exports = AuditRecord.objects.filter(action="resident.data_export")
    if STAFF_ROLES[role] == 200:
        assert json.loads(response.content)["register"]["身份证号"] == ME_ID
        assert exports.get().changes["for"] == "staff"
        assert AuditRecord.objects.get(action="resident.unmask").changes["purpose"] == (
            "个人信息副本（代本人出具）"
        )
    else:
        assert not exports.exists()


def test_another_communitys_secretary_cannot_produce_the_copy(client, tree, me):
    other = user_with(Role.COMMUNITY_SECRETARY, tree.other_community, "other_secretary")
    client.force_login(other)
    response = client.get(reverse("residents:data", args=[me.pk]))
    assert response.status_code == 404
    assert ME_ID not in response.content.decode()


def test_the_secretarys_page_has_the_copy_and_its_downloads(client, people, me):
    client.force_login(people.secretary)
    detail = client.get(reverse("residents:detail", args=[me.pk])).content.decode()
    assert 'id="data-button"' in detail
    html = client.get(reverse("residents:data", args=[me.pk])).content.decode()
    assert "个人信息副本：王芳" in html and ME_ID in html
    assert 'href="?format=json"' in html and 'href="?format=xlsx"' in html
    client.force_login(people.worker)
    assert (
        'id="data-button"'
        not in client.get(reverse("residents:detail", args=[me.pk])).content.decode()
    )


def test_the_copy_is_read_only(client, people, me):
    client.force_login(people.resident)
    assert client.post(reverse("residents:my_data")).status_code == 405
    client.force_login(people.secretary)
    assert client.post(reverse("residents:data", args=[me.pk])).status_code == 405
    assert _audits() == []


def test_an_unknown_format_is_refused(client, people, me):
    client.force_login(people.resident)
    response = client.get(reverse("residents:my_data"), {"format": "pdf"})
    assert response.status_code == 422
    assert "格式只能是 page、json 或 xlsx。" in response.content.decode()
    assert _audits() == []
