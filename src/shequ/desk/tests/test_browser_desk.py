"""The desk end to end in a real browser: a worker accepts a case at the
window from the keyboard and completes it; the applicant looks it up on a
375-px phone with the receipt number and the last four phone digits, and
rates it. A worker opens a case and downloads its 受理回执."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from shequ.core.tests.pdfs import pdf_text
from shequ.desk.cases.services import case_intake
from shequ.desk.models import Case, CaseState, Review
from shequ.desk.tests.conftest import ALL_MATERIALS, ID_NUMBER, PHONE, applicant

pytestmark = pytest.mark.browser


def test_worker_accepts_and_completes_then_resident_rates_on_a_phone(
    page, phone_page, live_server, login, desk
):
    # given: the generalist worker at the window's intake screen
    login(page, desk.worker.username)
    page.goto(f"{live_server.url}{reverse('services:intake')}")
    expect(page.locator("#id_id_number")).to_be_focused()

    # when: the applicant's details and the checklist go in by keyboard
    page.keyboard.type(ID_NUMBER)
    page.keyboard.press("Tab")
    page.keyboard.type("王秀兰")
    page.keyboard.press("Tab")
    page.keyboard.type(PHONE)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#materials input[name=provided]")).to_have_count(3)
    for _ in range(3):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then: the case is accepted with a receipt number, one visit, a deadline
    case = Case.objects.get()
    expect(page.locator("main")).to_contain_text(f"已受理，受理编号 {case.receipt_no}")
    assert case.status == CaseState.ACCEPTED and case.visit_count == 1
    assert case.due_date is not None

    # when: the worker completes it, approved
    form = page.locator("form", has=page.get_by_role("button", name="办结", exact=True))
    form.locator("input[name=outcome][value=approved]").check()
    with page.expect_navigation():
        form.get_by_role("button", name="办结", exact=True).click()
    case.refresh_from_db()
    assert case.status == CaseState.COMPLETED and case.outcome == "approved"

    # when: the applicant, on a phone, looks the case up and rates it 非常满意
    phone = phone_page
    phone.goto(f"{live_server.url}{reverse('services:public_lookup')}")
    phone.fill("#id_receipt_no", case.receipt_no)
    phone.fill("#id_phone_tail", PHONE[-4:])
    with phone.expect_navigation():
        phone.locator("#lookup-form button[type=submit]").click()
    expect(phone.locator("#state-label")).to_have_text("已办结")
    expect(phone.locator("main")).to_contain_text("办结")
    phone.check("#rating-5")
    phone.fill("textarea[name=comment]", "一次就办好了")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交评价").click()

    # then: thanked, the review stored once, and nothing runs off the screen
    expect(phone.locator("main")).to_contain_text("感谢您的评价")
    review = Review.objects.get()
    assert (review.case_id, review.rating, review.comment) == (case.pk, 5, "一次就办好了")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.problems == [] and phone.problems == []


def test_worker_opens_a_case_and_downloads_its_receipt(page, live_server, login, desk):
    # given: a case accepted at the window
    case = case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=ALL_MATERIALS,
        window=desk.window,
    ).case
    login(page, desk.worker.username)
    page.goto(f"{live_server.url}{reverse('services:case', kwargs={'case_id': case.pk})}")
    expect(page.locator("#print-receipt")).to_have_text("打印受理回执")

    # when: the worker downloads the receipt
    with page.expect_download() as downloading:
        page.get_by_role("link", name="下载受理回执").click()
    download = downloading.value

    # then: the case's receipt, as the server drew it
    assert download.suggested_filename == f"受理回执_{case.receipt_no}.pdf"
    text = pdf_text(Path(download.path()).read_bytes()).replace("\n", "")
    assert f"受理编号：{case.receipt_no}" in text
    assert "申请事项高龄津贴申领（第1版）" in text
    assert f"输入受理编号{case.receipt_no}和您登记的手机号后四位" in text
    assert f"{live_server.url}/services/banshi/" in text
    assert page.problems == []
