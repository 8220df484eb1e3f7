"""Appeal lists whose query count must not grow with their rows (STYLE 7).

Each list is measured with two rows and asserted, to the query, with twelve
(more than one page where it paginates: the page size is set to 10), and
shows its rows at both sizes. The staff's list page is covered in
test_views.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.appeals.services import appeal_support
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.tests.queries import assert_flat

pytestmark = pytest.mark.django_db

PAGE_SIZE = 10


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.SHEQU_PAGE_SIZE = PAGE_SIZE


def test_appeal_endpoint_query_count_does_not_grow(
    client, tree, people, folks, clock, django_assert_num_queries
):
    # appeals at the window and from residents' phones, of two categories
    def fill(n: int) -> None:
        for i in range(n):
            actor = folks.worker if i % 2 else folks.resident_actor
            raise_appeal(actor, tree.community, category="noise" if i % 3 else "parking")
            clock.advance(minutes=5)

    def shown(body: dict, n: int) -> None:
        assert (body["count"], body["pages"]) == (n, -(-n // PAGE_SIZE))
        assert len(body["items"]) == min(n, PAGE_SIZE)
        assert {a["community"] for a in body["items"]} == {"站前社区"}

    client.force_login(people.worker)
    assert_flat(client, "/api/appeals/", fill, shown, django_assert_num_queries)


def test_my_appeals_page_query_count_does_not_grow(
    client, tree, people, folks, clock, django_assert_num_queries
):
    # the resident's own appeals, and the neighbour's open ones (half supported)
    def fill(n: int) -> None:
        for i in range(n):
            raise_appeal(folks.resident_actor, tree.community, category="noise")
            theirs = raise_appeal(folks.neighbour_actor, tree.community, category="parking")
            if i % 2:
                appeal_support(actor=folks.resident_actor, appeal_id=theirs.pk)
            clock.advance(minutes=5)

    def shown(html: str, n: int) -> None:
        mine = html.split('id="my-appeals"')[1].split("</ul>")[0]
        others = html.split('id="community-appeals"')[1].split("</ul>")[0]
        assert mine.count('class="list-group-item" id="appeal-') == n
        assert others.count('class="list-group-item" id="open-') == n
        assert others.count("您已点过") == n // 2

    client.force_login(people.resident)
    assert_flat(client, reverse("appeals:mine"), fill, shown, django_assert_num_queries)
