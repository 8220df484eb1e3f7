"""议事协商 in a real browser: a resident co-signs a neighbour's topic and
votes on a 375-px phone page; the community worker signs the invitees in at
the meeting console and closes the vote, whose result the service counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from shequ.browser_fixtures import overflowing
from shequ.core.scope import Actor
from shequ.deliberation import services as s
from shequ.deliberation.models import AgendaItem, Ballot, Invitee, Topic
from shequ.deliberation.tests.helpers import catalog_item, owners

pytestmark = pytest.mark.browser

CLOCK_START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DELIBERATION_COSIGN_RESIDENTS = 2


def test_a_resident_cosigns_and_votes_on_the_phone_and_the_worker_runs_the_meeting(
    page, phone_page, live_server, login, tree, people, clock
):
    # given: a topic in the meeting, noticed and opened after its notice period,
    # and a neighbour's topic waiting for co-signers
    item = catalog_item(tree.district, tree.community)
    folks = owners(tree.unit, ["80.00", "90.00", "100.00"])
    worker = Actor.for_user(people.worker)
    topic = s.topic_propose(actor=worker, community=tree.community, item_id=item.pk, title="1号楼加装电梯",
                            description="老人多，上下楼难。", place=tree.compound)  # fmt: skip
    s.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = s.meeting_schedule(actor=worker, community=tree.community, form="council", title="化机小区议事会",
                                 starts_at=timezone.now() + dt.timedelta(days=3), topic_ids=[topic.pk],
                                 place="红旗驿站居民议事厅")  # fmt: skip
    for o in folks:
        s.meeting_invite(
            actor=worker, meeting_id=meeting.pk, role="resident_reps", resident_id=o.resident.pk
        )
    s.meeting_notice(actor=worker, meeting_id=meeting.pk)
    clock.advance(days=3)
    s.meeting_open(actor=worker, meeting_id=meeting.pk)
    neighbours = s.topic_propose(actor=folks[1].actor, community=tree.community, item_id=item.pk,
                                 title="增设电动车棚", description="楼道里停满电动车，不安全。")  # fmt: skip

    # when: the worker signs the three invitees in and opens the vote
    login(page, people.worker.username)
    page.goto(f"{live_server.url}{reverse('deliberation:meeting', args=[meeting.pk])}")
    for invitee in Invitee.objects.filter(meeting=meeting).order_by("pk"):
        with page.expect_navigation():
            page.locator(f"#invitee-{invitee.pk} .sign-in-form button[type=submit]").click()
    expect(page.locator("#quorum")).to_contain_text("达到法定人数")
    agenda = AgendaItem.objects.get(meeting=meeting)
    with page.expect_navigation():
        page.locator(f"#agenda-{agenda.pk} button:has-text('开始表决')").click()
    expect(page.locator(f"#agenda-{agenda.pk} .vote-state")).to_have_text("表决中")

    # and: a resident co-signs the neighbour's topic and votes, on the phone
    phone = phone_page
    login(phone, folks[0].resident.user.username)
    phone.goto(f"{live_server.url}{reverse('deliberation:mine')}")
    assert overflowing(phone) == []
    with phone.expect_navigation():
        phone.locator(f"#topic-{neighbours.pk} button:has-text('我附议')").click()
    expect(phone.locator(f"#topic-{neighbours.pk}")).to_contain_text("您已附议")
    phone.locator(f"label[for=c-{agenda.pk}-yes]").click()
    with phone.expect_navigation():
        phone.locator(f"#vote-{agenda.pk} button[type=submit]").click()
    expect(phone.locator(f"#vote-{agenda.pk}")).to_contain_text("您已投票")
    assert overflowing(phone) == []

    # and: the worker records one paper ballot and closes the vote
    page.reload()
    row = page.locator(f"#agenda-{agenda.pk}")
    row.locator("select[name=choice]").select_option("yes")
    with page.expect_navigation():
        row.locator("button:has-text('代录纸质票')").click()
    page.fill(f"#decision-{agenda.pk}", "同意1号楼加装电梯。")
    with page.expect_navigation():
        page.locator(f"#agenda-{agenda.pk} button:has-text('结束表决')").click()

    # then: the service counted two yes of three present: passed, under publicity
    expect(page.locator(f"#agenda-{agenda.pk} .verdict")).to_contain_text("通过")
    agenda.refresh_from_db()
    assert (agenda.yes, agenda.eligible, agenda.passed) == (2, 3, True)
    assert Ballot.objects.filter(item=agenda).count() == 2
    assert Topic.objects.get(pk=neighbours.pk).cosigners == 1
