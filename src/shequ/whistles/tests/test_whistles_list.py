"""The whistle list's filters by community and by lead department: exact
rows on the page and the API, the choices each role is offered, and the
refusal (400, in Chinese) of an id outside the caller's reach."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shequ.core.scope import Actor
from shequ.whistles.tests.whistle_helpers import blow, other_department, police
from shequ.whistles.whistle.selectors import whistle_list

pytestmark = pytest.mark.django_db
BASE = "/api/whistles/whistles/"
OUT_OF_SCOPE = "所选社区不存在，或不在您的管辖范围内。"


@pytest.fixture
def three(tree, people):
    """站前社区: one to the police, one to 城管; 利民社区: one to the police."""
    city = other_department(tree)
    return {
        "police_here": blow(people, tree.community, title="站前占道"),
        "city_here": blow(people, tree.community, lead=city, title="站前违建"),
        "police_there": blow(
            people, tree.other_community, by=people.other_worker, title="利民占道"
        ),
        "city": city,
    }


def _numbers(html: str) -> list[str]:
    table = html.split('id="whistles"')[1].split("</table>")[0]
    return sorted(re.findall(r">(W\d+)</a>", table))


def _options(html: str, select_id: str) -> list[str]:
    select = html.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_filter_by_community_and_by_department(client, tree, people, three):
    # given: the street officer, who sees both communities of 站前街道
    actor = Actor.for_user(people.street_officer)
    pol = police(people).pk
    titles = lambda **kw: sorted(w.title for w in whistle_list(actor=actor, **kw))  # noqa: E731

    # then: each filter, and both together, give exactly their whistles
    assert titles(community_id=tree.community.pk) == ["站前占道", "站前违建"]
    assert titles(community_id=str(tree.other_community.pk)) == ["利民占道"]
    assert titles(department_id=pol) == ["利民占道", "站前占道"]
    assert titles(department_id=three["city"].pk) == ["站前违建"]
    assert titles(community_id=tree.community.pk, department_id=pol) == ["站前占道"]

    # and: the page and the API answer the same rows
    client.force_login(people.street_officer)
    url = reverse("whistles:list")
    page = client.get(url, {"community": tree.community.pk, "department": pol})
    assert page.status_code == 200
    assert _numbers(page.content.decode()) == [three["police_here"].number]
    body = client.get(BASE, {"community_id": tree.other_community.pk}).json()
    assert [w["title"] for w in body["items"]] == ["利民占道"]


def test_filter_choices_follow_the_scope(client, tree, people, three):
    # the community worker is offered their own community, every department of the district
    client.force_login(people.worker)
    html = client.get(reverse("whistles:list")).content.decode()
    assert _options(html, "id_community") == ["站前社区"]
    assert _options(html, "id_department") == ["站前派出所", "区城管执法局"]
    # the police liaison: only their own department, every community of the district
    client.force_login(people.department_liaison)
    html = client.get(reverse("whistles:list")).content.decode()
    assert _options(html, "id_department") == ["站前派出所"]
    assert _options(html, "id_community") == ["站前社区", "利民社区", "铁塔社区"]


def test_out_of_scope_community_is_refused_with_a_message(client, tree, people, three):
    # given: the worker of 站前社区
    client.force_login(people.worker)

    # when: the list is asked for 利民社区, an unknown id and a non-number
    page = client.get(reverse("whistles:list"), {"community": tree.other_community.pk})
    unknown = client.get(reverse("whistles:list"), {"community": 999999})
    garbled = client.get(reverse("whistles:list"), {"community": "abc"})
    api = client.get(BASE, {"community_id": tree.other_community.pk})

    # then: 400 with the reason, and the page falls back to the worker's own whistles
    assert page.status_code == unknown.status_code == garbled.status_code == 400
    html = page.content.decode()
    assert OUT_OF_SCOPE in html
    assert _numbers(html) == sorted([three["police_here"].number, three["city_here"].number])
    assert OUT_OF_SCOPE in unknown.content.decode()
    assert "社区编号不正确。" in garbled.content.decode()
    assert (api.status_code, api.json()["detail"]) == (400, OUT_OF_SCOPE)


def test_liaison_may_not_filter_by_another_department(client, tree, people, three):
    client.force_login(people.department_liaison)
    page = client.get(reverse("whistles:list"), {"department": three["city"].pk})
    assert page.status_code == 400
    assert "所选部门不存在，或不在您可查看的部门之内。" in page.content.decode()
    api = client.get(BASE, {"department_id": three["city"].pk})
    assert (api.status_code, api.json()["field"]) == (400, "department")
    # their own department narrows to their whistles of both communities
    mine = client.get(BASE, {"department_id": police(people).pk}).json()
    assert sorted(w["title"] for w in mine["items"]) == ["利民占道", "站前占道"]


def test_phone_cards_carry_every_row(client, tree, people, three):
    # the phone's cards list the same whistles as the table, titles cut by CSS, not wrapped
    client.force_login(people.worker)
    html = client.get(reverse("whistles:list")).content.decode()
    cards = html.split('id="whistle-cards"')[1].split("</ul>")[0]
    assert sorted(re.findall(r">(W\d+)</a>", cards)) == _numbers(html)
    assert cards.count('class="text-truncate fw-semibold whistle-title"') == 2
