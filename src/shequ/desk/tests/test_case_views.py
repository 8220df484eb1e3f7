"""The window's case pages: intake through the page, the one-time notice,
errors that keep the input, scope (another community sees nothing), the
street's read-only view, the action forms, a stale action, flat queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.models import AuditRecord
from shequ.desk.cases.services import (
    case_complete,
    case_deliver,
    case_intake,
    case_resume,
    case_start,
    case_suspend,
    review_submit,
)
from shequ.desk.models import Case, CaseState, Notice, Visit
from shequ.desk.tests.conftest import ALL_MATERIALS, ID_NUMBER, PHONE, applicant
from shequ.residents.tests.helpers import id_number, resident

pytestmark = pytest.mark.django_db

INTAKE = {
    "id_number": ID_NUMBER,
    "applicant_name": "王秀兰",
    "phone": PHONE,
    "provided": ALL_MATERIALS,
    "channel": "window",
    "note": "",
}


def post_intake(client, desk, **overrides):
    data = INTAKE | {"item": str(desk.item.pk), "window": str(desk.window.pk)} | overrides
    return client.post(reverse("services:intake"), data)


def intake(desk, **kw) -> Case:
    args = {
        "actor": desk.worker_actor,
        "community": desk.community,
        "item": desk.item,
        "applicant": applicant(),
        "provided": ALL_MATERIALS,
        "window": desk.window,
    } | kw
    return case_intake(**args).case


def act_url(case: Case, action: str) -> str:
    return reverse("services:case_act", kwargs={"case_id": case.pk, "action": action})


def case_url(case: Case) -> str:
    return reverse("services:case", kwargs={"case_id": case.pk})


# -- intake ------------------------------------------------------------------------------


def test_intake_page_is_ready_for_the_keyboard(client, desk, clock):
    # given the worker sits at the window today (the first active one: the only one)
    client.force_login(desk.worker)

    # when
    response = client.get(reverse("services:intake") + f"?item={desk.item.pk}")

    # then: the ID number has the focus; the item's checklist marks key materials
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="id_number"' in body and "autofocus" in body.split('name="id_number"')[1][:300]
    assert f'<option value="{desk.window.pk}" selected>' in body
    assert body.count("关键材料</span>") == 2
    assert 'value="近期一寸免冠照片"' in body


def test_intake_happy_path_through_the_page(client, desk, clock):
    # given
    clock.set("2026-11-02")
    client.force_login(desk.worker)

    # when
    response = post_intake(client, desk)

    # then
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    assert (case.status, case.applicant_name, case.window, case.accepted_by) == (
        CaseState.ACCEPTED,
        "王秀兰",
        desk.window,
        desk.worker,
    )
    assert case.materials_complete is True
    assert Visit.objects.filter(case=case).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert f"已受理，受理编号 {case.receipt_no}。" in page
    assert "210302********0014" in page and "138****1234" in page
    assert ID_NUMBER not in page and PHONE not in page


def test_intake_with_a_non_key_material_missing_needs_a_date(client, desk, clock):
    clock.set("2026-11-02")
    client.force_login(desk.worker)
    provided = ["居民身份证", "户口簿"]

    refused = post_intake(client, desk, provided=provided)
    assert refused.status_code == 422
    assert "容缺受理须约定补齐日期（缺少：近期一寸免冠照片）。" in refused.content.decode()
    assert Case.objects.count() == 0

    accepted = post_intake(client, desk, provided=provided, supplement_by="2026-11-06")
    case = Case.objects.get()
    assert accepted.status_code == 302
    assert case.materials_complete is False
    page = client.get(accepted["Location"]).content.decode()
    assert "容缺受理：近期一寸免冠照片须于2026年11月6日前补齐。" in page


def test_key_material_missing_gives_the_notice_page_and_no_case(client, desk, clock):
    clock.set("2026-11-02")
    client.force_login(desk.worker)

    response = post_intake(client, desk, provided=["近期一寸免冠照片"])

    notice = Notice.objects.get()
    assert Case.objects.count() == 0
    assert response.status_code == 302
    assert response["Location"] == reverse("services:notice", kwargs={"notice_id": notice.pk})
    page = client.get(response["Location"]).content.decode()
    assert f"已出具一次性告知单，编号 {notice.number}" in page
    missing = page.split('id="notice-missing">')[1].split("</ol>")[0]
    assert "居民身份证" in missing and "户口簿" in missing and "近期一寸免冠照片" not in missing
    assert reverse("services:notice_pdf", kwargs={"notice_id": notice.pk}) in page


def test_the_form_keeps_the_input_on_error(client, desk, clock):
    client.force_login(desk.worker)

    response = post_intake(
        client,
        desk,
        id_number="210302195003150015",  # checksum wrong
        provided=["居民身份证"],
        note="老人行动不便",
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert "身份证号校验位不正确，请核对号码。" in body
    assert 'value="210302195003150015"' in body
    assert 'value="王秀兰"' in body
    assert 'value="居民身份证" id="id_provided_0" data-key="1" checked' in body
    assert 'value="户口簿" id="id_provided_1" data-key="1">' in body
    assert "老人行动不便" in body
    assert Case.objects.count() == 0 and Notice.objects.count() == 0
    assert AuditRecord.objects.filter(action="case.accept", success=False).count() == 1


def test_intake_partials_checklist_and_register_lookup(client, tree, people, desk):
    resident(tree.unit, name="李桂芝", seq=21, phone="13912345678")
    lookup = reverse("services:intake_applicant") + f"?id_number={id_number(21)}"
    client.force_login(desk.worker)

    checklist = client.get(reverse("services:intake_item") + f"?item={desk.item.pk}")
    assert checklist.status_code == 200
    assert checklist.content.decode().count('name="provided"') == 3

    found = client.get(lookup).content.decode()
    assert 'value="李桂芝"' in found
    assert "139****5678" in found and "13912345678" not in found
    # a worker of another community does not find this community's resident
    client.force_login(people.other_worker)
    assert "李桂芝" not in client.get(lookup).content.decode()


# -- scope ---------------------------------------------------------------------------------


def test_another_community_gets_404_and_sees_nothing(client, people, desk, clock):
    case = intake(desk)
    client.force_login(people.other_worker)

    assert client.get(case_url(case)).status_code == 404
    response = client.post(act_url(case, "start"))
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseState.ACCEPTED
    for name in ("services:case_list", "services:my_cases", "services:overdue"):
        assert case.receipt_no not in client.get(reverse(name)).content.decode(), name
    overdue = client.get(reverse("services:overdue") + f"?community={desk.community.pk}")
    assert overdue.status_code == 404


def test_street_officer_reads_the_street_without_action_buttons(client, people, desk, clock):
    case = intake(desk)
    client.force_login(people.street_officer)

    page = client.get(case_url(case))
    assert page.status_code == 200
    body = page.content.decode()
    assert case.receipt_no in body and 'id="case-actions"' not in body
    assert case.receipt_no in client.get(reverse("services:case_list")).content.decode()
    response = client.post(act_url(case, "start"))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseState.ACCEPTED
    client.force_login(people.other_street_officer)
    assert client.get(case_url(case)).status_code == 404


# -- actions -------------------------------------------------------------------------------


def test_action_forms_start_suspend_resume_complete(client, desk, clock):
    clock.set("2026-11-02")
    case = intake(desk)
    client.force_login(desk.worker)
    page = client.get(case_url(case)).content.decode()
    assert 'id="act-start"' in page and 'id="act-complete"' in page

    assert client.post(act_url(case, "start")).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseState.IN_PROGRESS

    missing_reason = client.post(act_url(case, "suspend"), {"reason": ""})
    assert missing_reason.status_code == 422
    assert "请填写原因。" in missing_reason.content.decode()

    clock.set("2026-11-03")
    client.force_login(desk.worker)  # the session lasts a working day
    response = client.post(act_url(case, "suspend"), {"reason": "等待区民政局核对户籍"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.paused_since.isoformat()) == (CaseState.SUSPENDED, "2026-11-03")
    assert "计时暂停" in client.get(case_url(case)).content.decode()

    clock.set("2026-11-05")
    client.force_login(desk.worker)
    assert client.post(act_url(case, "resume")).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.paused_days) == (CaseState.IN_PROGRESS, 2)

    response = client.post(act_url(case, "complete"), {"outcome": "approved", "note": "核准"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseState.COMPLETED, "approved")
    assert "已办结：" in client.get(response["Location"]).content.decode()


def _offered(client, case: Case) -> tuple[list[str], list[str]]:
    """The action forms of the case page: shown first, and under 更多操作."""
    page = client.get(case_url(case)).content.decode()
    if 'id="case-actions"' not in page:
        return [], []
    actions = page[page.index('id="case-actions"') : page.index('id="case-timeline"')]
    first, _, more = actions.partition('<details class="border rounded p-2" id="more-actions"')
    assert ("<summary" in more) == bool(more) and ("更多操作" in more) == bool(more)
    return re.findall(r'id="act-([a-z_]+)"', first), re.findall(r'id="act-([a-z_]+)"', more)


def test_the_case_page_offers_the_next_steps_first_and_folds_the_rest(client, desk, clock):
    # given: a case just accepted at the window, on the worker's screen
    clock.set("2026-11-02")
    case = intake(desk)
    client.force_login(desk.worker)
    rarely = ["forward", "request_supplement", "suspend", "withdraw"]

    # then, state by state: what the workflow allows now, the usual next step first
    assert _offered(client, case) == (["start", "complete"], rarely)
    case_start(actor=desk.worker_actor, case_id=case.pk)
    assert _offered(client, case) == (["complete"], rarely)
    case_suspend(actor=desk.worker_actor, case_id=case.pk, reason="等待区民政局核对户籍")
    assert _offered(client, case) == (["resume"], ["withdraw"])
    case_resume(actor=desk.worker_actor, case_id=case.pk)
    case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    assert _offered(client, case) == (["deliver"], [])
    case_deliver(actor=desk.worker_actor, case_id=case.pk, method="mail")
    assert _offered(client, case) == ([], [])


def test_a_refused_folded_action_opens_the_fold_with_what_was_typed(client, desk, clock):
    # given
    case = intake(desk)
    client.force_login(desk.worker)

    # when: 挂起 without a reason, then the page comes back
    response = client.post(act_url(case, "suspend"), {"reason": "", "note": "先挂起"})

    # then: 更多操作 is open on the refused form, the note kept
    assert response.status_code == 422
    body = response.content.decode()
    assert '<details class="border rounded p-2" id="more-actions" open>' in body
    assert 'value="先挂起"' in body.split('id="act-suspend"')[1].split("</form>")[0]


def test_a_stale_second_complete_gets_the_conflict_message(client, desk, clock):
    # given two workers looked at the same open case; the secretary completes it first
    case = intake(desk)
    case_complete(actor=desk.secretary_actor, case_id=case.pk, outcome="approved")
    client.force_login(desk.worker)

    # when the worker's page (stale) posts complete
    response = client.post(act_url(case, "complete"), {"outcome": "refused", "reason": "不符合"})

    # then
    assert response.status_code == 409
    assert "该事项当前状态为“已办结”，不能执行“办结”。" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.outcome, case.completed_by) == (
        CaseState.COMPLETED,
        "approved",
        desk.secretary,
    )


def test_unknown_action_is_refused_not_a_500(client, desk):
    case = intake(desk)
    client.force_login(desk.worker)
    response = client.post(act_url(case, "fly"))
    assert response.status_code == 422
    assert "没有“fly”这项操作。" in response.content.decode()


# -- lists -------------------------------------------------------------------------------------


def test_overdue_page_queries_do_not_grow_with_the_rows(client, desk, clock):
    clock.set("2026-11-02")
    for _ in range(5):
        intake(desk)
    clock.set("2026-11-20")  # every case is past its 5 working days
    client.force_login(desk.worker)
    url = reverse("services:overdue") + "?level=overdue"
    client.get(url)  # warm the session and content-type caches

    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert response.content.decode().count('class="case-row"') == 5
    clock.set("2026-11-02")
    for _ in range(35):
        intake(desk)
    clock.set("2026-11-20")
    with CaptureQueriesContext(connection) as forty:
        response = client.get(url)

    body = response.content.decode()
    assert body.count('class="case-row"') == 40
    assert body.count(">已超期</span>") == 40
    assert len(forty) == len(five)


def test_case_list_filters_from_the_query_string(client, desk, clock):
    clock.set("2026-10-12")
    october = intake(desk)
    clock.set("2026-11-02")
    started = intake(desk)
    case_start(actor=desk.worker_actor, case_id=started.pk)
    client.force_login(desk.worker)
    url = reverse("services:case_list")

    def receipts(query: str) -> set[str]:
        body = client.get(url + query).content.decode()
        return {c.receipt_no for c in (october, started) if c.receipt_no in body}

    assert receipts("") == {october.receipt_no, started.receipt_no}
    assert receipts("?month=2026-10") == {october.receipt_no}
    assert receipts("?status=in_progress") == {started.receipt_no}
    assert receipts(f"?worker={desk.worker.pk}&window={desk.window.pk}") == {
        october.receipt_no,
        started.receipt_no,
    }
    assert receipts(f"?worker={desk.secretary.pk}") == set()
    assert receipts(f"?q={october.receipt_no}") == {october.receipt_no}
    bad = client.get(url + "?month=october&status=open")
    assert bad.status_code == 200
    assert "月份格式应为 2026-10。" in bad.content.decode()


def test_my_cases_and_submitted_pages(client, desk, clock):
    clock.set("2026-11-02")
    mine = intake(desk)
    client.force_login(desk.worker)
    body = client.get(reverse("services:my_cases")).content.decode()
    assert mine.receipt_no in body
    assert client.get(reverse("services:submitted")).status_code == 200
    client.force_login(desk.secretary)
    assert mine.receipt_no not in client.get(reverse("services:my_cases")).content.decode()


def test_rectification_pages_rectify_then_follow_up(client, people, desk, clock):
    # given a completed case rated 非常不满意 (which opens a rectification)
    case = intake(desk)
    case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")
    rect = review_submit(
        receipt_no=case.receipt_no, phone_tail=PHONE[-4:], rating=1, comment="等太久", ip=None
    ).rectification
    url = reverse("services:rectification", kwargs={"rectification_id": rect.pk})

    def act(action: str) -> str:
        return reverse(
            "services:rectification_act", kwargs={"rectification_id": rect.pk, "action": action}
        )

    # the worker sees it but only the secretary rectifies
    client.force_login(people.worker)
    assert case.receipt_no in client.get(reverse("services:rectifications")).content.decode()
    assert 'id="rect-act-rectify"' not in client.get(url).content.decode()
    assert client.post(act("rectify"), {"measures": "增设叫号"}).status_code == 403
    client.force_login(people.secretary)
    empty = client.post(act("rectify"), {"measures": ""})
    assert (empty.status_code, "请填写整改措施。" in empty.content.decode()) == (422, True)
    assert client.post(act("rectify"), {"measures": "增设叫号屏"}).status_code == 302
    client.force_login(people.worker)
    done = client.post(act("follow_up"), {"result": "电话回访，已认可", "satisfied": "yes"})
    assert done.status_code == 302
    rect.refresh_from_db()
    assert (rect.status, rect.measures, rect.followup_satisfied) == ("closed", "增设叫号屏", True)
    assert "电话回访，已认可" in client.get(url).content.decode()


# -- in a browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_keyboard_only_intake_in_the_browser(page, live_server, login, desk):
    from playwright.sync_api import expect

    # given the worker opens the window's intake screen
    login(page, desk.worker.username)
    page.goto(f"{live_server.url}{reverse('services:intake')}")

    # when everything is typed, tabbed and ticked from the keyboard
    expect(page.locator("#id_id_number")).to_be_focused()
    page.keyboard.type(ID_NUMBER)
    page.keyboard.press("Tab")
    page.keyboard.type("王秀兰")
    page.keyboard.press("Tab")
    page.keyboard.type(PHONE)
    page.keyboard.press("Tab")
    expect(page.locator("#id_item")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first (only) adopted item
    expect(page.locator("#materials input[name=provided]")).to_have_count(3)
    expect(page.locator("#supplement-wrap")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
    expect(page.locator("#supplement-wrap")).to_be_hidden()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then the case page greets with its receipt number
    case = Case.objects.get()
    expect(page.locator("main")).to_contain_text(f"已受理，受理编号 {case.receipt_no}")
    assert case.materials_complete is True
    assert page.problems == []
