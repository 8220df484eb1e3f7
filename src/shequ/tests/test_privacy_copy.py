"""个人信息副本 across the apps: the resident of ``test_privacy_erasure``'s
world (who has just left the district) downloads what every app holds about
them — their cases, appeals, "me too", party membership, report-in,
transfer and meeting invitation — and nothing about anyone else; the
secretary's copy is the same; after the erasure there is none."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.urls import reverse
from openpyxl import load_workbook

from shequ.residents import retention
from shequ.tests.test_privacy_erasure import (
    ID,
    NAME,
    OTHER_ID,
    OTHER_NAME,
    OTHER_PHONE,
    PHONE,
    world,  # noqa: F401  (the fixture)
)

# In the order the apps are installed (each registers its parts in ready()).
PARTS = ["办件申请人信息", "参加协商会议", "诉求联系人信息", "我也遇到", "党员信息", "党员双报到",
         "组织关系接转"]  # fmt: skip


def _part(data: dict, title: str) -> list[dict]:
    return next(p["rows"] for p in data["parts"] if p["title"] == title)


def test_the_copy_holds_every_apps_records_of_the_person(client, world):  # noqa: F811
    me, _neighbour, account = world
    client.force_login(account)
    response = client.get(reverse("residents:my_data"), {"format": "json"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [p["title"] for p in data["parts"]] == PARTS
    assert data["register"]["姓名"] == NAME and data["register"]["身份证号"] == ID
    assert data["register"]["迁出"] == "2026-09-29 迁出本区"
    assert [r["类别"] for r in data["records"]].count("办件") == 1
    assert [r["类别"] for r in data["records"]].count("诉求") == 1
    case = _part(data, "办件申请人信息")[0]
    assert (case["申请人"], case["身份证号"], case["联系电话"], case["状态"]) == (
        NAME, ID, PHONE, "已办结",
    )  # fmt: skip
    assert _part(data, "诉求联系人信息")[0]["联系电话"] == PHONE
    member = _part(data, "党员信息")[0]
    assert (member["所在党组织"], member["管理类型"], member["工作单位"]) == (
        "化机小区1号楼党小组", "在职党员", "城东第一中学",
    )  # fmt: skip
    assert _part(data, "党员双报到")[0]["特长"] == "书法、理发"
    assert _part(data, "组织关系接转")[0]["接收党组织"] == "中共某县某村支部委员会"
    assert _part(data, "参加协商会议")[0]["姓名"] == NAME
    # nothing about the neighbour, though he supported her appeal and met her
    text = response.content.decode()
    for theirs in (OTHER_NAME, OTHER_ID, OTHER_PHONE):
        assert theirs not in text


def test_the_copy_as_excel_has_a_sheet_per_part(client, world):  # noqa: F811
    _me, _neighbour, account = world
    client.force_login(account)
    response = client.get(reverse("residents:my_data"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["居民档案", "本户成员", "办事与诉求记录", *PARTS]
    rows = list(book["党员信息"].iter_rows(values_only=True))
    assert rows[0][:3] == ("所在党组织", "党员类别", "管理类型")
    assert rows[1][0] == "化机小区1号楼党小组"


def test_the_secretarys_copy_is_the_same_and_none_after_the_erasure(
    client,
    world,  # noqa: F811
    people,
    clock,
):
    me, _neighbour, _account = world
    client.force_login(people.secretary)
    data = json.loads(
        client.get(reverse("residents:data", args=[me.pk]), {"format": "json"}).content
    )
    assert [p["title"] for p in data["parts"]] == PARTS
    assert data["register"]["身份证号"] == ID
    clock.set(clock.today + dt.timedelta(days=1095))
    retention.residents_erase_expired()
    client.force_login(people.secretary)  # three years on: a new session
    response = client.get(reverse("residents:data", args=[me.pk]))
    assert response.status_code == 404
    assert "已按保存期限删除" in response.content.decode()
    page = client.get(reverse("residents:detail", args=[me.pk])).content.decode()
    assert 'id="data-button"' not in page
