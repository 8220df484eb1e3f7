"""An administrator's two-step login in a real browser: the enrolment page
draws its QR code itself (no image from anywhere), the code logs in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.core.tests.factories import PASSWORD
from shequ.core.tests.otp import fresh_code

pytestmark = pytest.mark.browser


def test_an_administrator_enrols_and_logs_in_with_a_code(page, live_server, people):
    # given: the district administrator, without a device yet
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "district_admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # then: the code page shows the QR code and the secret, drawn in the page
    assert page.url == f"{live_server.url}/login/otp/"
    expect(page.locator("main h1")).to_have_text("绑定动态口令")
    qr = page.locator("#otp-qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    assert len(page.locator("#otp-secret").inner_text().replace(" ", "")) == 32
    assert page.locator("img").count() == 0

    # when: the code of the authenticator app is typed
    page.fill("#id_code", fresh_code("district_admin"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # then: the home page, signed in; nothing blocked or failed on the way
    assert page.url == f"{live_server.url}/"
    expect(page.locator("main h1")).to_contain_text("区民政管理员")
    assert page.problems == []


def test_a_wrong_code_is_refused_in_chinese(page, live_server, people, login):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "audit_admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.fill("#id_code", "12345")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#otp-error")).to_have_text("请输入验证器应用上显示的 6 位数字。")
    assert page.url == f"{live_server.url}/login/otp/"
    page.problems.clear()  # the 422 of the refusal itself
    # and the login fixture gets through the second step
    login(page, "audit_admin")
    assert page.url == f"{live_server.url}/"
