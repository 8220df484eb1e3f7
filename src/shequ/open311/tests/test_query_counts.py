"""Open311 lists whose query count must not grow with their rows (STYLE 7):
the service list (GeoReport v2 ``services``) and the district admin's client
page. Each is measured with two rows and asserted, to the query, with
twelve, and shows its rows at both sizes. The request search
(``requests.json``) is covered in test_filters.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.scope import Actor
from shequ.desk.catalog.services import community_item_adopt, item_create
from shequ.desk.tests.helpers import spec
from shequ.open311.services import client_create, client_revoke
from shequ.open311.tests.conftest import body, children, get

pytestmark = pytest.mark.django_db


def _flat(fetch: Callable, fill: Callable[[int], None], shown: Callable, assert_num) -> None:
    """Given two rows, the count measured; when twelve, the same count asserted."""
    fill(2)
    fetch()  # warm the caches
    with CaptureQueriesContext(connection) as small:
        response = fetch()
    assert response.status_code == 200
    shown(response, 2)
    fill(10)
    with assert_num(len(small.captured_queries)):
        response = fetch()
    assert response.status_code == 200
    shown(response, 12)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_list_query_count_does_not_grow(
    client, tree, people, clock, fmt, django_assert_num_queries
):
    # online items adopted by 站前社区, made through the catalog services
    admin, secretary = Actor.for_user(people.district_admin), Actor.for_user(people.secretary)
    made = [0]

    def fill(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            item = item_create(
                actor=admin,
                district=tree.district,
                code=f"WS-{made[0]:03d}",
                spec=spec(name=f"网上事项{made[0]:02d}", online_allowed=True),
            )
            community_item_adopt(actor=secretary, community=tree.community, item=item)

    def shown(response, n: int) -> None:
        parsed = body(response)
        if fmt == "json":
            codes = [s["service_code"] for s in parsed]
        else:
            assert set(children(parsed)) == {"service"}
            codes = [s.findtext("service_code") for s in parsed]
        items = [c for c in codes if c.startswith("item.")]
        assert items == [f"item.WS-{i:03d}" for i in range(1, n + 1)]
        assert len(codes) > len(items)  # the appeal categories come first

    _flat(lambda: get(client, "services", fmt), fill, shown, django_assert_num_queries)


def test_client_page_query_count_does_not_grow(client, people, django_assert_num_queries):
    # the district's clients, every third one revoked
    admin = Actor.for_user(people.district_admin)
    made: list[str] = []

    def fill(n: int) -> None:
        for _ in range(n):
            row, _ = client_create(actor=admin, name=f"接入系统{len(made) + 1:02d}")
            if len(made) % 3 == 2:
                client_revoke(actor=admin, client=row)
            made.append(row.key_prefix)

    def shown(response, n: int) -> None:
        html = response.content.decode()
        assert all(f"<code>{prefix}…</code>" in html for prefix in made)
        assert html.count("接入系统") == n
        assert html.count(">收回</button>") == n - n // 3

    client.force_login(people.district_admin)
    url = reverse("open311:clients")
    _flat(lambda: client.get(url), fill, shown, django_assert_num_queries)
