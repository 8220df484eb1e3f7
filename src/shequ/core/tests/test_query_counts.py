"""Core lists whose query count must not grow with their rows (STYLE 7): the
API token page and the grants endpoint. Each is measured at a small size and
asserted at a larger one, and shows its rows at both."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.permissions import Role
from shequ.core.services.accounts import grant_create, token_create, token_revoke, user_create
from shequ.core.tests.factories import PASSWORD, actor_for

pytestmark = pytest.mark.django_db


def test_token_page_query_count_does_not_grow(client, people, django_assert_num_queries):
    # given two tokens of the worker, one of them revoked (at most 10 may be active)
    me = actor_for(people.worker)
    prefixes: list[str] = []

    def issue(n: int) -> None:
        for _ in range(n):
            token, _ = token_create(actor=me, name=f"对接系统{len(prefixes)}")
            if len(prefixes) % 2:
                token_revoke(actor=me, token=token)
            prefixes.append(token.prefix)

    def shown(html: str) -> list[str]:
        return [p for p in prefixes if f"<code>{p}…</code>" in html]

    issue(2)
    client.force_login(people.worker)
    url = reverse("core:tokens")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert (len(shown(html)), html.count(">已收回<")) == (2, 1)

    # when ten more are issued
    issue(10)

    # then the page takes exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert (len(shown(html)), html.count(">已收回<")) == (12, 6)


def test_grants_endpoint_query_count_does_not_grow(client, tree, people, django_assert_num_queries):
    # given two new workers granted in 利民社区 (besides one grant per role of ``people``)
    admin = actor_for(people.system_admin)
    security = actor_for(people.security_admin)

    def hire(n: int, start: int) -> None:
        for i in range(start, start + n):
            user = user_create(
                actor=admin, username=f"hire{i}", full_name=f"社工{i}号", password=PASSWORD
            )
            grant_create(
                actor=security, user=user, role=Role.COMMUNITY_WORKER, region=tree.other_community
            )

    hire(2, 0)
    client.force_login(people.security_admin)
    client.get("/api/grants")  # warm the session
    with CaptureQueriesContext(connection) as small:
        response = client.get("/api/grants")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 17  # 15 people + 2
    assert sum(r["username"].startswith("hire") for r in rows) == 2

    # when ten more are granted
    hire(10, 2)

    # then the endpoint takes exactly as many queries
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/api/grants")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 27
    assert sum(r["username"].startswith("hire") for r in rows) == 12
