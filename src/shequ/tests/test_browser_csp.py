"""The Content-Security-Policy in a real browser: the behaviour that used to
sit in inline handlers and scripts (confirm dialogs, the scope switcher, the
region tree, the statistics chart) still works, and Chromium reports no
blocked script, style or image on the way (``page.problems`` collects its
CSP console errors, see browser_fixtures)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shequ.core.models import ApiToken
from shequ.core.permissions import Role
from shequ.core.tests.factories import grant

pytestmark = pytest.mark.browser


def test_every_response_carries_the_policy(page, live_server):
    # when: the login page opens
    response = page.goto(f"{live_server.url}/login/")

    # then: scripts only from the site itself (or with the response's nonce), no eval
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.problems == []


def test_confirm_dialogs_guard_a_revoke(page, live_server, login, people):
    # given: a community worker with an API token
    login(page, people.worker.username)
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.fill("#id_name", "台账系统")
    page.locator("main button", has_text="申请新令牌").click()
    expect(page.locator("#new-token")).to_be_visible()

    # when: the revoke button is clicked and the dialog is dismissed
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("main button", has_text="收回").click()

    # then: nothing was revoked; accepting the dialog revokes it
    assert ApiToken.objects.get(name="台账系统").revoked_at is None
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("main button", has_text="收回").click()
    expect(page.locator("main .alert-success")).to_contain_text("已收回令牌")
    assert ApiToken.objects.get(name="台账系统").revoked_at is not None
    assert page.problems == []


def test_the_scope_switcher_submits_on_change(page, live_server, login, tree, people):
    # given: a worker who also keeps a compound's building register
    grant(people.worker, Role.BUILDING_HEAD, tree.compound)
    login(page, people.worker.username)

    # when: the other role is chosen in the navbar
    with page.expect_navigation():
        page.select_option("#grant-select", label="楼栋长·化机小区")

    # then: the page reloads in that scope
    expect(page.locator("#grant-select option:checked")).to_have_text("楼栋长·化机小区")
    assert page.problems == []


def test_the_region_tree_opens(page, live_server, login, people):
    # given: the street officer
    login(page, people.street_officer.username)

    # when: the region tree's first branch is opened
    page.goto(f"{live_server.url}/regions/")
    page.locator("details.region-toggle summary").first.click()

    # then: its children load and show
    expect(page.locator("[id^=children-]").first).to_be_visible()
    expect(page.locator("[id^=children-] .region-row").first).to_be_visible()
    assert page.problems == []


def test_the_api_docs_run_under_the_policy(page, live_server, login, people):
    # given: a signed-in worker
    login(page, people.worker.username)

    # when: the Swagger page opens
    page.goto(f"{live_server.url}/api/docs")

    # then: Swagger UI renders the operations (its scripts are self-hosted)
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.problems == []
