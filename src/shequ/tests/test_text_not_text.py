"""Text that is not text is refused in every field (issue 16): control
characters, bidi overrides and isolates, and the U+FFFD that undecodable
form bytes become — in Chinese, on the field, before anything is written."""

from __future__ import annotations

import pytest

from shequ.core.errors import ValidationError
from shequ.core.text import clean_text


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
    # "%FF%FE" is no UTF-8: Django decodes it to U+FFFD, which the service refuses
    body = (
        f"level=4&region={tree.compound.pk}&kind=branch&founded_on=2026-10-01&name=%E6%94%AF%FF%FE"
    )
    response = client.post(
        "/party/orgs/new/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422
    assert "名称含有无法显示的控制字符或乱码" in response.content.decode()
    assert PartyOrg.objects.count() == 1
