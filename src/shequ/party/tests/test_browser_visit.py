"""入户走访 in a real browser: a resident seated as building head switches to
that role on a 375-px phone, opens a neighbour's household from the
building's list, logs the visit and raises an appeal from it in one step;
the community then triages the appeal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shequ.appeals.models import Appeal, AppealChannel, AppealState
from shequ.appeals.services.flow import appeal_triage
from shequ.browser_fixtures import overflowing
from shequ.core.scope import Actor
from shequ.party.models import HouseholdVisit
from shequ.party.services import buildings as s
from shequ.party.tests.helpers import member, party_orgs, resident_account
from shequ.residents.tests.helpers import resident

pytestmark = pytest.mark.browser

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_building_head_logs_a_visit_and_raises_an_appeal_on_the_phone(
    phone_page, live_server, login, tree, people, clock
):
    # given: 王红, a party member of 1号楼 with an account, seated as its head,
    # and her neighbour 刘桂芳 of 2单元202室
    orgs = party_orgs(tree)
    wang = member(tree.unit, orgs.group, name="王红", seq=51, room="301")
    resident_account(wang.resident, "wanghong")
    head = s.building_head_assign(actor=Actor.for_user(people.secretary),
                                  building_id=tree.building.pk, resident_id=wang.resident.pk,
                                  kind="building", term_start=dt.date(2026, 10, 8))  # fmt: skip
    grandma = resident(tree.unit2, name="刘桂芳", seq=61, room="202", phone="13840001234")

    # when: she signs in on her phone and switches to her building-head role
    phone = phone_page
    login(phone, "wanghong")
    phone.locator(".navbar-toggler").click()
    with phone.expect_navigation():
        phone.select_option("#grant-select", str(head.grant_id))
    phone.goto(f"{live_server.url}{reverse('party:visits')}")
    expect(phone.locator("#coverage-figure")).to_contain_text("0/2 户")
    row = phone.locator(f"#household-{grandma.household_id}")
    expect(row).to_contain_text("尚未走访")
    assert overflowing(phone) == []

    # and: logs the visit, ticking 同时代居民提出诉求 to raise what was said
    with phone.expect_navigation():
        row.locator("a:has-text('走访')").click()
    expect(phone.locator("#appeal-fields")).to_be_hidden()
    assert overflowing(phone) == []
    phone.fill("#raised", "楼道灯坏了一个月，晚上上下楼看不见。")
    phone.fill("#follow_up", "已告知物业")
    phone.locator("label[for=raise_appeal]").click()
    expect(phone.locator("#appeal-fields")).to_be_visible()
    phone.select_option("#resident", str(grandma.pk))
    phone.select_option("#appeal_kind", "help")
    phone.select_option("#appeal_category", "repair")
    assert overflowing(phone) == []
    with phone.expect_navigation():
        phone.locator("#visit-form button[type=submit]").click()

    # then: the visit shows the appeal's number, linked to the appeal's page
    appeal = Appeal.objects.get()
    expect(phone.locator("#visit-appeal")).to_contain_text(appeal.number)
    expect(phone.get_by_role("alert")).to_contain_text(f"受理号 {appeal.number}")
    assert overflowing(phone) == []
    with phone.expect_navigation():
        phone.locator("#visit-appeal a").click()
    expect(phone.locator("body")).to_contain_text("楼道灯坏了一个月")
    phone.goto(f"{live_server.url}{reverse('party:visits')}")
    expect(phone.locator("#coverage-figure")).to_contain_text("1/2 户")
    expect(phone.locator(f"#household-{grandma.household_id}")).to_contain_text(
        "上次走访 2026-11-02"
    )
    assert phone.problems == []

    visit = HouseholdVisit.objects.get()
    assert (visit.appeal_id, visit.visitor_id, visit.raised) == (
        appeal.pk, wang.resident.user_id, "楼道灯坏了一个月，晚上上下楼看不见。",
    )  # fmt: skip
    assert (appeal.channel, appeal.resident_id, appeal.building_id) == (
        AppealChannel.BUILDING_HEAD, grandma.pk, tree.building.pk,
    )  # fmt: skip
    # and: the community's worker triages it to be handled by the community
    done = appeal_triage(actor=Actor.for_user(people.worker), appeal_id=appeal.pk, decision="self")
    assert done.status == AppealState.HANDLING
