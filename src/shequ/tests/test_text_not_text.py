"""Text that is not text is refused in every field (issue 16): control
characters, bidi overrides and isolates, and the U+FFFD that undecodable
form bytes become — in Chinese, on the field, before anything is written."""

from __future__ import annotations

import pytest

from shequ.core.errors import ValidationError
from shequ.core.models import AuditRecord
from shequ.core.text import clean_text
from shequ.residents.models import Resident


@pytest.mark.parametrize(
    "value",
    [
        "发票\u202etxt.exe",
        "\u2066隔离\u2069",
        "乱码\ufffd",
        "空\x00字符",
        "响铃\x07",
        "删除\x7f",
        "\x85",
    ],
)
def test_not_text_is_refused_on_its_field(value):
    with pytest.raises(ValidationError) as refused:
        clean_text(value, field="title", label="标题", max_length=100, markup="allowed")
    assert (refused.value.field, refused.value.message) == (
        "title", "标题含有无法显示的控制字符或乱码，请删除后重新输入。",
    )  # fmt: skip


def test_tabs_and_line_breaks_are_text():
    assert clean_text("第一行\r\n\t第二行", field="t", label="说明", max_length=100) == (
        "第一行\r\n\t第二行"
    )


@pytest.mark.django_db
def test_a_form_post_that_was_not_utf8_writes_nothing(client, people, tree):
    from shequ.party.models import OrgKind, PartyOrg
    from shequ.party.tests.helpers import org

    org(tree.community, OrgKind.COMMUNITY_COMMITTEE, "中共站前社区委员会")
    client.force_login(people.secretary)
    # "%FF%FE" is no UTF-8 (Django would decode it to U+FFFD): refused before the view
    body = (
        f"level=4&region={tree.compound.pk}&kind=branch&founded_on=2026-10-01&name=%E6%94%AF%FF%FE"
    )
    audits = AuditRecord.objects.count()
    response = client.post(
        "/party/orgs/new/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "不是有效的 UTF-8 文本" in response.content.decode()
    assert PartyOrg.objects.count() == 1 and AuditRecord.objects.count() == audits
    # the same name in UTF-8 is accepted
    good = body.replace("%FF%FE", "%E9%83%A8")
    assert (
        client.post(
            "/party/orgs/new/", good, content_type="application/x-www-form-urlencoded"
        ).status_code
        == 302
    )
    assert PartyOrg.objects.count() == 2


@pytest.mark.django_db
def test_undecodable_json_multipart_and_query_are_refused_with_400(client, people, tree):
    client.force_login(people.worker)
    residents = Resident.objects.count()
    # a JSON body in GBK (a legacy system forwarding): 400 in Chinese, as JSON
    body = '{"name": "王芳"}'.encode("gbk")
    api = client.post("/api/residents/", body, content_type="application/json")
    assert api.status_code == 400
    assert "不是有效的 UTF-8 文本" in api.json()["detail"]
    # a multipart text field of raw bytes that are not UTF-8
    boundary = "XyZ"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'.encode()
        + "王芳".encode("gbk")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    page = client.post(
        "/residents/new/", multipart, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert page.status_code == 400 and "不是有效的 UTF-8 文本" in page.content.decode()
    # a query string with bytes that are not UTF-8
    assert client.get("/residents/?q=%CD%F5").status_code == 400
    assert client.get("/residents/?q=%E7%8E%8B").status_code == 200
    assert Resident.objects.count() == residents
