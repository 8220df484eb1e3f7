"""What the appeal pages show of the whistle an appeal was handed to: the
staff's appeal page links to it when the viewer may open it, the resident's
own page follows its progress in plain words (dates, no staff names), and a
title made from the description ends in "…" when cut."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shequ.appeals.services import appeal_triage
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.scope import Actor
from shequ.whistles.models import Whistle
from shequ.whistles.tests.whistle_helpers import other_department, police
from shequ.whistles.whistle import services as whistle_services

pytestmark = pytest.mark.django_db

LONG = "小区北门外每天傍晚有流动摊贩占道经营，油烟和噪音很大，还堵塞了消防通道，请有关部门处理。"


def _whistled(tree, people, folks, **appeal_fields) -> tuple:
    appeal = raise_appeal(folks.resident_actor, tree.community, **appeal_fields)
    appeal_triage(
        actor=folks.worker,
        appeal_id=appeal.pk,
        decision="whistle",
        whistle={"lead_department_id": police(people).pk},
    )
    return appeal, Whistle.objects.get(appeals=appeal)


def _mine(client, people) -> str:
    """The resident's page, signed in afresh (the tests' clock jumps past the idle timeout)."""
    client.force_login(people.resident)
    response = client.get(reverse("appeals:mine"))
    assert response.status_code == 200
    return response.content.decode()


def _steps(html: str, appeal_id: int) -> list[tuple[str, str | None]]:
    """The progress lines of one of my appeals: (words, date or None if ahead)."""
    item = html.split(f'id="appeal-{appeal_id}"')[1].split('id="appeal-')[0]
    block = item.split('whistle-progress"')[1].split("</ol>")[0]
    out = []
    for li in re.findall(r"<li[^>]*>(.*?)</li>", block):
        text = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", li)
        text = re.sub(r"<[^>]+>", "", text).replace("✓", "").replace("○", "").strip()
        date = re.search(r"\d{4}-\d{2}-\d{2}$", text)
        words = text[: date.start()].strip() if date else text
        out.append((words, date.group(0) if date else None))
    return out


def test_appeal_page_links_the_whistle_only_for_who_may_open_it(client, tree, people, folks):
    # given: an appeal placed in the building head's building, whistled to the police
    appeal, whistle = _whistled(tree, people, folks, place=tree.building)
    url = reverse("appeals:detail", args=[appeal.pk])
    link = f'<a class="font-monospace" href="/whistles/{whistle.pk}/">{whistle.number}</a>'

    # when / then: the community worker gets a link to the whistle page, which opens
    client.force_login(people.worker)
    html = client.get(url).content.decode()
    assert f"{link} · 已吹哨" in html
    assert client.get(f"/whistles/{whistle.pk}/").status_code == 200

    # when / then: the building head sees the appeal and the number, but no link
    client.force_login(people.building_head)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="font-monospace">{whistle.number}</span> · 已吹哨' in html
    assert f"/whistles/{whistle.pk}/" not in html
    assert client.get(f"/whistles/{whistle.pk}/").status_code == 403


def test_resident_follows_the_whistle_in_plain_words(client, tree, people, folks, clock):
    # given: the resident's appeal whistled on 7 September, the police reporting in the next day
    clock.set("2026-09-07")
    appeal, whistle = _whistled(tree, people, folks)
    liaison = Actor.for_user(people.department_liaison)
    clock.set("2026-09-08")
    whistle_services.whistle_report_in(
        actor=liaison, whistle_id=whistle.pk, responsible_name="张警官"
    )
    clock.set("2026-09-09")
    whistle_services.whistle_start(actor=liaison, whistle_id=whistle.pk)

    # when: the resident opens their appeals
    html = _mine(client, people)

    # then: the steps so far with their dates, and those ahead; no one's name
    assert _steps(html, appeal.pk) == [
        ("已转交职能部门处理", "2026-09-07"),
        ("部门已接单（报到）", "2026-09-08"),
        ("正在处置", "2026-09-09"),
        ("已办结，待社区评价", None),
        ("已办结", None),
    ]
    for name in ("张警官", people.worker.full_name, people.department_liaison.full_name):
        assert name not in html

    # when: resolved on the 10th, evaluated by the community on the 11th
    clock.set("2026-09-10")
    whistle_services.whistle_resolve(actor=liaison, whistle_id=whistle.pk, result="已清理摊贩。")
    clock.set("2026-09-11")
    whistle_services.whistle_evaluate(
        actor=folks.secretary, whistle_id=whistle.pk, evaluation="satisfied"
    )

    # then: every step is done, and the appeal is closed for the resident to rate
    html = _mine(client, people)
    assert _steps(html, appeal.pk)[3:] == [
        ("已办结，待社区评价", "2026-09-10"),
        ("已办结", "2026-09-11"),
    ]
    assert "张警官" not in html


def test_resident_sees_a_disputed_whistle_being_reassigned(client, tree, people, folks, clock):
    clock.set("2026-09-07")
    appeal, whistle = _whistled(tree, people, folks)
    clock.set("2026-09-08")
    whistle_services.whistle_dispute(
        actor=Actor.for_user(people.department_liaison),
        whistle_id=whistle.pk,
        reason="非本所职责。",
    )
    html = _mine(client, people)
    assert _steps(html, appeal.pk) == [
        ("已转交职能部门处理", "2026-09-07"),
        ("原承办部门认为不属其职责，正在重新派单", "2026-09-08"),
        ("部门已接单（报到）", None),
        ("正在处置", None),
        ("已办结，待社区评价", None),
        ("已办结", None),
    ]
    assert "非本所职责" not in html
    clock.set("2026-09-09")
    whistle_services.whistle_reassign(
        actor=Actor.for_user(people.street_officer),
        whistle_id=whistle.pk,
        department_id=other_department(tree).pk,
    )
    html = _mine(client, people)
    assert _steps(html, appeal.pk)[2] == ("已改由其他职能部门承办", "2026-09-09")
    assert "区城管执法局" not in html


def test_appeal_not_whistled_shows_no_progress(client, tree, people, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    client.force_login(people.resident)
    html = client.get(reverse("appeals:mine")).content.decode()
    assert f'id="appeal-{appeal.pk}"' in html
    assert "whistle-progress" not in html


def test_title_made_from_a_long_description_ends_in_an_ellipsis(client, tree, people, folks):
    # the raise page started from the appeal offers the cut title
    appeal = raise_appeal(folks.resident_actor, tree.community, description=LONG)
    client.force_login(people.worker)
    page = client.get(reverse("whistles:whistle_new"), {"appeal": appeal.pk}).content.decode()
    offered = re.search(r'id="id_title" name="title" maxlength="100" value="([^"]*)"', page)
    assert offered is not None
    assert offered.group(1) == "小区北门外每天傍晚有流动摊贩占道经营，油烟和噪音很大，还堵…"
    # the triage without a title makes the same one
    appeal_triage(
        actor=folks.worker,
        appeal_id=appeal.pk,
        decision="whistle",
        whistle={"lead_department_id": police(people).pk},
    )
    title = Whistle.objects.get(appeals=appeal).title
    assert (title, len(title)) == (offered.group(1), 30)
    # a short description is the title whole, without an ellipsis
    short = raise_appeal(folks.resident_actor, tree.community, description="楼道堆物堵塞通道。")
    appeal_triage(
        actor=folks.worker,
        appeal_id=short.pk,
        decision="whistle",
        whistle={"lead_department_id": police(people).pk},
    )
    assert Whistle.objects.get(appeals=short).title == "楼道堆物堵塞通道。"


def test_appeal_pages_show_the_phone_masked(client, tree, people, folks):
    # registered at the window with the resident's phone: pages show it masked only
    appeal = raise_appeal(folks.worker, tree.community, contact_phone="13840001234")
    client.force_login(people.worker)
    detail = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    listing = client.get(reverse("appeals:list")).content.decode()
    api = client.get(f"/api/appeals/{appeal.pk}").json()
    assert '<span class="font-monospace">138****1234</span>' in detail
    assert api["phone"] == "138****1234"
    for page in (detail, listing, str(api)):
        assert "13840001234" not in page
