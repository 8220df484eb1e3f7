"""Whistle and pairing lists whose query count must not grow with their rows
(STYLE 7).

Each list is measured with two rows and asserted, to the query, with twelve
(more than one page where it paginates: the page size is set to 10), and
shows its rows at both sizes. The pairing list page is covered in
test_views.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse

from shequ.core.scope import Actor
from shequ.core.tests.factories import UserFactory
from shequ.core.tests.queries import assert_flat
from shequ.whistles.bodies.services import department_create, liaison_grant, unit_create
from shequ.whistles.models import DepartmentKind, EscalationNotice, UnitKind
from shequ.whistles.pairing.services import action_log
from shequ.whistles.tests.helpers import make_agreement
from shequ.whistles.tests.whistle_helpers import blow
from shequ.whistles.whistle.services import whistles_escalate

pytestmark = pytest.mark.django_db

PAGE_SIZE = 10


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.SHEQU_PAGE_SIZE = PAGE_SIZE


def _table(html: str, table_id: str) -> str:
    return html.split(f'id="{table_id}"')[1].split("</table>")[0]


# -- whistles and their 督办 notices ------------------------------------------------------------


def _whistles(tree, people, clock) -> Callable[[int], None]:
    """Urgent whistles to the police of both communities of 站前街道, each
    escalated once (the street's 督办 notice) two hours later."""

    def fill(n: int) -> None:
        for i in range(n):
            community = tree.community if i % 2 == 0 else tree.other_community
            by = people.worker if i % 2 == 0 else people.other_worker
            blow(people, community, by=by, urgency="urgent", title=f"占道经营{i:02d}")
        clock.advance(hours=2, minutes=1)
        whistles_escalate()
        clock.advance(minutes=1)

    return fill


def test_whistle_list_page_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    def shown(html: str, n: int) -> None:
        assert _table(html, "whistles").count(">占道经营") == min(n, PAGE_SIZE)
        assert ("第 1 / 2 页" in html) == (n > PAGE_SIZE)
        notices = EscalationNotice.objects.count()
        assert notices >= n
        assert html.count("【街道督办】") + html.count("【区级督办】") == min(notices, 20)

    client.force_login(people.street_officer)
    url = reverse("whistles:list")
    assert_flat(client, url, _whistles(tree, people, clock), shown, django_assert_num_queries)


def test_whistle_list_notices_of_a_liaison_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    # the police liaison reads its notices on the list, each with a "read" button
    def shown(html: str, n: int) -> None:
        unread = EscalationNotice.objects.filter(read_at__isnull=True).count()
        assert f"未读 {unread}" in html
        assert html.count(">标为已读</button>") == min(unread, 20)
        assert _table(html, "whistles").count(">占道经营") == min(n, PAGE_SIZE)

    client.force_login(people.department_liaison)
    url = reverse("whistles:list")
    assert_flat(client, url, _whistles(tree, people, clock), shown, django_assert_num_queries)


def test_whistle_endpoint_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    def shown(body: dict, n: int) -> None:
        assert body["count"] == n
        assert len(body["items"]) == min(n, PAGE_SIZE)
        assert {w["lead_department"] for w in body["items"]} == {"站前派出所"}

    client.force_login(people.street_officer)
    url = "/api/whistles/whistles/"
    assert_flat(client, url, _whistles(tree, people, clock), shown, django_assert_num_queries)


def test_scorecard_page_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    # one whistle this month to each new department
    admin = Actor.for_user(people.district_admin)
    made: list[str] = []

    def fill(n: int) -> None:
        for _ in range(n):
            name = f"城管执法{len(made) + 1:02d}中队"
            lead = department_create(actor=admin, name=name, kind=DepartmentKind.URBAN_MANAGEMENT)
            blow(people, tree.community, lead=lead)
            made.append(name)

    def shown(html: str, n: int) -> None:
        assert all(f"<td>{name}</td>" in html for name in made)
        assert html.count("城管执法") == n

    client.force_login(people.district_admin)
    url = reverse("whistles:scorecard")
    assert_flat(client, url, fill, shown, django_assert_num_queries)


# -- departments, units and liaisons --------------------------------------------------------


def test_bodies_page_query_count_does_not_grow(client, people, django_assert_num_queries):
    # each round: a department, a unit, and a liaison account for one of them
    admin = Actor.for_user(people.district_admin)
    made = [0]

    def fill(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            i = made[0]
            department = department_create(
                actor=admin, name=f"市场监管所{i:02d}", kind=DepartmentKind.MARKET, phone=""
            )
            unit = unit_create(actor=admin, name=f"驻区企业{i:02d}", kind=UnitKind.ENTERPRISE)
            user = UserFactory(username=f"liaison{i:02d}", full_name=f"联络员{i:02d}")
            if i % 2:
                liaison_grant(actor=admin, user=user, department=department)
            else:
                liaison_grant(actor=admin, user=user, unit=unit)

    def shown(html: str, n: int) -> None:
        assert html.count("市场监管所") == n + n // 2  # the list, and the liaisons' bodies
        assert html.count("驻区企业") == n + n // 2
        assert html.count("<td>联络员") == n

    client.force_login(people.district_admin)
    assert_flat(client, reverse("whistles:bodies"), fill, shown, django_assert_num_queries)


# -- pairing agreements --------------------------------------------------------------------


def _agreements(tree, people, *, liaison=None) -> Callable[[int], None]:
    """Agreements of new units with both communities of 站前街道, every other
    one with an action logged; with ``liaison``, each unit is also theirs."""
    admin = Actor.for_user(people.district_admin)
    made = [0]

    def fill(n: int) -> None:
        for _ in range(n):
            made[0] += 1
            i = made[0]
            unit = unit_create(actor=admin, name=f"共建单位{i:02d}", kind=UnitKind.ENTERPRISE)
            if liaison is not None:
                liaison_grant(actor=admin, user=liaison, unit=unit)
            community = tree.community if i % 2 else tree.other_community
            agreement = make_agreement(people, community, unit=unit, by=people.street_officer)
            if i % 2:
                action_log(
                    actor=Actor.for_user(people.worker),
                    agreement_id=agreement.pk,
                    kind="volunteer",
                    what="清理楼道杂物",
                    date=dt.date(2026, 9, 1),
                    hours=2,
                    people=5,
                )

    return fill


def test_agreement_endpoint_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    def shown(body: dict, n: int) -> None:
        assert (body["count"], body["pages"]) == (n, -(-n // PAGE_SIZE))
        assert len(body["items"]) == min(n, PAGE_SIZE)
        assert all(a["partner"].startswith("共建单位") for a in body["items"])
        assert sum(a["action_count"] for a in body["items"]) == min(n, PAGE_SIZE) // 2

    client.force_login(people.street_officer)
    url = "/api/whistles/agreements"
    assert_flat(client, url, _agreements(tree, people), shown, django_assert_num_queries)


def test_liaison_home_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    # the unit liaison speaks for more and more units, each paired with a community
    def shown(html: str, n: int) -> None:
        listed = html.split('id="liaison-agreements"')[1]
        assert listed.count("共建单位") == n
        assert listed.count(">登记活动</a>") == n
        assert listed.count("已登记活动 1 次") == n // 2
        page = html.split("<main", 1)[1]  # the navigation names the liaison's scope too
        assert page.split('id="liaison-agreements"')[0].count("共建单位") == n

    client.force_login(people.unit_liaison)
    url = reverse("whistles:liaison_home")
    fill = _agreements(tree, people, liaison=people.unit_liaison)
    assert_flat(client, url, fill, shown, django_assert_num_queries)
