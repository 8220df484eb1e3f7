"""The department scorecard on a known data set: exact figures, the ranking,
the drill-down and a flat query count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.whistles.models import Liaison
from shequ.whistles.tests.whistle_helpers import blow, other_department, police
from shequ.whistles.whistle import services as whistle_services
from shequ.whistles.whistle.selectors import scorecard, whistle_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(tree, people, clock):
    pol = police(people)
    city = other_department(tree)
    other_department(tree, "区住建局")  # no whistles this month
    p_liaison = Actor.for_user(people.department_liaison)
    c_user = user_with(Role.DEPARTMENT_LIAISON, tree.district, "city_liaison")
    Liaison.objects.create(user=c_user, district=tree.district, department=city)
    c_liaison = Actor.for_user(c_user)
    secretary = Actor.for_user(people.secretary)
    b = blow(people, tree.community, urgency="urgent", title="B")
    clock.advance(hours=3)
    whistle_services.whistle_report_in(
        actor=p_liaison, whistle_id=b.pk, responsible_name="张"
    )  # late
    a = blow(people, tree.community, title="A")
    whistle_services.whistle_report_in(actor=p_liaison, whistle_id=a.pk, responsible_name="张")
    whistle_services.whistle_resolve(actor=p_liaison, whistle_id=a.pk, result="已处理。")
    whistle_services.whistle_evaluate(actor=secretary, whistle_id=a.pk, evaluation="satisfied")
    c = blow(people, tree.community, title="C")
    whistle_services.whistle_dispute(actor=p_liaison, whistle_id=c.pk, reason="非本部门职责。")
    whistle_services.whistle_reassign(actor=Actor.for_user(people.street_officer), whistle_id=c.pk,
                              department_id=city.pk)  # fmt: skip
    d = blow(people, tree.community, lead=city, title="D")
    whistle_services.whistle_report_in(actor=c_liaison, whistle_id=d.pk, responsible_name="李")
    whistle_services.whistle_resolve(actor=c_liaison, whistle_id=d.pk, result="已处理。")
    whistle_services.whistle_evaluate(actor=secretary, whistle_id=d.pk, evaluation="unsatisfied")
    return {"police": pol, "city": city, "a": a, "b": b, "c": c, "d": d}


def test_scorecard_exact_figures_and_ranking(
    people, known, settings, django_assert_max_num_queries
):
    settings.SHEQU_SCORECARD_MIN_WHISTLES = 1  # the two departments' two whistles are ranked
    actor = Actor.for_user(people.district_admin)
    with django_assert_max_num_queries(4):
        month, rows = scorecard(actor=actor, month="2026-09")
    assert month == "2026-09"
    assert [r.department.name for r in rows] == ["站前派出所", "区城管执法局", "区住建局"]
    pol, city, empty = rows
    assert (pol.received, pol.reported_on_time, pol.resolved, pol.resolved_on_time) == (2, 1, 1, 1)
    assert (pol.evaluated, pol.satisfied, pol.disputes) == (1, 1, 1)
    assert (pol.reported_on_time_pct, pol.resolved_pct, pol.resolved_on_time_pct) == (
        50.0,
        50.0,
        50.0,
    )
    assert pol.satisfaction_pct == 100.0
    assert (city.received, city.reported_on_time, city.resolved_on_time, city.disputes) == (
        2,
        1,
        1,
        0,
    )
    assert city.satisfaction_pct == 0.0
    assert (pol.rank, city.rank) == (1, 2)
    assert (empty.received, empty.resolved_on_time_pct, empty.rank) == (0, None, None)
    # Other months are empty.
    _, rows = scorecard(actor=actor, month="2026-08")
    assert sum(r.received for r in rows) == 0


def test_scorecard_drill_down(people, known):
    actor = Actor.for_user(people.district_admin)
    pol = known["police"].pk
    titles = lambda **kw: sorted(w.title for w in whistle_list(actor=actor, month="2026-09", **kw))  # noqa: E731
    assert titles(department_id=pol) == ["A", "B"]
    assert titles(department_id=pol, figure="reported_on_time") == ["A"]
    assert titles(department_id=known["city"].pk, figure="resolved_on_time") == ["D"]
    assert titles(figure="satisfied") == ["A"]


def test_scorecard_refusals(people, known):
    with pytest.raises(ValidationError, match="月份"):
        scorecard(actor=Actor.for_user(people.district_admin), month="2026-13")
    with pytest.raises(PermissionDenied):
        scorecard(actor=Actor.for_user(people.department_liaison))
    with pytest.raises(ValidationError):
        list(whistle_list(actor=Actor.for_user(people.district_admin), figure="nope"))


def test_scorecard_opens_on_the_last_complete_month(people, known, clock):
    # given: the known September figures, and today early in October
    clock.set("2026-10-02")
    actor = Actor.for_user(people.district_admin)

    # when: the scorecard is asked for without a month
    month, rows = scorecard(actor=actor)

    # then: it is September's, not the two days of October
    assert month == "2026-09"
    assert rows == scorecard(actor=actor, month="2026-09")[1]
    assert sum(r.received for r in rows) > 0
    clock.set("2026-01-05")
    assert scorecard(actor=actor)[0] == "2025-12"  # across the year


def _whistles(people, community, lead, n: int, *, resolved_on_time: int) -> None:
    """``n`` whistles to ``lead``, the first ``resolved_on_time`` of them
    reported in and resolved at once (on time)."""
    liaison = Actor.for_user(Liaison.objects.select_related("user").get(department=lead).user)
    for i in range(n):
        w = blow(people, community, lead=lead, title=f"{lead.name}{i}")
        if i < resolved_on_time:
            whistle_services.whistle_report_in(actor=liaison, whistle_id=w.pk,
                                               responsible_name="张")  # fmt: skip
            whistle_services.whistle_resolve(actor=liaison, whistle_id=w.pk, result="已处理。")


@pytest.fixture
def few_and_many(tree, people, clock):
    """September 2026: the police 3 whistles, one resolved on time (33.3 %);
    城管 1 whistle, resolved on time (100 %); 住建 none."""
    clock.set("2026-09-07 09:00")
    city = other_department(tree)
    other_department(tree, "区住建局")
    c_user = user_with(Role.DEPARTMENT_LIAISON, tree.district, "city_liaison")
    Liaison.objects.create(user=c_user, district=tree.district, department=city)
    _whistles(people, tree.community, police(people), 3, resolved_on_time=1)
    _whistles(people, tree.community, city, 1, resolved_on_time=1)
    return city


def test_scorecard_ranks_only_departments_with_enough_whistles(people, few_and_many):
    # given: the default threshold of 3 whistles in the month
    actor = Actor.for_user(people.district_admin)

    # when: September's scorecard is read
    _, rows = scorecard(actor=actor, month="2026-09")

    # then: the police (3 whistles) rank first and alone; 城管's one perfect whistle is listed apart
    assert [(r.department.name, r.received, r.rank) for r in rows] == [
        ("站前派出所", 3, 1),
        ("区城管执法局", 1, None),
        ("区住建局", 0, None),
    ]
    assert (rows[0].resolved_on_time_pct, rows[1].resolved_on_time_pct) == (33.3, 100.0)


def test_scorecard_threshold_is_a_setting(people, few_and_many, settings):
    actor = Actor.for_user(people.district_admin)
    settings.SHEQU_SCORECARD_MIN_WHISTLES = 1
    _, rows = scorecard(actor=actor, month="2026-09")
    assert [(r.department.name, r.rank) for r in rows] == [
        ("区城管执法局", 1),
        ("站前派出所", 2),
        ("区住建局", None),
    ]
    settings.SHEQU_SCORECARD_MIN_WHISTLES = 4
    _, rows = scorecard(actor=actor, month="2026-09")
    assert [r.rank for r in rows] == [None, None, None]


def test_scorecard_page_lists_the_unranked_apart(client, people, few_and_many):
    client.force_login(people.district_admin)
    html = client.get(reverse("whistles:scorecard"), {"month": "2026-09"}).content.decode()
    ranked = html.split('id="scorecard"')[1].split("</table>")[0]
    unranked = html.split('id="scorecard-unranked"')[1].split("</table>")[0]
    assert re.findall(r"<td>(\d+)</td><td>([^<]+)</td>", ranked) == [("1", "站前派出所")]
    assert re.findall(r"<td>(区[^<]+)</td>", unranked) == ["区城管执法局", "区住建局"]
    assert '<h2 class="h6 mt-3" id="unranked-heading">本月受理不足3件，不参与排名</h2>' in html
