"""统计: exact figures on a known set of cases, drill-down links whose case
lists hold exactly the counted cases, scope, and the rollup rebuild."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse

from shequ.core.models import RegionLevel
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.desk.cases import selectors as case_selectors
from shequ.desk.cases.forms import CaseFilterForm
from shequ.desk.cases.services import (
    case_apply_online,
    case_complete,
    case_deliver,
    case_intake,
    case_start,
    case_withdraw,
    review_submit,
)
from shequ.desk.catalog import selectors
from shequ.desk.models import Case, CaseStat, Channel
from shequ.desk.stats.selectors import COUNTERS, case_figures
from shequ.desk.stats.services import case_stats_rebuild
from shequ.desk.tests.conftest import ALL_MATERIALS, applicant
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify
from shequ.residents.tests.helpers import resident

pytestmark = pytest.mark.django_db

STATS = "/services/stats/"


@dataclass
class Data:
    cases: dict[str, Case]
    far_worker: Actor


def _intake(desk, actor, *, phone="13840001234", window=True, channel=Channel.WINDOW):
    return case_intake(
        actor=actor,
        community=actor.region,
        item=desk.item,
        applicant=applicant(phone=phone),
        provided=ALL_MATERIALS,
        channel=channel,
        window=(desk.window if actor.region == desk.community else None) if window else None,
    ).case


def _complete(actor, case):
    case_start(actor=actor, case_id=case.pk)
    return case_complete(actor=actor, case_id=case.pk, outcome="approved")


@pytest.fixture
def data(desk, tree, people, clock) -> Data:
    """站前社区: five accepted cases over October and November 2026, one
    online application nobody accepted yet; 铁塔社区 (the other street): one."""
    w, s = desk.worker_actor, desk.secretary_actor
    clock.set("2026-10-12")  # due 2026-10-19 for 5 working days
    a = _intake(desk, w, phone="13840000001")
    b = _intake(desk, w, phone="13840000002")
    c = _intake(desk, s, phone="13840000003")
    clock.set("2026-10-13")
    _complete(w, a)  # on time, one trip
    case_withdraw(actor=s, case_id=c.pk, reason="申请人撤回")
    clock.set("2026-10-26")
    _complete(w, b)  # overdue
    case_deliver(
        actor=w, case_id=b.pk, method="window", window=desk.window
    )  # a second trip to pick the result up
    review_submit(receipt_no=a.receipt_no, phone_tail="0001", rating=5, comment="", ip=None)
    review_submit(receipt_no=b.receipt_no, phone_tail="0002", rating=2, comment="太慢", ip=None)

    clock.set("2026-11-02")
    d = _intake(desk, w, phone="13840000004", window=False, channel=Channel.PHONE)
    e = _intake(desk, w, phone="13840000005")
    clock.set("2026-11-03")
    _complete(w, d)  # on time; no visit at all: one trip
    review_submit(receipt_no=d.receipt_no, phone_tail="0004", rating=4, comment="", ip=None)

    # an online application waiting to be accepted: counted nowhere yet
    me = resident(tree.unit, name="李桂英", seq=3, phone="13912345678")
    me.user = people.resident
    me.save(update_fields=["user"])
    online = make_item(tree.district, code="ZM-009", name="居住证明开具", online_allowed=True)
    adopt(tree.community, online)
    g = case_apply_online(
        actor=Actor.for_user(people.resident),
        community=tree.community,
        item=online,
        phone="",
        provided=[],
    )

    # 铁塔社区, in the other street
    adopt(tree.far_community, desk.item)
    make_window(tree.far_community)
    far = user_with(Role.COMMUNITY_WORKER, tree.far_community, "far_worker")
    qualify(far, tree.far_community)
    far_actor = Actor.for_user(far)
    f = _intake(desk, far_actor, phone="13840000006", window=False, channel=Channel.PHONE)
    return Data(
        cases={"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}, far_worker=far_actor
    )


def _figure(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(?:<a [^>]*>)?([^<]+)', page)
    assert match, element_id
    return match.group(1).strip()


def _links(page: str) -> list[tuple[str, int]]:
    base = reverse("services:case_list")
    return [
        (html.unescape(href), int(n))
        for href, n in re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', page)
        if href.startswith(base + "?")
    ]


def _cases_behind(actor: Actor, url: str) -> int:
    """Open the link as the case list does: its form, then the selector."""
    query = QueryDict(urlsplit(url).query)
    form = CaseFilterForm(
        query,
        communities=list(selectors.communities(actor=actor)),
        items=list(selectors.item_list(actor=actor)),
    )
    filters = form.filters()
    assert not form.errors, (url, form.errors)
    return case_selectors.case_list(actor=actor, filters=filters).count()


# -- exact figures -----------------------------------------------------------------------------


def test_figures_of_a_known_data_set(data, desk):
    f = case_figures(actor=desk.worker_actor)
    assert (f.accepted, f.completed, f.on_time, f.overdue, f.one_trip, f.rated) == (
        5,
        3,
        2,
        1,
        2,
        3,
    )
    assert f.ratings == {5: 1, 4: 1, 3: 0, 2: 1, 1: 0}
    assert f.one_trip_rate == pytest.approx(2 / 3)
    assert f.satisfaction_rate == pytest.approx(2 / 3)


def test_stats_page_shows_the_figures_and_the_report_sentence(client, data, desk):
    client.force_login(desk.worker)

    page = client.get(STATS).content.decode()

    assert [_figure(page, i) for i in ("fig-accepted", "fig-completed", "fig-on-time")] == [
        "5",
        "3",
        "2",
    ]
    assert [_figure(page, i) for i in ("fig-overdue", "fig-one-trip", "fig-rated")] == [
        "1",
        "2",
        "3",
    ]
    assert _figure(page, "one-trip-rate") == "66.7%"
    assert _figure(page, "satisfaction-rate") == "66.7%"
    # 站前社区: items of the district catalog, its one window, its two generalists
    assert (
        "共梳理社区公共服务事项清单2项，培训全科社区工作人员2名，"
        "每个试点社区都设置了1个社区综合服务窗口……共处理办结群众服务事项3项。"
    ) in page


def test_report_sentence_over_a_district(client, data, people):
    client.force_login(people.district_admin)
    page = client.get(STATS).content.decode()
    # three communities: 1 window each except 利民社区's one from the desk fixture
    assert "共梳理社区公共服务事项清单2项" in page
    assert "培训全科社区工作人员4名" in page  # worker, secretary, other_worker, far_worker
    assert "每个试点社区都设置了1个社区综合服务窗口" in page
    assert "共处理办结群众服务事项3项" in page


def test_month_filter(client, data, desk):
    client.force_login(desk.worker)

    november = client.get(STATS, {"from": "2026-11", "to": "2026-11"}).content.decode()
    october = client.get(STATS, {"to": "2026-10"}).content.decode()

    assert [_figure(november, i) for i in ("fig-accepted", "fig-completed", "fig-overdue")] == [
        "2",
        "1",
        "0",
    ]
    assert [_figure(october, i) for i in ("fig-accepted", "fig-completed", "fig-overdue")] == [
        "3",
        "2",
        "1",
    ]
    bad = client.get(STATS, {"from": "2026-11", "to": "2026-10"})
    assert bad.status_code == 200
    assert "截止月份不能早于起始月份。" in bad.content.decode()
    junk = client.get(STATS, {"from": "2026-13", "by": "planet"})
    assert junk.status_code == 200
    assert "月份格式应为 2026-10。" in junk.content.decode()


@pytest.mark.parametrize(
    ("by", "rows"),
    [
        ("month", [("2026年10月", 3, 2), ("2026年11月", 2, 1)]),
        ("worker", [("worker", 4, 3), ("secretary", 1, 0)]),
        ("window", [("none", 1, 1), ("站前社区 1号综合窗口", 4, 2)]),
        ("item", [("YL-001 高龄津贴申领", 5, 3)]),
        ("community", [("站前社区", 5, 3)]),
        ("street", [("站前街道", 5, 3)]),
    ],
)
def test_tables_by_key(client, data, desk, by, rows):
    client.force_login(desk.worker)
    page = client.get(STATS, {"by": by}).content.decode()
    table = page.split('id="stats-table"')[1].split("</table>")[0]
    got = []
    for tr in re.findall(r"<tr>\s*<td>(.*?)</td>(.*?)</tr>", table, re.S)[0:]:
        label, rest = tr
        numbers = re.findall(r"<td[^>]*>(?:<a [^>]*>)?(\d+)", rest)
        got.append((label.strip(), int(numbers[0]), int(numbers[1])))
    expected = []
    for label, accepted, completed in rows:
        if label in ("worker", "secretary"):
            label = getattr(desk, label).full_name or getattr(desk, label).username
        if label == "none":
            label = "无窗口（网上申请、电话、代办）"
        expected.append((label, accepted, completed))
    assert sorted(got) == sorted(expected)


# -- drill-down ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "by=community", "by=item", "by=window", "by=worker"])
def test_every_link_lists_exactly_the_counted_cases(client, data, desk, query):
    client.force_login(desk.worker)
    page = client.get(f"{STATS}?{query}").content.decode()
    links = _links(page)
    assert len(links) >= 10
    for url, shown in links:
        assert _cases_behind(desk.worker_actor, url) == shown, url


@pytest.mark.parametrize(
    "query", ["by=month", "from=2026-11&to=2026-11&by=worker", "to=2026-10&by=street"]
)
def test_links_follow_the_month_range(client, data, people, query):
    client.force_login(people.district_admin)
    page = client.get(f"{STATS}?{query}").content.decode()
    links = _links(page)
    assert links
    admin = Actor.for_user(people.district_admin)
    for url, shown in links:
        assert _cases_behind(admin, url) == shown, url


def test_the_accepted_link_leaves_out_unaccepted_applications(client, data, desk):
    client.force_login(desk.worker)
    page = client.get(STATS).content.decode()
    accepted = re.search(r'id="fig-accepted"><a href="([^"]+)"', page).group(1)
    params = parse_qs(urlsplit(html.unescape(accepted)).query)
    assert params == {"month_to": ["2026-11"]}
    ids = set(
        case_selectors.case_list(
            actor=desk.worker_actor,
            filters=CaseFilterForm(
                QueryDict(urlsplit(html.unescape(accepted)).query),
                communities=list(selectors.communities(actor=desk.worker_actor)),
            ).filters(),
        ).values_list("id", flat=True)
    )
    assert ids == {data.cases[k].pk for k in "abcde"}  # not the online "g"


# -- who may read ------------------------------------------------------------------------------


def test_inspector_reads_the_figures_without_case_links(client, data, people):
    client.force_login(people.inspector)
    response = client.get(STATS)
    assert response.status_code == 200
    page = response.content.decode()
    assert _figure(page, "fig-accepted") == "6"  # the whole district
    assert _links(page) == []  # the case list is not theirs to open


@pytest.mark.parametrize("who", ["resident", "building_head", "system_admin", "audit_admin"])
def test_roles_without_stats_are_refused(client, data, people, who):
    client.force_login(getattr(people, who))
    assert client.get(STATS).status_code == 403


def test_anonymous_goes_to_login(client, data):
    response = client.get(STATS)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_street_officers_see_only_their_street(client, data, people, tree):
    client.force_login(people.street_officer)
    mine = client.get(STATS, {"by": "community"}).content.decode()
    client.force_login(people.other_street_officer)
    theirs = client.get(STATS, {"by": "community"}).content.decode()

    assert _figure(mine, "fig-accepted") == "5"
    assert "铁塔社区" not in mine.split('id="stats-table"')[1].split("</table>")[0]
    assert _figure(theirs, "fig-accepted") == "1"
    table = theirs.split('id="stats-table"')[1].split("</table>")[0]
    assert "铁塔社区" in table and "站前社区" not in table
    officer = Actor.for_user(people.other_street_officer)
    for url, shown in _links(theirs):
        assert _cases_behind(officer, url) == shown
    assert tree.far_community.level == RegionLevel.COMMUNITY


def test_stats_page_query_count_is_flat(client, data, desk, django_assert_max_num_queries):
    client.force_login(desk.worker)
    client.get(STATS, {"by": "month"})
    with django_assert_max_num_queries(20):
        client.get(STATS, {"by": "month"})


# -- the rollup rebuild (shequ tick) -----------------------------------------------------------


def _stat_rows() -> list[tuple]:
    return sorted(
        CaseStat.objects.values_list(
            "district_id",
            "street_id",
            "community_id",
            "month",
            "item_id",
            "window_id_key",
            "worker_id_key",
            *COUNTERS,
        )
    )


def test_rebuild_reproduces_the_bumped_rows_exactly(data):
    bumped = _stat_rows()
    assert len(bumped) >= 5

    assert case_stats_rebuild() == len(bumped)

    assert _stat_rows() == bumped
    assert case_stats_rebuild() == len(bumped)  # idempotent
    assert _stat_rows() == bumped


def test_tick_rebuilds_a_damaged_rollup(data):
    from shequ.core.tick import run_tick

    bumped = _stat_rows()
    CaseStat.objects.update(accepted=99)
    CaseStat.objects.filter(pk=CaseStat.objects.order_by("pk").first().pk).delete()

    results = {r.name: r for r in run_tick(only="shequ.desk.stats.services.case_stats_rebuild")}

    assert results["case_stats_rebuild"].ok
    assert _stat_rows() == bumped


def test_table_columns_equal_their_headings_exactly(client, data, desk):
    # given: the known data set, by month
    client.force_login(desk.worker)
    page = client.get(STATS, {"by": "month"}).content.decode()
    table = page.split('id="stats-table"')[1].split("</table>")[0]
    head, body = table.split("</thead>")

    # when: each row is read against the headings
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    rows = [
        dict(zip(headings, [re.sub(r"<[^>]+>", "", c).strip() for c in cells], strict=True))
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        )
    ]

    # then: every cell sits under its own heading, with the known figures
    assert headings[1:] == [
        "受理", "办结", "按时", "超期", "一趟办结", "一趟率",
        "非常满意", "满意", "基本满意", "不满意", "非常不满意", "满意率",
    ]  # fmt: skip
    october = {"受理月份": "2026年10月", "受理": "3", "办结": "2", "按时": "1", "超期": "1",
               "一趟办结": "1", "一趟率": "50.0%", "非常满意": "1", "满意": "0", "基本满意": "0",
               "不满意": "1", "非常不满意": "0", "满意率": "50.0%"}  # fmt: skip
    november = {"受理月份": "2026年11月", "受理": "2", "办结": "1", "按时": "1", "超期": "0",
                "一趟办结": "1", "一趟率": "100.0%", "非常满意": "0", "满意": "1", "基本满意": "0",
                "不满意": "0", "非常不满意": "0", "满意率": "100.0%"}  # fmt: skip
    assert rows == [october, november]
