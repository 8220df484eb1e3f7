"""吹哨报到 end to end in a real browser: a resident raises an appeal with a
photo on a 375-px phone, the community worker triages it into a whistle to
站前派出所, and the police station's liaison reports in, naming the person
responsible."""

from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from shequ.appeals.models import Appeal, AppealState, TriageDecision
from shequ.browser_fixtures import overflowing
from shequ.residents.models import Relation
from shequ.residents.tests.helpers import resident as make_resident
from shequ.whistles.models import Department, Whistle, WhistleState

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_resident_appeal_is_whistled_to_the_police_who_report_in(
    page, phone_page, live_server, login, tree, people, tmp_path
):
    # given: the resident's register entry linked to their account, and a photo
    me = make_resident(
        tree.unit, name="王秀兰", seq=11, phone="13800001234", relation=Relation.HEAD
    )
    me.user = people.resident
    me.save(update_fields=["user"])
    photo = tmp_path / "road.png"
    Image.new("RGB", (64, 48), "orange").save(photo, format="PNG")
    police = Department.objects.get(name="站前派出所")

    # when: the resident raises an appeal on the phone, with the photo
    phone = phone_page
    login(phone, people.resident.username)
    phone.goto(f"{live_server.url}{reverse('appeals:new')}")
    assert overflowing(phone) == []
    phone.select_option("#id_kind", "complaint")
    phone.select_option("#id_category", "noise")
    phone.fill("#id_description", "夜里十一点后楼下烧烤摊喝酒喧哗，天天如此，无法入睡。")
    phone.set_input_files("#photos", str(photo))
    with phone.expect_navigation():
        phone.locator("#appeal-form button[type=submit]").click()

    # then: it waits for triage, with its photo, and the phone page still fits
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.community_id, appeal.resident_id) == (
        AppealState.SUBMITTED,
        tree.community.pk,
        me.pk,
    )
    assert appeal.photos.count() == 1
    expect(phone.locator("main")).to_contain_text(appeal.number)
    assert overflowing(phone) == []

    # when: the community worker triages it into a whistle to 站前派出所
    login(page, people.worker.username)
    page.goto(f"{live_server.url}{reverse('appeals:detail', args=[appeal.pk])}")
    with page.expect_navigation():
        page.locator("#decision-whistle a").click()
    page.fill("#id_title", "夜间烧烤摊喧哗扰民")
    page.select_option("#id_lead", str(police.pk))
    with page.expect_navigation():
        page.locator("#whistle-form button.btn-danger").click()

    # then: the appeal is whistled, and the whistle waits for the police to report in
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decision) == (AppealState.WHISTLED, TriageDecision.WHISTLE)
    whistle = Whistle.objects.get()
    assert (whistle.status, whistle.lead_department_id) == (WhistleState.RAISED, police.pk)
    assert list(whistle.appeals.all()) == [appeal]
    expect(page.locator("main")).to_contain_text("已吹哨")

    # when: the police station's liaison logs in and reports in
    page.context.clear_cookies()
    login(page, people.department_liaison.username)
    page.goto(f"{live_server.url}{reverse('whistles:whistle', args=[whistle.pk])}")
    expect(page.locator("main")).to_contain_text("夜间烧烤摊喧哗扰民")
    page.fill("#rn", "张警官")
    form = page.locator("form", has=page.locator("#rn"))
    with page.expect_navigation():
        form.locator("button").click()

    # then: reported, with the responsible person named
    whistle.refresh_from_db()
    assert whistle.status == WhistleState.REPORTED
    assert whistle.responsible_name == "张警官"
    assert whistle.reported_at is not None
    expect(page.locator("main")).to_contain_text("张警官")
    appeal.refresh_from_db()
    assert appeal.status == AppealState.WHISTLED
