"""Every API error in Chinese (issue 16), also django-ninja's own: a session
write without its CSRF token, a body that is not JSON or not UTF-8."""

from __future__ import annotations

import pytest
from django.test import Client

from shequ.core.bodies import MESSAGE as UNDECODABLE
from shequ.core.models import AuditRecord
from shequ.party.models import PartyMember

pytestmark = pytest.mark.django_db
URL = "/api/party/members"


def test_a_session_write_without_its_csrf_token_is_refused_in_chinese(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.secretary)
    response = client.post(URL, "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "CSRF 校验失败：请刷新页面后重试；接口客户端请用令牌（Authorization: Bearer …）调用。"
    }
    assert PartyMember.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "请求体无法解析：请发送 UTF-8 编码的合法 JSON。"),
        # bytes that are not UTF-8 are refused before the API (core/bodies.py)
        (b'{"resident_id": "\xff\xfe"}', UNDECODABLE),
    ],
)
def test_a_body_that_cannot_be_parsed_is_refused_in_chinese(people, body, detail):
    client = Client()
    client.force_login(people.secretary)
    before = AuditRecord.objects.count()
    response = client.post(URL, body, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert (PartyMember.objects.count(), AuditRecord.objects.count()) == (0, before)
