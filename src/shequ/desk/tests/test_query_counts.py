"""Service-desk lists whose query count must not grow with their rows (STYLE 7).

Each list is measured with two rows and asserted, to the query, with twelve
(more than one page where it paginates: the page size is set to 10), and
shows its rows at both sizes. Covered elsewhere: the overdue page
(test_case_views.py), the resident's apply list and applications
(test_public.py), the item and case endpoints (test_api.py, test_api_cases.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shequ.core.models import User
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import UserFactory, grant
from shequ.desk.cases.services import (
    case_complete,
    case_intake,
    case_receive_online,
    case_start,
    review_submit,
)
from shequ.desk.catalog.services import (
    community_item_adopt,
    item_create,
    qualification_grant,
    window_create,
    window_duty_set,
)
from shequ.desk.models import Case, ServiceItem, Window
from shequ.desk.tests.conftest import ALL_MATERIALS, ID_NUMBER, PHONE, applicant
from shequ.desk.tests.helpers import adopt, make_item, spec

pytestmark = pytest.mark.django_db

PAGE_SIZE = 10


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.SHEQU_PAGE_SIZE = PAGE_SIZE


def _flat(client, url: str, fill: Callable[[int], None], shown: Callable, assert_num) -> None:
    """Given two rows, the count measured; when twelve, the same count asserted;
    ``shown(page, n)`` checks the rows are there (an HTML page's text, or an
    endpoint's JSON)."""

    def get():
        response = client.get(url)
        assert response.status_code == 200
        return response.json() if url.startswith("/api/") else response.content.decode()

    fill(2)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        page = get()
    shown(page, 2)
    fill(10)
    with assert_num(len(small.captured_queries)):
        page = get()
    shown(page, 12)


# -- the catalog: items, windows with today's duty, qualifications -------------------------


@dataclass
class Catalog:
    """Items, windows and qualified workers of 站前社区, made through the services."""

    tree: object
    people: object
    items: list[ServiceItem] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    workers: list[User] = field(default_factory=list)

    def fill(self, n: int) -> None:
        t, p = self.tree, self.people
        admin, secretary = Actor.for_user(p.district_admin), Actor.for_user(p.secretary)
        for i in range(len(self.items) + 1, len(self.items) + n + 1):
            item = item_create(
                actor=admin,
                district=t.district,
                code=f"CS-{i:03d}",
                spec=spec(name=f"测试事项{i:02d}"),
            )
            community_item_adopt(actor=secretary, community=t.community, item=item)
            worker = UserFactory(username=f"desk{i:02d}", full_name=f"窗口人员{i:02d}")
            grant(worker, Role.COMMUNITY_WORKER, t.community)
            qualification_grant(
                actor=secretary,
                worker=worker,
                community=t.community,
                all_categories=True,
                categories=[],
                granted_at=timezone.localdate(),
                basis="全科社工培训考核合格",
            )
            window = window_create(
                actor=secretary, community=t.community, name=f"{i:02d}号综合窗口"
            )
            window_duty_set(
                actor=secretary, window=window, date=timezone.localdate(), worker=worker
            )
            self.items.append(item)
            self.windows.append(window)
            self.workers.append(worker)


def _items_shown(html: str, n: int) -> None:
    assert f"共 {n} 项" in html
    assert html.count("测试事项") == min(n, PAGE_SIZE)
    assert html.count(">已认领</span>") == min(n, PAGE_SIZE)


def _windows_shown(html: str, n: int) -> None:
    assert html.count("号综合窗口</a>") == n
    assert html.count("窗口人员") == n  # today's duty of each window


def _qualifications_shown(html: str, n: int) -> None:
    assert html.count("窗口人员") == n
    assert html.count(">收回</button>") == n


def _home_shown(html: str, n: int) -> None:
    assert html.count("号综合窗口") == n
    assert html.count("窗口人员") == 2 * n  # on duty, and qualified


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("services:home", _home_shown),
        ("services:items", _items_shown),
        ("services:windows", _windows_shown),
        ("services:qualifications", _qualifications_shown),
    ],
)
def test_catalog_page_query_count_does_not_grow(
    client, tree, people, clock, name, shown, django_assert_num_queries
):
    catalog = Catalog(tree, people)
    client.force_login(people.secretary)
    _flat(client, reverse(name), catalog.fill, shown, django_assert_num_queries)


def test_windows_endpoint_query_count_does_not_grow(
    client, tree, people, clock, django_assert_num_queries
):
    catalog = Catalog(tree, people)
    url = f"/api/services/communities/{tree.community.pk}/windows"

    def shown(rows: list[dict], n: int) -> None:
        assert [w["name"] for w in rows] == [f"{i:02d}号综合窗口" for i in range(1, n + 1)]
        assert all(len(w["on_duty"]) == 1 for w in rows)

    client.force_login(people.worker)
    _flat(client, url, catalog.fill, shown, django_assert_num_queries)


@pytest.mark.parametrize(
    ("by", "label"), [("item", "测试事项"), ("window", "号综合窗口"), ("worker", "窗口人员")]
)
def test_stats_table_query_count_does_not_grow(
    client, tree, people, clock, by, label, django_assert_num_queries
):
    # one case per item, window and worker: the table has one row per each
    catalog = Catalog(tree, people)

    def fill(n: int) -> None:
        catalog.fill(n)
        for item, window, worker in zip(
            catalog.items[-n:], catalog.windows[-n:], catalog.workers[-n:], strict=True
        ):
            case_intake(
                actor=Actor.for_user(worker),
                community=tree.community,
                item=item,
                applicant=applicant(),
                provided=ALL_MATERIALS,
                window=window,
            )

    def shown(html: str, n: int) -> None:
        table = html.split('id="stats-table"')[1].split("</table>")[0]
        assert table.count(label) == n

    client.force_login(people.secretary)
    _flat(client, reverse("services:stats") + f"?by={by}", fill, shown, django_assert_num_queries)


# -- cases ------------------------------------------------------------------------------------


def _intake(desk, *, by: User | None = None) -> Case:
    """A case at 站前社区's window, or (``by`` 利民社区's worker) at 利民社区's."""
    other = by is not None
    return case_intake(
        actor=Actor.for_user(by) if other else desk.worker_actor,
        community=desk.other_community if other else desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=ALL_MATERIALS,
        window=desk.other_window if other else desk.window,
    ).case


def _cases_shown(html: str, n: int) -> None:
    assert f"共 {n} 件" in html
    assert html.count('class="case-row"') == min(n, PAGE_SIZE)


def test_case_list_page_query_count_does_not_grow(
    client, people, desk, clock, django_assert_num_queries
):
    # the street sees both communities' cases, half of them started
    def fill(n: int) -> None:
        for i in range(n):
            by = people.other_worker if i % 2 else None
            case = _intake(desk, by=by)
            if i % 4 < 2:
                case_start(actor=Actor.for_user(by or desk.worker), case_id=case.pk)

    client.force_login(people.street_officer)
    _flat(client, reverse("services:case_list"), fill, _cases_shown, django_assert_num_queries)


def test_my_cases_page_query_count_does_not_grow(client, desk, clock, django_assert_num_queries):
    def fill(n: int) -> None:
        for i in range(n):
            case = _intake(desk)
            if i % 2:
                case_start(actor=desk.worker_actor, case_id=case.pk)

    client.force_login(desk.worker)
    _flat(client, reverse("services:my_cases"), fill, _cases_shown, django_assert_num_queries)


def test_submitted_page_query_count_does_not_grow(
    client, tree, desk, clock, django_assert_num_queries
):
    online = make_item(tree.district, code="ZM-009", name="居住证明开具", online_allowed=True)
    adopt(tree.community, online)

    def fill(n: int) -> None:
        for _ in range(n):
            case_receive_online(
                source="12345热线",
                community=tree.community,
                item=online,
                applicant_name="王秀兰",
                id_number=ID_NUMBER,
                phone=PHONE,
                provided=ALL_MATERIALS,
            )

    def shown(html: str, n: int) -> None:
        assert f"共 {n} 件" in html
        assert html.count("· 居住证明开具") == min(n, PAGE_SIZE)

    client.force_login(desk.worker)
    _flat(client, reverse("services:submitted"), fill, shown, django_assert_num_queries)


# -- rectifications (差评整改) ------------------------------------------------------------------


def _bad_reviews(desk) -> Callable[[int], None]:
    def fill(n: int) -> None:
        for _ in range(n):
            case = _intake(desk)
            case_start(actor=desk.worker_actor, case_id=case.pk)
            case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
            review_submit(
                receipt_no=case.receipt_no,
                phone_tail=PHONE[-4:],
                rating=2,
                comment="等太久",
                ip=None,
            )

    return fill


def test_rectification_page_query_count_does_not_grow(
    client, desk, clock, django_assert_num_queries
):
    def shown(html: str, n: int) -> None:
        assert f"共 {n} 件" in html
        table = html.split('id="rectification-table"')[1].split("</table>")[0]
        assert table.count("<td>不满意</td>") == min(n, PAGE_SIZE)
        assert table.count("高龄津贴申领") == min(n, PAGE_SIZE)

    client.force_login(desk.worker)
    url = reverse("services:rectifications")
    _flat(client, url, _bad_reviews(desk), shown, django_assert_num_queries)


def test_rectification_endpoint_query_count_does_not_grow(
    client, desk, clock, django_assert_num_queries
):
    def shown(body: dict, n: int) -> None:
        assert (body["count"], body["pages"]) == (n, -(-n // PAGE_SIZE))
        assert [r["rating_label"] for r in body["items"]] == ["不满意"] * min(n, PAGE_SIZE)

    client.force_login(desk.worker)
    url = "/api/services/rectifications"
    _flat(client, url, _bad_reviews(desk), shown, django_assert_num_queries)
